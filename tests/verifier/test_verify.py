"""The verifier against the real ledger: good certificates are VALID with their evidence, and every
state the ledger can be in gives its verdict; offline never says VALID; a dead node is an error."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from origincert.errors import ChainUnavailable, VerificationFailed
from origincert.verdict import CheckStatus, Verdict
from origincert.verifier import MANDATORY, Verifier, verify_or_raise
from origincert.verifier.policy import Context, Policy
from verifier.conftest import DAY, Scene

GOOD = ("batch", "single", "sg", "replacement", "withdrawn", "rotated", "redacted")


def test_every_good_certificate_is_valid_with_all_checks_in_order(
    scene: Scene, verifier: Verifier
) -> None:
    files = [f for name in GOOD for f in scene.files[name]] + [
        scene.files["leaf_revoked"][0],
        scene.files["leaf_revoked"][2],
    ]
    results = verifier.verify_many(files)
    assert [r.verdict for r in results] == [Verdict.VALID] * len(files)
    for r in results:
        assert [c.name for c in r.checks] == list(MANDATORY)
        assert all(c.status is CheckStatus.OK for c in r.checks)


def test_evidence_names_the_issuer_and_the_anchoring(scene: Scene, verifier: Verifier) -> None:
    f = scene.files["single"][0]
    r = verifier.verify(f)
    ev = r.evidence
    assert ev["issuer"]["name"] == "Chamber DE-hamburg" and ev["issuer"]["economy"] == "DE"
    assert ev["anchor"]["tx"] == f["proof"]["tx_hash"]
    receipt = scene.client.w3.eth.get_transaction_receipt(f["proof"]["tx_hash"])
    assert ev["anchor"]["block"] == receipt["blockNumber"]
    assert (
        ev["anchor"]["timestamp"]
        == scene.client.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    )
    assert ev["signer"] == f["proof"]["signer"].lower()
    assert ev["certificate"]["number"] == f["document"]["number"]
    assert "Chamber DE-hamburg (DE)" in r.summary
    assert r.document == f["document"]


def test_a_redacted_copy_is_valid_and_lists_what_was_withheld(
    scene: Scene, verifier: Verifier
) -> None:
    r = verifier.verify(scene.files["redacted"][0])
    assert r.verdict is Verdict.VALID
    assert set(r.withheld) >= {"exporter.address", "consignee.name", "goods[0].invoice.number"}
    assert set(r.check("integrity").fields) == set(r.withheld)
    assert "withheld" in r.check("integrity").message
    assert "consignee" not in r.document


def test_an_ordinary_withdrawal_later_leaves_earlier_certificates_valid_and_says_so(
    scene: Scene, verifier: Verifier
) -> None:
    r = verifier.verify(scene.files["withdrawn"][0])
    assert r.verdict is Verdict.VALID
    assert "withdrawn on" in r.check("issuer_accredited").message
    assert r.evidence["issuer"]["status"] == "withdrawn"


def test_a_certificate_signed_with_a_key_since_rotated_stays_valid(
    scene: Scene, verifier: Verifier
) -> None:
    assert verifier.verify(scene.files["rotated"][0]).verdict is Verdict.VALID


def test_revocation_says_when_by_whom_and_why(scene: Scene, verifier: Verifier) -> None:
    root, leaf = verifier.verify_many(
        [scene.files["root_revoked"][0], scene.files["leaf_revoked"][1]]
    )
    assert root.evidence["revocation"]["by_role"] == "competent authority"
    assert root.evidence["revocation"]["reason"] == "fraud"
    assert "whole batch" in root.check("not_revoked").message
    assert leaf.evidence["revocation"]["by_role"] == "issuing body"
    assert (
        leaf.evidence["revocation"]["by"]
        == scene.files["leaf_revoked"][1]["proof"]["signer"].lower()
    )
    assert leaf.evidence["revocation"]["reason"] == "lost or destroyed"


def test_replacement_names_the_successor(scene: Scene, verifier: Verifier) -> None:
    r = verifier.verify(scene.files["replaced"][0])
    new = scene.files["replacement"][0]["proof"]
    assert r.verdict is Verdict.REPLACED
    assert (r.evidence["replaced_by"]["root"], r.evidence["replaced_by"]["leaf"]) == (
        new["root"],
        new["leaf"],
    )


def test_a_later_suspension_is_said(scene: Scene, verifier: Verifier) -> None:
    r = verifier.verify(scene.files["suspended"][0])
    assert r.verdict is Verdict.SUSPECT
    assert "suspended since" in r.check("issuer_accredited").message
    assert r.evidence["issuer"]["status"] == "suspended"


def test_validity_is_judged_for_the_day_asked(scene: Scene, verifier: Verifier) -> None:
    f = scene.files["single"][0]
    until = f["document"]["valid_until"]
    from datetime import date, timedelta

    assert verifier.verify(f, on=date.fromisoformat(until)).verdict is Verdict.VALID
    late = verifier.verify(f, on=date.fromisoformat(until) + timedelta(days=1))
    assert late.verdict is Verdict.EXPIRED and late.check("validity").code == "expired"


# ---------------------------------------------------------------------------------------------- offline


def test_offline_checks_the_file_and_never_says_valid(scene: Scene, offline: Verifier) -> None:
    good = [f for name in GOOD for f in scene.files[name]]
    results = offline.verify_many(good)
    assert {r.verdict for r in results} == {Verdict.UNCONFIRMED}
    for r in results:
        by = {c.name: c for c in r.checks}
        assert all(
            by[n].status is CheckStatus.OK
            for n in ("format", "schema", "integrity", "merkle", "signature", "validity")
        )
        assert by["anchored"].code == "offline"
        # no sentence of an offline result may claim what only the ledger can tell
        assert not any("anchored on" in c.message.lower() for c in r.checks)
        assert "ledger" not in r.evidence
        assert "the ledger was not consulted" in r.summary


def test_offline_still_catches_tampering_expiry_and_a_foreign_network(
    scene: Scene, world_session: Any
) -> None:
    v = Verifier.offline(world_session.manifest, clock=lambda: DAY)
    tampered = copy.deepcopy(scene.files["batch"][0])
    tampered["document"]["issue_place"] += "x"
    r = v.verify_many(
        [
            tampered,
            scene.files["expired"][0],
            scene.files["other_registry"][0],
            scene.files["batch"][1],
        ]
    )
    assert [x.verdict for x in r] == [
        Verdict.INVALID,
        Verdict.EXPIRED,
        Verdict.INVALID,
        Verdict.UNCONFIRMED,
    ]
    assert r[2].check("network").code == "wrong_registry"
    assert r[3].check("network").status is CheckStatus.OK


# ---------------------------------------------------------------------------------------------- API


def test_verify_or_raise(scene: Scene, verifier: Verifier) -> None:
    assert verify_or_raise(verifier, scene.files["batch"][0]).verdict is Verdict.VALID
    with pytest.raises(VerificationFailed, match="^REVOKED: Revoked.") as info:
        verify_or_raise(verifier, scene.files["root_revoked"][0])
    assert info.value.result.verdict is Verdict.REVOKED
    with pytest.raises(VerificationFailed, match="^MALFORMED"):
        verify_or_raise(verifier, b"{")


def test_results_and_verdicts_have_no_truth_value(scene: Scene, verifier: Verifier) -> None:
    r = verifier.verify(scene.files["batch"][0])
    with pytest.raises(TypeError):
        bool(r)
    with pytest.raises(TypeError):
        bool(r.verdict)


def test_verify_bytes_never_raises_on_bad_input_even_with_the_node_down(scene: Scene) -> None:
    from origincert.chain import ChainClient

    dead = ChainClient.connect(scene.client.url, scene.manifest)
    dead.w3.provider.endpoint_uri = "http://127.0.0.1:9"  # type: ignore[attr-defined]  # the node went away
    v = Verifier(dead)
    assert v.verify_bytes(b"\x00\x01").verdict is Verdict.MALFORMED
    with pytest.raises(ChainUnavailable):
        v.verify(scene.files["batch"][0])


def test_connecting_to_a_dead_node_is_an_infrastructure_error(scene: Scene) -> None:
    with pytest.raises(ChainUnavailable):
        Verifier.connect("http://127.0.0.1:9", scene.manifest)


def test_a_verifier_needs_checks_and_fewer_checks_never_give_valid(scene: Scene) -> None:
    with pytest.raises(ValueError, match="at least one check"):
        Verifier(scene.client, policies=[])
    only_format = Verifier(
        scene.client, policies=[p for p in Verifier(None).policies if p.name == "format"]
    )
    assert only_format.verify(scene.files["batch"][0]).verdict is Verdict.UNCONFIRMED


class _NoRemarks(Policy):
    """An agreement-specific rule added by a customs administration: no remarks allowed."""

    name = "no_remarks"
    requires = ("integrity",)

    def evaluate(self, ctx: Context) -> Any:
        has = "remarks" in ctx.subject.document  # type: ignore[union-attr]
        return (
            self.fail("remarks_present", "Remarks are not allowed.")
            if has
            else self.ok("no_remarks", "No remarks.")
        )


def test_a_custom_policy_can_add_a_check(scene: Scene) -> None:
    v = Verifier(scene.client, policies=[*Verifier(None).policies, _NoRemarks()], clock=lambda: DAY)
    files = scene.files["batch"]
    results = v.verify_many(files)
    for f, r in zip(files, results):
        assert r.checks[-1].name == "no_remarks"
        assert r.verdict is (Verdict.INVALID if "remarks" in f["document"] else Verdict.VALID)
