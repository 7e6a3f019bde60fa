"""The hand-written log decoder agrees with web3's ABI decoding on every event type of a real ledger."""

from __future__ import annotations

import pytest
from chainutil import World

from audit.auditkit import busy_ledger
from origincert.audit import events as ev


def _raw_logs(world: World) -> list[dict]:
    m = world.manifest
    return world.rpc(
        "eth_getLogs",
        [
            {
                "fromBlock": hex(m.issuer_registry.block),
                "toBlock": "latest",
                "address": [m.issuer_registry.address, m.certificate_registry.address],
            }
        ],
    )["result"]


def _web3_args(world: World, log: dict) -> tuple[str, dict]:
    """web3's own decoding of a raw log (slow, trusted), normalised to the audit's conventions."""
    from eth_utils import event_abi_to_log_topic
    from hexbytes import HexBytes
    from web3._utils.events import get_event_data

    c = world.client
    contract = (
        c.issuers
        if log["address"].lower() == world.manifest.issuer_registry.address.lower()
        else c.certificates
    )
    formatted = {
        **log,
        "topics": [HexBytes(t) for t in log["topics"]],
        "data": HexBytes(log["data"]),
        "blockNumber": int(log["blockNumber"], 16),
        "logIndex": int(log["logIndex"], 16),
        "transactionIndex": int(log["transactionIndex"], 16),
    }
    (abi,) = [
        a
        for a in contract.abi
        if a["type"] == "event" and "0x" + event_abi_to_log_topic(a).hex() == log["topics"][0]
    ]
    decoded = get_event_data(c.w3.codec, abi, formatted)
    args = {
        k: (
            ("0x" + bytes(v).hex())
            if isinstance(v, (bytes, bytearray))
            else v.lower()
            if isinstance(v, str) and v.startswith("0x")
            else v
        )
        for k, v in decoded["args"].items()
    }
    return decoded["event"], args


# web3's argument names -> the audit's fields, per event (economy bytes2 -> "DE", WithdrawalReason -> fraud)
_FIELDS = {
    "proposalId": "proposal_id",
    "proposer": "proposer",
    "approver": "approver",
    "executor": "executor",
    "approvals": "approvals",
    "member": "member",
    "previousThreshold": "previous",
    "newThreshold": "new",
    "account": "account",
    "issuerId": "issuer_id",
    "signingKey": "signing_key",
    "metadataHash": "metadata_hash",
    "validFrom": "valid_from",
    "validUntil": "valid_until",
    "reason": "reason",
    "previousKey": "previous_key",
    "newKey": "new_key",
    "root": "root",
    "signer": "signer",
    "leafCount": "leaf_count",
    "by": "by",
    "leaf": "leaf",
    "oldRoot": "old_root",
    "oldLeaf": "old_leaf",
    "newRoot": "new_root",
    "newLeaf": "new_leaf",
    "epoch": "epoch",
    "expiresAt": "expires_at",
    "councilEpoch": "council_epoch",
    "previousHash": "previous_hash",
    "newHash": "new_hash",
}


def test_every_event_type_decodes_like_web3(world: World) -> None:
    busy_ledger(world)
    logs = _raw_logs(world)
    seen = set()
    for log in logs:
        name, args = _web3_args(world, log)
        contract = (
            "IssuerRegistry"
            if log["address"].lower() == world.manifest.issuer_registry.address.lower()
            else "CertificateRegistry"
        )
        event = ev.decode_log(log, contract, 1234)
        assert event.name == name
        assert (event.block, event.timestamp, event.tx_hash, event.log_index) == (
            int(log["blockNumber"], 16),
            1234,
            log["transactionHash"],
            int(log["logIndex"], 16),
        )
        for key, value in args.items():
            if key == "economy":
                assert event.economy == bytes.fromhex(value[2:]).decode()
            elif key == "name":
                assert (
                    getattr(event, "issuer_name", getattr(event, "authority_name", None)) == value
                )
            elif key == "data":
                assert "0x" + event.data.hex() == value
            elif key == "reason" and name == "IssuerWithdrawn":
                assert event.fraud == (value == 1)
            elif key == "reason" and name == "ProposalFailed":
                assert "0x" + event.reason.hex() == value
            else:
                assert getattr(event, _FIELDS[key]) == value, (name, key)
        seen.add(name)
    every = {
        cls.__name__
        for cls in (
            *ev.COUNCIL_EVENTS,
            *ev.ISSUER_ACT_EVENTS,
            ev.ProposalCreated,
            ev.ProposalApproved,
            ev.ProposalExecuted,
            ev.ApprovalWithdrawn,
            ev.ProposalCancelled,
            ev.ProposalFailed,
            ev.CouncilEpochChanged,
            ev.Anchored,
            ev.RootRevoked,
            ev.LeafRevoked,
            ev.CertificateReplaced,
        )
    }
    assert seen == every


def test_an_unknown_topic_or_a_malformed_log_is_reported_not_guessed() -> None:
    log = {
        "topics": ["0x" + "11" * 32],
        "data": "0x",
        "blockNumber": "0x1",
        "transactionHash": "0x" + "22" * 32,
        "logIndex": "0x0",
    }
    with pytest.raises(ev.UnknownEvent, match="unknown topic"):
        ev.decode_log(log, "CertificateRegistry", 0)
    anchored = next(
        t
        for (c, t), d in ev.topics().items()
        if c == "CertificateRegistry" and d is ev._DECODERS[(c, "Anchored")]
    )
    with pytest.raises(ev.UnknownEvent, match="does not decode"):
        ev.decode_log({**log, "topics": [anchored, "0x" + "33" * 32]}, "CertificateRegistry", 0)


def test_council_act_calldata_is_decoded_for_people(world: World) -> None:
    c = world.client
    data = bytes.fromhex(
        c.issuers.encode_abi(
            "registerAuthority", args=[b"FR", world.council[0].address, "FR authority"]
        )[2:]
    )
    act = ev.decode_council_act(data)
    assert (act.function, act.args) == (
        "registerAuthority",
        ("FR", world.council[0].address.lower(), "FR authority"),
    )
    assert ev.decode_council_act(bytes.fromhex("deadbeef")).function == ""
    assert ev.decode_council_act(data[:10]).function == ""  # truncated arguments
