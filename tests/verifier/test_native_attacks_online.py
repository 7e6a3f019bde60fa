"""The native core's worst break, online: a field written twice, the second time under a key of
the same orjson key-cache hash (``tests/test_native_attacks.py``), was read as the issued field
and the file judged VALID, while every other JSON reader sees the forged value."""

from __future__ import annotations

import json

import pytest

from origincert import fields, issued, safejson
from origincert.verdict import Verdict
from origincert.verifier import Verifier
from verifier.conftest import DAY, Scene

USERS = (fields, issued, safejson)
FIELD_TWIN = "dpbajehgjcpnkbnpglhnnlcpodjddobp"  # xxh3_64 as "country_of_origin" (see there)


def test_a_twin_keyed_second_value_is_not_valid(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = scene.files["batch"][0]
    good = json.dumps(f, indent=2)
    origin = json.dumps(f["document"]["goods"][0]["country_of_origin"])
    forged = good.replace(
        f'"country_of_origin": {origin}', f'"country_of_origin": "XX", "{FIELD_TWIN}": {origin}', 1
    )
    assert (
        forged != good and json.loads(forged)["document"]["goods"][0]["country_of_origin"] == "XX"
    )
    uploads = [good.encode(), forged.encode()]
    verifier = Verifier(scene.client, clock=lambda: DAY, workers=1)
    fast = [r.to_json() for r in verifier.verify_many_bytes(uploads)]
    for module in USERS:
        monkeypatch.setattr(module, "NATIVE", False)
    reference = [r.to_json() for r in verifier.verify_many_bytes(uploads)]
    assert fast == reference
    assert [r["verdict"] for r in fast] == [Verdict.VALID.value, Verdict.INVALID.value]
