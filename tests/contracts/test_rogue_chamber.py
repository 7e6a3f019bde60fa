"""The rogue chamber's attacks (docs/THREATS.md, section 2), each carried out on a real node and
verified: none may come out VALID, and each is refused by the check named for it.

Documents here carry ``issuing_body.ledger_id`` (format v2): the verifier asks the ledger for the
body the document names, and compares the ledger's name with the document's."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from chainutil import World, test_account
from verifier import builder
from verifier.conftest import DAY, documents

from origincert import governance
from origincert.errors import ContractRevert
from origincert.verdict import CheckStatus, Verdict
from origincert.verifier import Verifier
from origincert.verifier.codes import REASONS

relayer = test_account("rogue-relayer")


def names(world: World, label: str) -> tuple[int, str]:
    return world.chamber_ids[label], f"Chamber {label}"


def v2(doc: dict[str, Any], ledger_id: int, name: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["issuing_body"] = {**out["issuing_body"], "ledger_id": ledger_id, "name": name}
    return out


def terms(world: World, issuer_id: int) -> tuple[int, int, int]:
    return issuer_id, governance.epoch_of(world.client, issuer_id), world.now() + 3600


def issue(world: World, docs: list, signer: Any, signed_for: int, *, send: bool = True):
    c = world.client
    t = terms(world, signed_for)
    files, root, sig = builder.build(
        docs, signer, chain_id=c.chain_id, registry=c.manifest.certificate_registry.address,
        terms=t,
    )  # fmt: skip
    if send:
        tx = builder.anchor(c, c.certificates, root, len(docs), sig, relayer, t)
        for f in files:
            f["proof"]["tx_hash"] = tx.tx_hash
    return files, root, sig, t


def ledger_checks(result) -> dict[str, tuple[CheckStatus, str]]:
    wanted = ("anchored", "issuer_known", "issuer_accredited", "not_revoked")
    got = {c.name: (c.status, c.code) for c in result.checks if c.name in wanted}
    for name, (_, code) in got.items():  # every reason given is a documented, stable code
        assert REASONS[code].check in (name, "*"), code
    return got


@pytest.fixture
def verifier(world: World) -> Verifier:
    return Verifier(world.client, clock=lambda: DAY)


def test_control_a_body_issuing_in_its_own_name_passes_every_ledger_check(world, verifier) -> None:
    hamburg, name = names(world, "DE-hamburg")
    [doc] = documents(1, 301)
    files, *_ = issue(world, [v2(doc, hamburg, name)], world.chambers["DE-hamburg"], hamburg)
    result = verifier.verify(files[0])
    checks = ledger_checks(result)
    assert {k: s for k, (s, _) in checks.items()} == dict.fromkeys(checks, CheckStatus.OK)
    assert result.verdict is Verdict.VALID, result.failed()


def test_a_certificate_naming_another_chamber_is_never_valid(world, verifier) -> None:
    berlin, berlin_name = names(world, "DE-berlin")
    hamburg, _ = names(world, "DE-hamburg")
    rogue = world.chambers["DE-hamburg"]
    [doc] = documents(1, 302)
    # 1. It names Berlin (id and name) and signs as itself: the ledger has no such anchor of Berlin.
    files, *_ = issue(world, [v2(doc, berlin, berlin_name)], rogue, hamburg)
    r = verifier.verify(files[0])
    assert r.verdict is not Verdict.VALID
    assert ledger_checks(r)["anchored"] == (CheckStatus.FAILED, "not_anchored")
    # 2. It signs for Berlin's id: the contract refuses the anchor outright.
    with pytest.raises(ContractRevert, match="CertificateRegistrySignerNotIssuer"):
        issue(world, [v2(doc, berlin, berlin_name)], rogue, berlin)
    # 3. Its own id, Berlin's name on the paper: the ledger's name is Hamburg's.
    files, *_ = issue(world, [v2(doc, hamburg, berlin_name)], rogue, hamburg)
    r = verifier.verify(files[0])
    assert r.verdict is not Verdict.VALID
    assert ledger_checks(r)["issuer_known"] == (CheckStatus.FAILED, "issuer_name_mismatch")


def test_a_revoked_certificate_re_anchored_by_another_chamber_stays_revoked(
    world, verifier
) -> None:
    c = world.client
    berlin, berlin_name = names(world, "DE-berlin")
    hamburg, _ = names(world, "DE-hamburg")
    [doc] = documents(1, 303)
    files, root, _, _ = issue(
        world, [v2(doc, berlin, berlin_name)], world.chambers["DE-berlin"], berlin
    )
    c.send(c.certificates.functions.revokeRoot(berlin, root, 2), world.authorities["DE"])
    # The rogue anchors the very same root (a batch of one: root == leaf) under its own id.
    t = terms(world, hamburg)
    sig = builder.signature65(
        world.chambers["DE-hamburg"],
        root,
        1,
        c.chain_id,
        c.manifest.certificate_registry.address,
        t,
    )
    builder.anchor(c, c.certificates, root, 1, sig, relayer, t)
    # The holder's file, as issued, and a copy re-pointed at the rogue's signature: both are
    # asked for Berlin, the body the document names, whose revocation no other body can undo.
    repointed = copy.deepcopy(files[0])
    repointed["proof"].update(
        signature="0x" + sig.hex(), signer=world.chambers["DE-hamburg"].address,
        issuer_id=t[0], epoch=t[1], deadline=t[2], tx_hash=None,
    )  # fmt: skip
    for f in (files[0], repointed):
        r = verifier.verify(f)
        assert r.verdict is not Verdict.VALID
    assert ledger_checks(verifier.verify(files[0]))["not_revoked"][0] is CheckStatus.FAILED
    assert ledger_checks(verifier.verify(repointed))["anchored"][1] == "issuer_binding_mismatch"


def test_front_running_a_root_does_not_take_the_certificate(world, verifier) -> None:
    c = world.client
    berlin, berlin_name = names(world, "DE-berlin")
    sicc, _ = names(world, "SG-sicc")
    [doc] = documents(1, 304)
    files, root, sig, t = issue(
        world, [v2(doc, berlin, berlin_name)], world.chambers["DE-berlin"], berlin, send=False
    )
    squat_terms = terms(world, sicc)
    squat = builder.signature65(
        world.chambers["SG-sicc"], root, 1, c.chain_id, c.manifest.certificate_registry.address,
        squat_terms,
    )  # fmt: skip
    builder.anchor(c, c.certificates, root, 1, squat, test_account("watcher"), squat_terms)
    builder.anchor(c, c.certificates, root, 1, sig, relayer, t)  # not blocked
    c.send(c.certificates.functions.revokeRoot(sicc, root, 1), world.chambers["SG-sicc"])
    result = verifier.verify(files[0])
    checks = ledger_checks(result)
    assert {k: s for k, (s, _) in checks.items()} == dict.fromkeys(checks, CheckStatus.OK)
    assert result.verdict is Verdict.VALID, result.failed()


def test_a_signature_made_while_suspended_never_anchors(world, verifier) -> None:
    c, de = world.client, world.authorities["DE"]
    berlin, berlin_name = names(world, "DE-berlin")
    governance.suspend(c, de, berlin)
    [doc] = documents(1, 305)
    files, root, sig, t = issue(
        world, [v2(doc, berlin, berlin_name)], world.chambers["DE-berlin"], berlin, send=False
    )
    with pytest.raises(ContractRevert, match="CertificateRegistryNotAccredited"):
        builder.anchor(c, c.certificates, root, 1, sig, relayer, t)
    governance.reinstate(c, de, berlin)
    with pytest.raises(ContractRevert, match="CertificateRegistryStaleEpoch"):
        builder.anchor(c, c.certificates, root, 1, sig, relayer, t)
    r = verifier.verify(files[0])
    assert r.verdict is not Verdict.VALID
    assert ledger_checks(r)["anchored"] == (CheckStatus.FAILED, "not_anchored")
