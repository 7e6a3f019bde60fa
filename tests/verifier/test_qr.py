"""QR codes (OC2): an embedded certificate verifies in full; a reference is tied to its batch by
its Merkle proof, gets the ledger's word on that anchored certificate and never VALID, and a
reference that cannot be tied gets no word at all (issue 9 item 6); anything else is MALFORMED."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from PIL import Image

from origincert import qr
from origincert.fields import commit
from origincert.issued import IssuedFile, parse_issued
from origincert.merkle import leaf_hash
from origincert.verdict import CheckStatus, Verdict, VerificationResult
from origincert.verifier import Verifier
from verifier.conftest import Scene


def forged_reference(issued: dict[str, Any], **changes: Any) -> str:
    """A reference QR text for ``issued`` with proof values changed (what a forger can print)."""
    f = dataclasses.replace(parse_issued(issued), **changes)
    return qr.REFERENCE_PREFIX + qr._b45(qr._reference_bytes(f, None))


def says_nothing_good(r: VerificationResult) -> bool:
    """No sentence that vouches for the certificate: issue 9 item 6."""
    text = " ".join([r.summary, *(c.message for c in r.checks)]).lower()
    return (
        "not revoked" not in text
        and "good standing" not in text
        and not any(
            c.status is CheckStatus.OK
            for c in r.checks
            if c.name in ("issuer_known", "issuer_accredited", "not_revoked", "not_replaced")
        )
    )


def reference(issued: dict) -> str:
    return qr.encode_payload(issued, max_chars=1)  # too small to embed: a reference


def test_an_embedded_certificate_verifies_like_its_file(scene: Scene, verifier: Verifier) -> None:
    for name in ("single", "batch", "root_revoked"):
        f = scene.files[name][0]
        text = qr.encode_payload(f)
        assert text.startswith("OC2:")
        from_qr, from_file = verifier.verify_qr(text), verifier.verify(f)
        assert from_qr.verdict is from_file.verdict
        assert [c.to_json() for c in from_qr.checks] == [c.to_json() for c in from_file.checks]


def test_a_qr_image_verifies(scene: Scene, verifier: Verifier) -> None:
    png = qr.qr_png(qr.encode_payload(scene.files["single"][0]))
    assert verifier.verify_qr_image(png).verdict is Verdict.VALID


def test_a_reference_is_at_best_unconfirmed_and_says_compare_the_paper(
    scene: Scene, verifier: Verifier
) -> None:
    r = verifier.verify_qr(reference(scene.files["single"][0]))
    assert r.verdict is Verdict.UNCONFIRMED
    by = {c.name: c for c in r.checks}
    for name in (
        "format",
        "merkle",
        "network",
        "anchored",
        "issuer_known",
        "issuer_accredited",
        "not_revoked",
        "not_replaced",
    ):
        assert by[name].status is CheckStatus.OK, name
    for name in ("schema", "integrity", "signature", "validity"):
        assert by[name].code == "reference_only"
    assert "Compare the paper" in r.summary and "Not checked: the paper's content" in r.summary
    assert "good standing" not in r.summary
    assert r.evidence["issuer"]["name"] == "Chamber DE-hamburg"
    assert r.evidence["certificate"]["number"] == scene.files["single"][0]["document"]["number"]
    assert r.document is None


def test_a_reference_into_a_batch_is_tied_to_it_by_its_proof(
    scene: Scene, verifier: Verifier
) -> None:
    r = verifier.verify_qr(reference(scene.files["batch"][2]))
    assert r.verdict is Verdict.UNCONFIRMED
    assert r.check("merkle").code == "merkle_ok"
    assert r.check("not_revoked").code == "not_revoked"  # of the certificate the proof ties to


def test_references_to_revoked_replaced_or_suspect_certificates_say_so(
    scene: Scene, verifier: Verifier
) -> None:
    cases = {
        "root_revoked": Verdict.REVOKED,
        "replaced": Verdict.REPLACED,
        "fraud": Verdict.SUSPECT,
    }
    for name, verdict in cases.items():
        assert verifier.verify_qr(reference(scene.files[name][0])).verdict is verdict, name


def test_a_reference_that_cannot_be_tied_to_its_batch_vouches_for_nothing(
    scene: Scene, verifier: Verifier
) -> None:
    """Issue 9 item 6: a target hash not in the named batch never prints "not revoked"."""
    for name, index in (("single", 0), ("batch", 2), ("leaf_revoked", 1), ("root_revoked", 0)):
        good = scene.files[name][index]
        r = verifier.verify_qr(forged_reference(good, target_hash=b"\x42" * 32))
        assert r.verdict is Verdict.INVALID and r.check("merkle").code == "proof_invalid", name
        assert says_nothing_good(r), (name, r.summary, [c.message for c in r.checks])
    batch = scene.files["batch"][2]
    r = verifier.verify_qr(forged_reference(batch, merkle_proof=()))  # the proof dropped
    assert r.check("merkle").code == "proof_invalid" and says_nothing_good(r)
    other = parse_issued(scene.files["batch"][3])
    r = verifier.verify_qr(forged_reference(batch, merkle_proof=other.merkle_proof))
    assert r.check("merkle").code == "proof_invalid" and says_nothing_good(r)


def test_a_reference_tied_to_a_root_never_anchored_fails(scene: Scene, verifier: Verifier) -> None:
    target = b"\x42" * 32
    text = forged_reference(
        scene.files["single"][0],
        target_hash=target,
        root=leaf_hash(target),
        merkle_proof=(),
        batch_size=1,
        leaf_index=0,
    )
    r = verifier.verify_qr(text)
    assert r.verdict is Verdict.INVALID and r.check("anchored").code == "not_anchored"
    assert says_nothing_good(r)


def test_a_version_1_reference_is_refused(verifier: Verifier) -> None:
    r = verifier.verify_qr("OC1R:AAAA")
    assert r.verdict is Verdict.MALFORMED and "version 1" in r.check("format").message


def test_a_tampered_embedded_payload_fails(scene: Scene, verifier: Verifier) -> None:
    f = parse_issued(scene.files["single"][0])
    document = {**f.document, "issue_place": "Elsewhere"}
    # The QR code carries no hashes: a forger re-derives them from the altered document.
    assert f.seed is not None
    c = commit(document, f.seed)
    forged: IssuedFile = dataclasses.replace(
        f,
        document=document,
        field_hashes=dict(c.field_hashes),
        target_hash=c.target_hash,
        leaf=leaf_hash(c.target_hash),
    )
    text = qr.EMBEDDED_PREFIX + qr._b45(qr._embedded_bytes(forged))
    r = verifier.verify_qr(text)
    assert r.verdict is Verdict.INVALID
    assert r.check("merkle").code == "proof_invalid"


def test_bad_codes_are_malformed_and_unread_pictures_unreadable(verifier: Verifier) -> None:
    for text in ("hello", "OC2:", "OC2:AAAA", "OC1:ABC", "OC3:ABC", "", "OC2R:" + "9" * 5000):
        r = verifier.verify_qr(text)
        assert r.verdict is Verdict.MALFORMED and r.check("format").code == "qr_unreadable", text
    blank = io.BytesIO()
    Image.new("L", (50, 50), 255).save(blank, format="PNG")
    # a picture with no code, or no picture: nothing read says nothing about a certificate
    for data, code in (
        (blank.getvalue(), "qr_not_found"),
        (b"not an image", "qr_image_unreadable"),
        (b"", "qr_image_unreadable"),
    ):
        r = verifier.verify_qr_image(data)
        assert r.verdict is Verdict.UNREADABLE and r.check("format").code == code
        assert "retake the photo" in r.summary
