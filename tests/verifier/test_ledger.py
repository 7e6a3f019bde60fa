"""Batch verification reads the ledger in few calls: one certificateStatuses per chunk, each
distinct standing and issuing body once, and each (root, signature) recovered once."""

from __future__ import annotations

from collections import Counter
from typing import Any, Self

import pytest

from origincert.verdict import Verdict
from origincert.verifier import Verifier, recompute
from origincert.verifier.ledger import _fn
from verifier.conftest import DAY, Scene


class _Spy:
    """Counts JSON-RPC requests going through the client's provider."""

    def __init__(self, provider: Any) -> None:
        self.provider, self.batches, self.calls = provider, 0, Counter[str]()
        self._batch = provider.make_batch_request

    def __enter__(self) -> Self:
        def counted(calls: list[tuple[str, Any]]) -> Any:
            self.batches += 1
            for method, params in calls:
                self.calls[_selector_name(method, params)] += 1
            return self._batch(calls)

        self.provider.make_batch_request = counted
        return self

    def __exit__(self, *exc: object) -> None:
        del self.provider.make_batch_request


def _selector_name(method: str, params: Any) -> str:
    if method != "eth_call":
        return method
    data = params[0]["data"]
    names = {
        _fn("CertificateRegistry", "certificateStatuses").selector.hex(): "certificateStatuses",
        _fn("IssuerRegistry", "standingAt").selector.hex(): "standingAt",
        _fn("IssuerRegistry", "issuer").selector.hex(): "issuer",
        _fn("IssuerRegistry", "keyRecord").selector.hex(): "keyRecord",
    }
    return names.get(data[2:10], data[:10])


@pytest.fixture
def spied(scene: Scene) -> Any:
    return lambda: _Spy(scene.client.w3.provider)


def test_a_batch_costs_one_status_call_per_chunk_and_a_few_batches(scene: Scene, spied: Any) -> None:
    files = scene.files["batch"] * 4 + scene.files["single"] + scene.files["sg"]  # 22 certificates, 3 roots
    v = Verifier(scene.client, chunk=8, clock=lambda: DAY)
    with spied() as spy:
        results = v.verify_many(files)
    assert {r.verdict for r in results} == {Verdict.VALID}
    assert spy.calls["certificateStatuses"] == 3  # ceil(22 / 8)
    assert spy.calls["standingAt"] == 3  # one per (signer, anchoring time)
    assert spy.calls["issuer"] == 3  # one per issuing body
    assert spy.calls["eth_getLogs"] <= 3
    assert spy.batches <= 6


def test_a_single_verification_is_two_round_trips(scene: Scene, verifier: Verifier, spied: Any) -> None:
    with spied() as spy:
        assert verifier.verify(scene.files["single"][0]).verdict is Verdict.VALID
    assert spy.batches == 2


def test_each_root_signature_is_recovered_once(scene: Scene, verifier: Verifier, monkeypatch: pytest.MonkeyPatch) -> None:
    recompute._recover.cache_clear()
    calls = Counter[bytes]()
    real = recompute.signing.recover_signer

    def counting(digest: bytes, signature: bytes) -> str:
        calls[signature] += 1
        return real(digest, signature)

    monkeypatch.setattr(recompute.signing, "recover_signer", counting)
    results = verifier.verify_many(scene.files["batch"] * 3 + scene.files["leaf_revoked"])
    assert len(results) == 18
    assert sorted(calls.values()) == [1, 1]
