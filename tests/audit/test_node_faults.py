"""A node that limits, lies or fails: the replay adapts to limits and reports every lie it can see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from chainutil import World

from audit.auditkit import anchor, revoke_root, single
from origincert.audit import AuditOptions, run_audit
from origincert.audit.node import NodeRpc, RpcError
from origincert.audit.replay import RangePolicy
from origincert.errors import ChainError, ChainUnavailable

Hook = Callable[[Any], Any]


class Tampering:
    """Sits between the audit and the real node and changes what the node says."""

    def __init__(
        self,
        world: World,
        *,
        logs: Hook | None = None,
        block: Hook | None = None,
        refuse_span: int | None = None,
        refusal: Exception | None = None,
    ) -> None:
        self.inner = NodeRpc(world.client)
        self.url = self.inner.url
        self.logs, self.block = logs, block
        self.refuse_span, self.refusal = refuse_span, refusal
        self.spans: list[int] = []

    def call(self, method: str, params: list[Any]) -> Any:
        if method == "eth_getLogs":
            span = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1
            if self.refuse_span is not None and span > self.refuse_span:
                raise self.refusal or RpcError(
                    method, -32005, "query returned more than 10000 results"
                )
            self.spans.append(span)
        result = self.inner.call(method, params)
        if method == "eth_getLogs" and self.logs:
            return self.logs(result)
        return result

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        results = self.inner.batch(calls)
        if self.block is None:
            return results
        return [
            self.block(r) if m == "eth_getBlockByNumber" else r for (m, _), r in zip(calls, results)
        ]


def audit_through(world: World, rpc: Tampering, **options: Any):
    return run_audit(world.client, AuditOptions(**options), rpc=rpc)


def _some_activity(world: World) -> list[bytes]:
    berlin = world.chambers["DE-berlin"]
    roots = [single(world, berlin)[1] for _ in range(3)]
    revoke_root(world, berlin, roots[0], 1)
    return roots


@pytest.mark.parametrize(
    "refusal",
    [
        RpcError("eth_getLogs", -32005, "query returned more than 10000 results"),
        RpcError("eth_getLogs", -32602, "exceeds max range of 3 blocks"),
        RpcError("eth_getLogs", 413, "HTTP 413 Request Entity Too Large"),
        ChainUnavailable("the node did not answer in time", code="node_timeout"),
    ],
    ids=["geth-results", "besu-range", "http-413", "timeout"],
)
def test_log_ranges_halve_until_the_node_answers(world: World, refusal: Exception) -> None:
    _some_activity(world)
    with run_audit(world.client) as plain:
        expected = (plain.state.anchors, plain.state.revocations, plain.stats["events"])
    rpc = Tampering(world, refuse_span=3, refusal=refusal)
    with audit_through(world, rpc, ranges=RangePolicy(span=64)) as r:
        assert r.findings == []
        assert (r.state.anchors, r.state.revocations, r.stats["events"]) == expected
        assert r.stats["range_shrinks"] >= 1 and max(rpc.spans) <= 3


def test_ranges_grow_again_while_answers_are_small() -> None:
    policy = RangePolicy(span=4, target_logs=100, max_span=64)
    policy.answered(4, 3)
    policy.answered(8, 3)
    assert policy.span == 16
    policy.answered(16, 500)  # too many: next range is half
    assert policy.span == 8
    assert policy.refused(8) == 4 and policy.shrinks == 1
    # After a stretch of 31 logs a block, quiet stretches do not widen ranges past ~100 logs' worth...
    for _ in range(5):
        policy.answered(policy.span, 1)
    assert policy.span == 4
    fresh = RangePolicy(
        span=4, target_logs=100, max_span=64
    )  # ...where a ledger never dense grows on
    for _ in range(5):
        fresh.answered(fresh.span, 1)
    assert fresh.span == 64


def test_other_node_errors_stop_the_audit(world: World) -> None:
    rpc = Tampering(world, refuse_span=0, refusal=RpcError("eth_getLogs", -32000, "internal error"))
    with pytest.raises(ChainError, match="internal error"):
        audit_through(world, rpc)


def _tamper_block(number: int, **changes: Any) -> Hook:
    def hook(block: Any) -> Any:
        if block is not None and int(block["number"], 16) == number:
            return {**block, **changes}
        return block

    return hook


def test_a_block_that_does_not_link_to_its_parent(world: World) -> None:
    _some_activity(world)
    n = world.client.block_number() - 1
    rpc = Tampering(world, block=_tamper_block(n, parentHash="0x" + "ab" * 32))
    with audit_through(world, rpc) as r:
        assert [(f.code, f.block) for f in r.findings] == [("ledger.broken_link", n)]


def test_a_block_dated_before_its_parent(world: World) -> None:
    _some_activity(world)
    world.advance(30)  # an empty block: no event depends on its time
    world.advance(30)
    n = world.client.block_number() - 1
    earlier = hex(world.client.w3.eth.get_block(n - 1)["timestamp"] - 5)
    with audit_through(world, Tampering(world, block=_tamper_block(n, timestamp=earlier))) as r:
        assert [(f.code, f.block) for f in r.findings] == [("ledger.time_went_back", n)]


def test_a_log_from_another_block_and_a_dropped_or_altered_log(world: World) -> None:
    roots = _some_activity(world)
    anchored = "0x" + roots[1].hex()

    def moved(logs: list[dict]) -> list[dict]:
        return [
            {**x, "blockHash": "0x" + "cd" * 32} if x["topics"][1:2] == [anchored] else x
            for x in logs
        ]

    with audit_through(world, Tampering(world, logs=moved)) as r:
        assert [f.code for f in r.findings] == ["ledger.log_block_mismatch"]
        assert r.state.anchors == 2  # the log is refused, not believed

    revoked = "0x" + roots[0].hex()
    revocation_topic = next(
        x
        for x in world.rpc(
            "eth_getLogs",
            [
                {
                    "fromBlock": "0x0",
                    "toBlock": "latest",
                    "address": world.manifest.certificate_registry.address,
                }
            ],
        )["result"]
        if x["topics"][1:2] == [revoked] and len(x["topics"]) == 4
    )["topics"][0]

    def doctored(logs: list[dict]) -> list[dict]:
        out = [x for x in logs if x["topics"][0] != revocation_topic]  # the revocation vanishes
        return [
            {**x, "data": x["data"][:-2] + "07"} if x["topics"][1:2] == [anchored] else x
            for x in out
        ]  # leafCount 1 -> 7

    with audit_through(world, Tampering(world, logs=doctored)) as r:
        diffs = {f.subject: sorted(f.details["differences"]) for f in r.findings}
        assert [f.code for f in r.findings] == [
            "crosscheck.anchor_mismatch",
            "crosscheck.anchor_mismatch",
        ]
        assert diffs == {revoked: ["revocationReason", "revokedAt"], anchored: ["leafCount"]}


def test_an_event_the_auditor_does_not_know(world: World) -> None:
    _some_activity(world)

    injected: list[dict] = []

    def extra(logs: list[dict]) -> list[dict]:
        if injected or not logs:
            return logs
        injected.append({**logs[-1], "topics": ["0x" + "ee" * 32], "logIndex": "0x63"})
        return logs + injected

    with audit_through(world, Tampering(world, logs=extra)) as r:
        assert [f.code for f in r.findings] == ["ledger.unknown_event"]


def test_anchor_helper_used(world: World) -> None:
    """The batch helper anchors what the contract accepts (guards the fixtures the other tests rely on)."""
    tx = anchor(world, world.chambers["SG-sicc"], b"\x02" * 32, 3)
    assert tx.block_number == world.client.block_number()


def test_an_anchor_hidden_by_the_node_surfaces_through_the_archive(world: World, tmp_path) -> None:
    from audit.auditkit import issued_file

    berlin = world.chambers["DE-berlin"]
    made = [single(world, berlin) for _ in range(2)]
    for i, (target, root, tx) in enumerate(made):
        issued_file(tmp_path, world, f"H-{i}", target, root, [], signer=berlin, tx_hash=tx.tx_hash)
    hidden = "0x" + made[1][1].hex()

    def hide(logs: list[dict]) -> list[dict]:
        return [x for x in logs if x["topics"][1:2] != [hidden]]

    with audit_through(world, Tampering(world, logs=hide), archives=(tmp_path,)) as r:
        assert [(f.code, f.subject, f.block) for f in r.findings] == [
            ("crosscheck.hidden_anchor", "H-1", made[1][2].block_number)
        ]
