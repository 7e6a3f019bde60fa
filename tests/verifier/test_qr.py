"""QR codes: an embedded certificate verifies in full; a reference gets the ledger's word on the
anchor and never VALID; anything else is MALFORMED."""

from __future__ import annotations

import copy
import io

from PIL import Image

from origincert import qr
from origincert.fields import commit
from origincert.merkle import leaf_hash
from origincert.verdict import CheckStatus, Verdict
from origincert.verifier import Verifier
from verifier.conftest import Scene


def reference(issued: dict) -> str:
    return qr.encode_payload(issued, max_chars=1)  # too small to embed: a reference


def test_an_embedded_certificate_verifies_like_its_file(scene: Scene, verifier: Verifier) -> None:
    for name in ("single", "batch", "root_revoked"):
        f = scene.files[name][0]
        text = qr.encode_payload(f)
        assert text.startswith("OC1:")
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
    assert "compare the paper" in r.summary
    assert r.evidence["issuer"]["name"] == "Chamber DE-hamburg"
    assert r.evidence["certificate"]["number"] == scene.files["single"][0]["document"]["number"]
    assert r.document is None


def test_a_reference_into_a_batch_cannot_prove_membership(scene: Scene, verifier: Verifier) -> None:
    r = verifier.verify_qr(reference(scene.files["batch"][2]))
    assert r.verdict is Verdict.UNCONFIRMED
    assert r.check("merkle").code == "reference_only"


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


def test_a_forged_reference_fails(scene: Scene, verifier: Verifier) -> None:
    good = scene.files["single"][0]
    ref = qr.decode_payload(reference(good))
    forged_target = qr._reference_bytes
    other = copy.deepcopy(good)
    other["proof"]["target_hash"] = "0x" + "42" * 32
    text = qr.REFERENCE_PREFIX + qr._b45(forged_target(other["document"], other["proof"], None))
    r = verifier.verify_qr(text)
    assert ref.root == bytes.fromhex(good["proof"]["root"][2:])
    assert r.verdict is Verdict.INVALID and r.check("anchored").code == "not_in_batch"
    never = copy.deepcopy(good)
    never["proof"]["root"] = "0x" + "24" * 32
    r = verifier.verify_qr(
        qr.REFERENCE_PREFIX + qr._b45(forged_target(never["document"], never["proof"], None))
    )
    assert r.verdict is Verdict.INVALID and r.check("anchored").code == "not_anchored"


def test_a_tampered_embedded_payload_fails(scene: Scene, verifier: Verifier) -> None:
    f = copy.deepcopy(scene.files["single"][0])
    f["document"]["issue_place"] = "Elsewhere"
    # The QR code carries no hashes: a forger re-derives them from the altered document.
    c = commit(f["document"], bytes.fromhex(f["proof"]["seed"][2:]))
    f["proof"]["field_hashes"] = {p: "0x" + h.hex() for p, h in c.field_hashes.items()}
    f["proof"]["target_hash"] = "0x" + c.target_hash.hex()
    f["proof"]["leaf"] = "0x" + leaf_hash(c.target_hash).hex()
    text = qr.EMBEDDED_PREFIX + qr._b45(qr._embedded_bytes(f["document"], f["proof"]))
    r = verifier.verify_qr(text)
    assert r.verdict is Verdict.INVALID
    assert r.check("merkle").code == "proof_invalid"


def test_unreadable_codes_and_images_are_malformed(verifier: Verifier) -> None:
    for text in ("hello", "OC1:", "OC1:AAAA", "OC2:ABC", "", "OC1R:" + "9" * 5000):
        r = verifier.verify_qr(text)
        assert r.verdict is Verdict.MALFORMED and r.check("format").code == "qr_unreadable", text
    blank = io.BytesIO()
    Image.new("L", (50, 50), 255).save(blank, format="PNG")
    for data in (blank.getvalue(), b"not an image", b""):
        r = verifier.verify_qr_image(data)
        assert r.verdict is Verdict.MALFORMED and r.check("format").code == "qr_unreadable"
