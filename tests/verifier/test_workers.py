"""A large batch checked in worker processes gives exactly the verdicts, checks, evidence and
sentences of the calling process, on every case of the adversarial corpus, online and offline."""

from __future__ import annotations

import json
import os

import pytest

from origincert.verdict import Verdict
from origincert.verifier import Verifier, workers
from verifier.conftest import DAY, Scene
from verifier.corpus import Case
from verifier.test_adversarial import cases  # noqa: F401  (the corpus fixture, shared)


def _uploads(cases: list[Case]) -> list[bytes]:  # noqa: F811
    return [
        c.payload if isinstance(c.payload, bytes) else json.dumps(c.payload).encode() for c in cases
    ]


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_workers_and_the_calling_process_agree_on_every_case(
    scene: Scene,
    cases: list[Case],  # noqa: F811
    online: bool,
) -> None:
    uploads = _uploads(cases) + [json.dumps(f).encode() for f in scene.files["batch"]]
    make = (
        (lambda **kw: Verifier(scene.client, clock=lambda: DAY, **kw))
        if online
        else (lambda **kw: Verifier.offline(scene.manifest, clock=lambda: DAY, **kw))
    )
    here = make(workers=1).verify_many_bytes(uploads)
    pooled = make(workers=2, parallel_from=1).verify_many_bytes(uploads)
    assert workers.pids() and os.getpid() not in workers.pids()  # it did leave this process
    assert [r.to_json() for r in pooled] == [r.to_json() for r in here]
    assert {r.verdict for r in here[-4:]} == {Verdict.VALID if online else Verdict.UNCONFIRMED}
    assert Verdict.VALID not in {r.verdict for r in here[: len(cases)]}


def test_small_batches_and_custom_checks_stay_in_the_calling_process(scene: Scene) -> None:
    from origincert.verifier import DEFAULT_POLICIES
    from origincert.verifier.policy import Policy

    class Local(Policy):  # a caller's own check: workers could not import it
        name = "local"

        def evaluate(self, ctx):  # type: ignore[no-untyped-def]
            return self.ok("local_ok", "fine")

    pooled = Verifier.offline(scene.manifest, workers=2, parallel_from=10)
    assert not pooled._parallel(9) and pooled._parallel(10)
    custom = Verifier.offline(
        scene.manifest, policies=(*DEFAULT_POLICIES, Local()), workers=2, parallel_from=1
    )
    assert not custom._parallel(100)
    assert Verifier.offline(scene.manifest, workers=1, parallel_from=1)._parallel(100) is False


def test_a_worker_killed_between_batches_costs_nothing(scene: Scene) -> None:
    import signal

    uploads = [json.dumps(f).encode() for f in scene.files["batch"] * 8]
    v = Verifier(scene.client, clock=lambda: DAY, workers=2, parallel_from=1)
    first = v.verify_many_bytes(uploads)
    os.kill(workers.pids()[0], signal.SIGKILL)
    again = v.verify_many_bytes(uploads)
    assert [r.to_json() for r in again] == [r.to_json() for r in first]
    assert {r.verdict for r in again} == {Verdict.VALID}


def test_workers_read_the_ledger_at_the_block_pinned_before_they_start(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Online, each worker reads its own files' facts, every one at the block the calling process
    pinned: a block sealed meanwhile is not read, and the verdicts are those of one process."""
    from origincert.verifier.ledger import LedgerReader

    head = scene.client.w3.eth.block_number
    real = LedgerReader.pin

    def pin_then_seal(reader: LedgerReader, session: object) -> None:
        real(reader, session)  # type: ignore[arg-type]
        scene.client.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    monkeypatch.setattr(LedgerReader, "pin", pin_then_seal)
    uploads = [json.dumps(f).encode() for f in scene.files["batch"] * 30 + scene.files["sg"]]
    pooled = Verifier(scene.client, clock=lambda: DAY, workers=2, parallel_from=1)
    results = pooled.verify_many_bytes(uploads)
    assert scene.client.w3.eth.block_number == head + 1
    assert workers.pids() and os.getpid() not in workers.pids()
    assert {r.evidence["ledger"]["block"] for r in results} == {head}
    assert {r.verdict for r in results} == {Verdict.VALID}
    here = Verifier(scene.client, clock=lambda: DAY, workers=1).verify_many_bytes(uploads)
    assert [r.verdict for r in here] == [r.verdict for r in results]
