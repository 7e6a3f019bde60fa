"""The ``vc_status`` check: a fresh list signed by the issuer decides; anything less is an
infrastructure error with its reason code (never INVALID, never silently active)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from origincert.interop.did import TrustList, did_web, did_web_document
from origincert.interop.errors import InteropError, StatusListUnavailable
from origincert.interop.files import read_status_lists
from origincert.interop.p256 import P256KeyPair
from origincert.interop.status import status_list_credential
from origincert.interop.statuscheck import StatusLists, status_check
from origincert.verdict import CheckStatus

from . import test_credential as tc

URL = "https://chamber.example/status/1"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
THIEF = P256KeyPair.from_secret(b"\x09" * 32)


def _list(revoked: set[int], *, at: datetime = NOW, key: P256KeyPair = tc.VC_KEY,
          did: str = tc.DID, url: str = URL) -> dict[str, Any]:  # fmt: skip
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return status_list_credential(list_url=url, revoked=revoked, issuer_did=did,
                                  verification_method=f"{did}#vc-key-1", key=key,
                                  valid_from=stamp, created=stamp, loader=tc.LOADER)  # fmt: skip


def _entry(index: int, url: str = URL) -> dict[str, Any]:
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(index),
            "statusListCredential": url}  # fmt: skip


def _check(entry: Any, lists: StatusLists | None, trust: TrustList | None = None):  # type: ignore[no-untyped-def]
    return status_check(entry, issuer_did=tc.DID, lists=lists, trust=trust or tc._trust(),
                        loader=tc.LOADER, now=NOW + timedelta(hours=1))  # fmt: skip


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    return _list({3})


def test_a_clear_bit_is_ok_and_a_set_bit_fails(good) -> None:
    lists = StatusLists({URL: good})
    assert _check(_entry(2), lists).status is CheckStatus.OK
    revoked = _check(_entry(3), lists)
    assert (revoked.status, revoked.code) == (CheckStatus.FAILED, "status_revoked")


def test_nothing_to_read_is_skipped_not_passed(good) -> None:
    assert _check(None, StatusLists({URL: good})).code == "status_absent"
    assert _check(_entry(2), None).code == "status_list_not_configured"
    unknown = _check(_entry(2, "https://elsewhere.example/1"), StatusLists({URL: good}))
    assert (unknown.status, unknown.code) == (CheckStatus.SKIPPED, "status_list_unknown")


def _unavailable(entry: Any, lists: StatusLists, trust: TrustList | None = None) -> str:
    with pytest.raises(StatusListUnavailable) as info:
        _check(entry, lists, trust)
    return info.value.code


def test_every_unreliable_list_is_an_infrastructure_error(good) -> None:
    stale = StatusLists({URL: _list(set(), at=NOW - timedelta(days=2))})
    assert _unavailable(_entry(2), stale) == "status_list_stale"
    expired = copy.deepcopy(good)
    expired["validUntil"] = "2026-03-01T12:30:00Z"  # before "now": and no longer signed
    assert _unavailable(_entry(2), StatusLists({URL: expired})) == "status_list_signature_invalid"
    thief = StatusLists({URL: _list(set(), key=THIEF)})
    assert _unavailable(_entry(2), thief) == "status_list_signature_invalid"
    flipped = copy.deepcopy(good)
    flipped["credentialSubject"]["encodedList"] = _list(set())["credentialSubject"]["encodedList"]
    assert _unavailable(_entry(3), StatusLists({URL: flipped})) == "status_list_signature_invalid"
    other = did_web("other.example")
    trust = TrustList({**tc._trust().documents, other: did_web_document(
        other, THIEF.public_multikey, ledger_address=tc.LEDGER_KEY.address, chain_id=tc.CHAIN_ID)})  # fmt: skip
    theirs = StatusLists({URL: _list(set(), key=THIEF, did=other)})
    assert _unavailable(_entry(2), theirs, trust) == "status_list_issuer_mismatch"
    elsewhere = StatusLists({URL: _list(set(), url="https://elsewhere.example/1")})
    assert _unavailable(_entry(2), elsewhere) == "status_list_malformed"
    assert _unavailable(_entry(200_000), StatusLists({URL: good})) == "status_list_too_short"
    broken = StatusLists({}, broken=("1.json",))
    assert _unavailable(_entry(2), broken) == "status_list_unreadable"


def test_a_signed_entry_that_is_not_one_is_refused(good) -> None:
    for bad in ({**_entry(2), "statusPurpose": "suspension"}, {**_entry(2), "statusListIndex": "-1"},
                "https://chamber.example/status/1#2"):  # fmt: skip
        with pytest.raises(InteropError) as info:
            _check(bad, StatusLists({URL: good}))
        assert info.value.code == "status_entry_malformed"


def test_reading_a_folder_remembers_what_it_could_not_read(good, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(good))
    (tmp_path / "b.json").write_text("{ broken")
    (tmp_path / "c.json").write_text(json.dumps(_list(set(), url="https://c.example/1")))
    (tmp_path / "d.json").write_text(json.dumps(_list(set(), url="https://c.example/1")))
    lists = read_status_lists(tmp_path)
    assert set(lists.lists) == {URL}
    assert lists.broken == ("b.json", "c.json", "d.json")  # unreadable, and two claiming one URL
    assert read_status_lists(tmp_path / "a.json").lists == {URL: good}
