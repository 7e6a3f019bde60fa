"""The verifier with its native fast paths gives exactly the verdicts, checks, evidence and
sentences of the pure-Python reference, on every case of the adversarial corpus and on good
files, offline and online."""

from __future__ import annotations

import json

import pytest

from origincert import _native, fields, issued, safejson
from origincert.verdict import Verdict
from origincert.verifier import Verifier
from verifier.conftest import DAY, Scene
from verifier.corpus import Case
from verifier.test_adversarial import cases  # noqa: F401  (the corpus fixture, shared)

USERS = (fields, issued, safejson)  # every module that imports origincert._native (test_native)


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_native_and_reference_agree_on_every_case(
    scene: Scene,
    cases: list[Case],  # noqa: F811
    online: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uploads = [
        c.payload if isinstance(c.payload, bytes) else json.dumps(c.payload).encode() for c in cases
    ] + [json.dumps(f, indent=2).encode() for f in scene.files["batch"]]
    make = (
        (lambda: Verifier(scene.client, clock=lambda: DAY, workers=1))
        if online
        else (lambda: Verifier.offline(scene.manifest, clock=lambda: DAY, workers=1))
    )
    assert all(m.NATIVE for m in USERS)
    assert all(_native.ext.json_clean(u) for u in uploads[len(cases) :])  # the fast path is taken
    fast = make().verify_many_bytes(uploads)
    for module in USERS:
        monkeypatch.setattr(module, "NATIVE", False)
    reference = make().verify_many_bytes(uploads)
    assert [r.to_json() for r in fast] == [r.to_json() for r in reference]
    assert {r.verdict for r in fast[len(cases) :]} == {
        Verdict.VALID if online else Verdict.UNCONFIRMED
    }
