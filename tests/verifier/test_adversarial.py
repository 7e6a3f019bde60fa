"""The adversarial corpus, verified in one batch against the real ledger: none may come out VALID,
and each must fail with the verdict and the reason code its attack calls for."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest

from origincert.verdict import CheckStatus, Verdict, VerificationResult
from origincert.verifier import Verifier
from verifier import corpus
from verifier.conftest import Scene, key
from verifier.corpus import EXPIRED, INVALID, REPLACED, REVOKED, SUSPECT, Case


def _ledger_cases(s: Scene) -> list[Case]:
    cid, ours = s.client.chain_id, s.registry
    good, rotated = s.files["batch"][0], s.files["rotated"][0]

    def edit(f: dict[str, Any], **proof: Any) -> dict[str, Any]:
        out = copy.deepcopy(f)
        out["proof"].update(proof)
        return out

    revoked_leaf = s.files["leaf_revoked"][1]
    return [
        *(Case(f"batch revoked by the authority #{i}", f, REVOKED, "not_revoked", "root_revoked") for i, f in enumerate(s.files["root_revoked"])),
        Case("one certificate of a batch revoked", revoked_leaf, REVOKED, "not_revoked", "leaf_revoked"),
        Case("replaced", s.files["replaced"][0], REPLACED, "not_replaced", "replaced"),
        Case("expired", s.files["expired"][0], EXPIRED, "validity", "expired"),
        Case("checked before its issue date", s.files["future"][0], EXPIRED, "validity", "before_issue_date"),
        Case("issuer suspended since", s.files["suspended"][0], SUSPECT, "issuer_accredited", "issuer_suspended"),
        Case("issuer withdrawn for fraud since", s.files["fraud"][0], SUSPECT, "issuer_accredited", "issuer_withdrawn_for_fraud"),
        Case("anchored on another registry", s.files["other_registry"][0], INVALID, "network", "wrong_registry"),
        Case("another registry's file relabelled as ours", edit(s.files["other_registry"][0], registry=ours),
             INVALID, "signature", "signer_mismatch"),
        Case("signed for another chain id", s.files["other_chain"][0], INVALID, "network", "wrong_chain"),
        Case("another chain's file relabelled as ours", edit(s.files["other_chain"][0], chain_id=cid),
             INVALID, "signature", "signer_mismatch"),
        Case("issuer never accredited, own batch", s.files["never_accredited"][0], INVALID, "anchored", "not_anchored"),
        Case("never-accredited key re-signs an anchored root", corpus.resigned(good, key("never"), cid, ours),
             INVALID, "issuer_known", "signer_unknown"),
        Case("another key's signature, signer left as is", corpus.resigned(good, key("never"), cid, ours, update_signer=False),
             INVALID, "signature", "signer_mismatch"),
        Case("issuer accredited later re-signs an anchored root", corpus.resigned(good, key("later"), cid, ours),
             INVALID, "issuer_known", "issuer_mismatch"),
        Case("another accredited chamber re-signs the root", corpus.resigned(good, s.keys.get("suspended") or key("suspended"), cid, ours),
             INVALID, "issuer_known", "issuer_mismatch"),
        Case("the issuer's later key re-signs an earlier root", corpus.resigned(rotated, key("rotated-2"), cid, ours),
             INVALID, "issuer_known", "signer_not_anchorer"),
        Case("names an issuing body of another economy", s.files["economy_mismatch"][0],
             INVALID, "issuer_known", "issuer_economy_mismatch", ("issuing_body.economy",)),
        Case("issued with a document that is not a valid certificate", s.files["schema_invalid"][0],
             INVALID, "schema", "schema_invalid", ("goods[0].hs_code",)),
        Case("anchoring transaction edited", edit(good, tx_hash="0x" + "ab" * 32), INVALID, "anchored", "anchor_tx_mismatch"),
        Case("revoked, and altered too", corpus.every_field_altered(revoked_leaf)[3].payload, INVALID, "integrity", "field_altered"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def cases(scene: Scene) -> list[Case]:
    good = scene.files["batch"][0]
    other = scene.files["batch"][1]
    redacted = scene.files["redacted"][0]
    return [
        *corpus.every_field_altered(good),
        *corpus.every_field_altered(redacted),
        *corpus.wrong_types(good),
        *corpus.unicode_tricks(good),
        *corpus.added_and_removed(good),
        *corpus.proof_tampering(good, other, redacted),
        *corpus.redacted_then_altered(redacted, good),
        *corpus.malformed(good),
        *corpus.holder_attacks(
            scene.files["multi"][0],
            scene.files["redacted"][2],
            scene.files["multi"][1],
            scene.files["expired"][0],
            scene.files["economy_mismatch"][0],
        ),
        *corpus.rule_invalid_redacted(scene.files["rule_invalid"][0]),
        *_ledger_cases(scene),
    ]


@pytest.fixture(scope="module")
def results(cases: list[Case], verifier: Verifier) -> list[VerificationResult]:
    """The whole corpus in one batch: files through verify_many, raw bytes through verify_many_bytes."""
    files = [(i, c.payload) for i, c in enumerate(cases) if isinstance(c.payload, dict)]
    raws = [(i, c.payload) for i, c in enumerate(cases) if isinstance(c.payload, bytes)]
    out: dict[int, VerificationResult] = {}
    out.update(zip([i for i, _ in files], verifier.verify_many([p for _, p in files])))
    out.update(zip([i for i, _ in raws], verifier.verify_many_bytes([p for _, p in raws])))
    return [out[i] for i in range(len(cases))]


def test_the_corpus_is_large_and_covers_every_check(cases: list[Case]) -> None:
    assert len(cases) > 200
    assert {c.check for c in cases} >= {
        "format", "schema", "integrity", "merkle", "signature", "network", "anchored", "issuer_known",
        "issuer_accredited", "not_revoked", "not_replaced", "validity",
    }  # fmt: skip
    assert len(Counter(c.code for c in cases)) >= 30


def test_genuine_full_and_redacted_copies_stay_valid(scene: Scene, verifier: Verifier) -> None:
    genuine = [*scene.files["batch"], *scene.files["multi"], *scene.files["redacted"]]
    assert {r.verdict for r in verifier.verify_many(genuine)} == {Verdict.VALID}


def test_nothing_in_the_corpus_is_valid(
    cases: list[Case], results: list[VerificationResult]
) -> None:
    valid = [c.label for c, r in zip(cases, results) if r.verdict is Verdict.VALID]
    assert valid == []


def test_each_attack_gets_its_verdict_and_reason_code(
    cases: list[Case], results: list[VerificationResult]
) -> None:
    wrong = []
    for c, r in zip(cases, results):
        failed = {(x.name, x.code) for x in r.failed()}
        if r.verdict.value != c.verdict or (c.check, c.code) not in failed:
            wrong.append((c.label, r.verdict.value, sorted(failed)))
    assert wrong == [], "\n".join(map(str, wrong))


def test_altered_fields_are_named(cases: list[Case], results: list[VerificationResult]) -> None:
    wrong = []
    for c, r in zip(cases, results):
        if c.fields is not None and set(r.check(c.check).fields) != set(c.fields):
            wrong.append((c.label, r.check(c.check).fields))
    assert wrong == [], "\n".join(map(str, wrong))


def test_malformed_input_skips_every_other_check(
    cases: list[Case], results: list[VerificationResult]
) -> None:
    for c, r in zip(cases, results):
        if c.verdict == "MALFORMED":
            assert [x.status for x in r.checks[1:]] == [CheckStatus.SKIPPED] * (
                len(r.checks) - 1
            ), c.label


def test_messages_never_carry_raw_control_or_bidi_characters(
    results: list[VerificationResult],
) -> None:
    bad = [
        (x.name, x.message)
        for r in results
        for x in r.checks
        if any(ch in x.message for ch in ("\u202e", "\x00", "\u200b"))
    ]
    assert bad == []


def test_the_batch_and_single_verification_agree(
    cases: list[Case], results: list[VerificationResult], verifier: Verifier
) -> None:
    picks = range(0, len(cases), 17)
    for i in picks:
        c = cases[i]
        single = (
            verifier.verify_bytes(c.payload)
            if isinstance(c.payload, bytes)
            else verifier.verify(c.payload)
        )
        assert single.to_json() == results[i].to_json(), c.label


def test_every_case_survives_a_json_round_trip(
    cases: list[Case], results: list[VerificationResult]
) -> None:
    for r in results:
        json.dumps(r.to_json())


def test_every_code_given_is_documented_with_its_check_and_status(
    results: list[VerificationResult],
) -> None:
    from origincert.verifier.codes import REASONS

    undocumented = {
        (x.name, x.status.value, x.code)
        for r in results
        for x in r.checks
        if x.code not in REASONS
        or REASONS[x.code].check not in (x.name, "*")
        or REASONS[x.code].status is not x.status
    }
    assert undocumented == set()
