"""The printed certificate's QR payload: round trips, the reference fallback, damage and tampering."""

from __future__ import annotations

import copy
import io
import json
import random
import zlib
from pathlib import Path
from typing import Any

import base45
import pytest
from eth_utils import keccak, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from origincert import qr
from origincert.devtools.samples import sample_certificate
from origincert.errors import DocumentError
from origincert.fields import commit
from origincert.redact import redact

VECTORS = Path(__file__).parent / "vectors" / "qr-2.json"
PORTAL = "https://verify.example.org/coo"
ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def make_issued(
    doc: dict[str, Any], rng: random.Random, *, batch: int = 1, index: int = 0, tx: bool = True
) -> dict[str, Any]:
    """A full copy as the issuer writes it; the chain part is random but well formed."""
    doc["issuing_body"].setdefault("ledger_id", 1)
    seed = rng.randbytes(32)
    c = commit(doc, seed)
    proof: dict[str, Any] = {
        "seed": "0x" + seed.hex(),
        "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
        "shape": dict(c.shape),
        "target_hash": "0x" + c.target_hash.hex(),
        "leaf": "0x" + keccak(keccak(c.target_hash)).hex(),
        "merkle_proof": ["0x" + rng.randbytes(32).hex() for _ in range((batch - 1).bit_length())],
        "root": "0x" + rng.randbytes(32).hex(),
        "leaf_index": index,
        "batch_size": batch,
        "signature": "0x" + rng.randbytes(65).hex(),
        "signer": to_checksum_address(rng.randbytes(20)),
        "chain_id": 31337,
        "registry": to_checksum_address(rng.randbytes(20)),
        "issuer_id": doc["issuing_body"]["ledger_id"],
        "epoch": rng.randrange(2**64),
        "deadline": rng.randrange(2**40),
    }
    proof["tx_hash"] = (
        "0x" + rng.randbytes(32).hex() if tx else None
    )  # null until the receipt is in
    return {"format": "urn:origincert:issued:2", "document": doc, "proof": proof}


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict=qr.ZDICT)
    return packer.compress(data) + packer.flush()


def payload(prefix: str, body: bytes) -> str:
    """A QR text built by hand from the layout in the module docstring (with a valid CRC)."""
    return prefix + base45.b45encode(body + zlib.crc32(body).to_bytes(4, "big")).decode()


@pytest.fixture
def full() -> dict[str, Any]:
    rng = random.Random(5)
    return make_issued(sample_certificate(rng, items=3, economy="VN"), rng, batch=300, index=123)


# ---------------------------------------------------------------------------------------------
# embedded certificates


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    items=st.integers(1, 5),
    batch=st.sampled_from([1, 2, 7, 100, 1000]),
    tx=st.booleans(),
)
def test_typical_certificates_embed_and_decode_to_the_same_file(
    seed: int, items: int, batch: int, tx: bool
) -> None:
    rng = random.Random(seed)
    issued = make_issued(
        sample_certificate(rng, items=items), rng, batch=batch, index=rng.randrange(batch), tx=tx
    )
    text = qr.encode_payload(issued, portal_url=PORTAL)
    assert text.startswith(qr.EMBEDDED_PREFIX)
    assert set(text) <= ALPHANUMERIC  # QR alphanumeric mode, the densest for this text
    decoded = qr.decode_payload(text)
    assert isinstance(decoded, qr.EmbeddedCertificate)
    assert decoded.issued == issued  # seed-derived hashes, target and leaf rebuilt exactly
    assert decoded.number == issued["document"]["number"]
    assert qr.qr_version(text) <= 33


@pytest.mark.parametrize("tx_hash", [None, "0x" + "ab" * 32])
def test_files_written_by_the_issuer_decode_to_the_same_file(tx_hash: str | None) -> None:
    from origincert.issuer.pipeline import Anchoring, build_tree, issued_file, prepare_certificate

    rng = random.Random(13)
    certs = [
        prepare_certificate(sample_certificate(rng, items=n, ledger_id=4), i)
        for i, n in enumerate((1, 3, 5))
    ]
    tree = build_tree([c.leaf for c in certs])
    anchoring = Anchoring(
        root=tree.root,
        batch_size=len(certs),
        signature=rng.randbytes(65),
        signer=to_checksum_address(rng.randbytes(20)),
        chain_id=2025,
        registry=to_checksum_address(rng.randbytes(20)),
        tx_hash=tx_hash,
        issuer_id=4,
        epoch=2,
        deadline=2**33,
    )
    for cert in certs:
        issued = issued_file(cert, tree.proof(cert.leaf_index), anchoring)
        decoded = qr.decode_payload(qr.encode_payload(issued))
        assert isinstance(decoded, qr.EmbeddedCertificate)
        assert decoded.issued == issued


def test_the_payload_carries_no_salt_hash_or_leaf(full: dict[str, Any]) -> None:
    text = qr.encode_payload(full)
    body = base45.b45decode(text[len(qr.EMBEDDED_PREFIX) :])
    seed = bytes.fromhex(full["proof"]["seed"][2:])
    assert seed in body
    for h in [
        full["proof"]["target_hash"],
        full["proof"]["leaf"],
        *full["proof"]["field_hashes"].values(),
    ]:
        assert bytes.fromhex(h[2:]) not in body
    # and it is much smaller than the file
    assert len(text) < len(json.dumps(full)) / 4


def test_the_stored_vectors_still_decode() -> None:
    """Decoding is the format's contract: a change to the dictionary or layout breaks these."""
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))
    embedded = qr.decode_payload(vectors["embedded"]["text"])
    assert isinstance(embedded, qr.EmbeddedCertificate)
    assert embedded.issued == vectors["embedded"]["issued"]
    ref = qr.decode_payload(vectors["reference"]["text"])
    assert ref == qr.CertificateReference(
        number=vectors["reference"]["number"],
        target_hash=bytes.fromhex(vectors["reference"]["target_hash"][2:]),
        root=bytes.fromhex(vectors["reference"]["root"][2:]),
        chain_id=vectors["reference"]["chain_id"],
        registry=vectors["reference"]["registry"],
        issuer_id=vectors["reference"]["issuer_id"],
        merkle_proof=tuple(bytes.fromhex(h[2:]) for h in vectors["reference"]["merkle_proof"]),
        leaf_index=vectors["reference"]["leaf_index"],
        batch_size=vectors["reference"]["batch_size"],
        portal_url=vectors["reference"]["portal_url"],
    )


def test_unicode_names_survive_the_round_trip() -> None:
    rng = random.Random(9)
    doc = sample_certificate(rng, items=1, economy="VN")
    doc["exporter"]["name"] = "Công ty TNHH Thủy sản Sao Mai"
    doc["consignee"]["name"] = "上海东方贸易有限公司"
    doc["declaration"]["signatory"] = "Ayşe Yılmaz, İhracat Müdürü"
    issued = make_issued(doc, rng)
    decoded = qr.decode_payload(qr.encode_payload(issued))
    assert isinstance(decoded, qr.EmbeddedCertificate)
    assert decoded.issued == issued


# ---------------------------------------------------------------------------------------------
# references


def test_fifty_items_fall_back_to_a_reference() -> None:
    rng = random.Random(3)
    issued = make_issued(sample_certificate(rng, items=50, economy="DE"), rng, batch=4, index=2)
    text = qr.encode_payload(issued, portal_url=PORTAL)
    assert text.startswith(qr.REFERENCE_PREFIX)
    assert qr.qr_version(text) <= 12
    ref = qr.decode_payload(text)
    proof = issued["proof"]
    assert ref == qr.CertificateReference(
        number=issued["document"]["number"],
        target_hash=bytes.fromhex(proof["target_hash"][2:]),
        root=bytes.fromhex(proof["root"][2:]),
        chain_id=31337,
        registry=proof["registry"],
        issuer_id=proof["issuer_id"],
        merkle_proof=tuple(bytes.fromhex(h[2:]) for h in proof["merkle_proof"]),
        leaf_index=2,
        batch_size=4,
        portal_url=PORTAL,
    )


def test_a_redacted_copy_never_embeds_and_never_leaks_its_fields(full: dict[str, Any]) -> None:
    copy_ = redact(full, ["consignee", "goods[0].fob_value"])
    text = qr.encode_payload(copy_)
    ref = qr.decode_payload(text)
    assert isinstance(ref, qr.CertificateReference)
    assert ref.portal_url is None
    assert ref.target_hash == bytes.fromhex(full["proof"]["target_hash"][2:])
    body = base45.b45decode(text[len(qr.REFERENCE_PREFIX) :])
    assert full["document"]["exporter"]["name"].encode() not in body


def test_max_chars_decides_between_embedding_and_reference(full: dict[str, Any]) -> None:
    embedded = qr.encode_payload(full, max_chars=10_000)
    assert qr.encode_payload(full, max_chars=len(embedded)) == embedded
    assert qr.encode_payload(full, max_chars=len(embedded) - 1).startswith(qr.REFERENCE_PREFIX)


def test_a_file_without_its_number_gets_no_qr_code(full: dict[str, Any]) -> None:
    """The number can never be withheld (format v2), so a copy without it does not add up."""
    broken = copy.deepcopy(redact(full, ["exporter"]))
    del broken["document"]["number"]
    with pytest.raises(DocumentError, match="number") as exc:
        qr.encode_payload(broken)
    assert exc.value.code == "qr_proof_inconsistent"
    broken["proof"]["withheld"]["number"] = broken["proof"]["field_hashes"].pop("number")
    del broken["proof"]["salts"]["number"]
    with pytest.raises(DocumentError, match="number") as exc:
        qr.encode_payload(broken)
    assert exc.value.code == "qr_issued_invalid"  # withheld_forbidden, from the one model


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://example.org/a b",
        "ftp://example.org",
        "https://" + "a" * 200,
        "https://exämple.org",
    ],
)
def test_portal_urls_must_be_plain_http_links(full: dict[str, Any], url: str) -> None:
    with pytest.raises(DocumentError) as exc:
        qr.encode_payload(full, portal_url=url)
    assert exc.value.code == "qr_portal_url_invalid"


def test_a_decoded_reference_with_a_script_link_is_refused() -> None:
    body = bytes([1, 1, 1, 0, 1, 0]) + bytes(20 + 32 + 32) + bytes([3]) + b"A-1"
    with pytest.raises(DocumentError, match="portal URL") as exc:
        qr.decode_payload(payload("OC2R:", body + b"javascript:alert(1)"))
    assert exc.value.code == "qr_payload_malformed"
    ref = qr.decode_payload(payload("OC2R:", body + b"https://x.example"))  # the layout alone
    assert isinstance(ref, qr.CertificateReference)
    assert (ref.number, ref.issuer_id, ref.batch_size, ref.merkle_proof) == ("A-1", 1, 1, ())
    assert exc.value.code == "qr_payload_malformed"


# ---------------------------------------------------------------------------------------------
# what encode refuses


def test_a_file_whose_document_was_altered_gets_no_qr_code(full: dict[str, Any]) -> None:
    full["document"]["goods"][0]["gross_weight_kg"] = "1.00"
    with pytest.raises(DocumentError, match=r"goods\[0\]\.gross_weight_kg") as exc:
        qr.encode_payload(full)
    assert exc.value.code == "qr_proof_inconsistent"


def test_a_file_with_a_wrong_leaf_gets_no_qr_code(full: dict[str, Any]) -> None:
    full["proof"]["leaf"] = "0x" + "00" * 32
    with pytest.raises(DocumentError) as exc:
        qr.encode_payload(full)
    assert exc.value.code == "qr_proof_inconsistent"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda f: f.update(format="urn:other"),
        lambda f: f.pop("proof"),
        lambda f: f["proof"].update(root="0x1234"),
        lambda f: f["proof"].update(signature="0x" + "zz" * 65),
        lambda f: f["proof"].update(batch_size=0),
        lambda f: f["proof"].update(leaf_index=300),
        lambda f: f["proof"].update(chain_id=True),
        lambda f: f["proof"].update(merkle_proof="0x00"),
        lambda f: f["proof"].update(registry=None),
    ],
)
def test_malformed_files_are_refused_with_a_code(full: dict[str, Any], mutate: Any) -> None:
    mutate(full)
    with pytest.raises(DocumentError) as exc:
        qr.encode_payload(full, portal_url=PORTAL)
    assert exc.value.code == "qr_issued_invalid"


def test_not_a_dict_is_refused() -> None:
    with pytest.raises(DocumentError) as exc:
        qr.encode_payload("OC1:")  # type: ignore[arg-type]
    assert exc.value.code == "qr_issued_invalid"


# ---------------------------------------------------------------------------------------------
# what decode refuses


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, 10_000), replacement=st.sampled_from(sorted(ALPHANUMERIC)))
def test_any_changed_character_is_detected(position: int, replacement: str) -> None:
    rng = random.Random(1)
    text = qr.encode_payload(make_issued(sample_certificate(rng, items=2), rng))
    i = len(qr.EMBEDDED_PREFIX) + position % (len(text) - len(qr.EMBEDDED_PREFIX))
    if text[i] == replacement:
        return
    with pytest.raises(DocumentError) as exc:
        qr.decode_payload(text[:i] + replacement + text[i + 1 :])
    assert exc.value.code == "qr_payload_malformed"


def test_every_truncation_is_detected(full: dict[str, Any]) -> None:
    for text in (qr.encode_payload(full), qr.encode_payload(full, max_chars=1, portal_url=PORTAL)):
        for cut in range(len(text) - 1, 0, -7):
            with pytest.raises(DocumentError) as exc:
                qr.decode_payload(text[:cut])
            assert exc.value.code == "qr_payload_malformed", cut


def test_an_altered_document_with_a_fixed_checksum_no_longer_matches_its_proof(
    full: dict[str, Any],
) -> None:
    """A forger can recompute the CRC; the rebuilt leaf then differs, so the Merkle proof fails."""
    body = base45.b45decode(qr.encode_payload(full)[len(qr.EMBEDDED_PREFIX) :])[:-4]
    doc_json = json.dumps(full["document"], ensure_ascii=False, separators=(",", ":")).encode()
    real = deflate(doc_json)
    assert body.endswith(real)
    weight = full["document"]["goods"][0]["gross_weight_kg"].encode()
    forged = payload("OC2:", body[: -len(real)] + deflate(doc_json.replace(weight, b"9.99", 1)))
    decoded = qr.decode_payload(forged)
    assert isinstance(decoded, qr.EmbeddedCertificate)
    assert decoded.issued["document"]["goods"][0]["gross_weight_kg"] == "9.99"
    assert decoded.issued["proof"]["root"] == full["proof"]["root"]
    assert decoded.issued["proof"]["leaf"] != full["proof"]["leaf"]


@pytest.mark.parametrize("text", ["OC1:ABC", "OC1R:ABC", "OC3:ABC", "OC10:ABC"])
def test_other_versions_are_named_unsupported(text: str) -> None:
    with pytest.raises(DocumentError, match="version") as exc:
        qr.decode_payload(text)
    assert exc.value.code == "qr_version_unsupported"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N",  # some other Base45 QR code
        "https://example.org/",
        "oc1:ABC",
        "OC2:",
        "OC2:A",  # not Base45 (one char left over)
        "OC2:GGW",  # Base45 for more than 16 bits
        "OC2:~~~",
        "OC2:" + "0" * 5000,
    ],
)
def test_texts_that_are_not_payloads_are_malformed(text: str) -> None:
    with pytest.raises(DocumentError) as exc:
        qr.decode_payload(text)
    assert exc.value.code == "qr_payload_malformed"


def test_not_a_string_is_malformed() -> None:
    with pytest.raises(DocumentError) as exc:
        qr.decode_payload(b"OC2:")  # type: ignore[arg-type]
    assert exc.value.code == "qr_payload_malformed"


def test_surrounding_whitespace_from_a_scanner_is_ignored(full: dict[str, Any]) -> None:
    text = qr.encode_payload(full)
    assert qr.decode_payload(f"  {text}\r\n") == qr.decode_payload(text)


def _embedded_body(
    flags: int = 1,
    varints: bytes = b"\x01\x01\x00\x01\x00\x00",
    proof_len: int = 0,
    doc: bytes | None = None,
) -> bytes:
    fixed = bytes(20 + 20 + 32 + 32 + 65 + (32 if flags & 1 else 0)) + bytes(32 * proof_len)
    if doc is None:
        doc = b'{"number":"A-1"}'
    return bytes([flags]) + varints + bytes([proof_len]) + fixed + deflate(doc)


def test_a_hand_built_payload_decodes() -> None:
    """The layout in the docstring is the whole story: a payload built from it alone decodes."""
    decoded = qr.decode_payload(payload("OC2:", _embedded_body()))
    assert isinstance(decoded, qr.EmbeddedCertificate)
    assert decoded.issued["document"] == {"number": "A-1"}
    assert decoded.issued["proof"]["tx_hash"] == "0x" + "00" * 32
    assert decoded.issued["proof"]["chain_id"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_embedded_body(flags=5), "flags"),
        (
            _embedded_body(varints=b"\x81\x00\x01\x00\x01\x00\x00"),
            "not minimally encoded",
        ),  # chain id 1 in two bytes
        (_embedded_body(varints=b"\x00\x01\x00\x01\x00\x00"), "chain id"),
        (_embedded_body(varints=b"\x01\x02\x02\x01\x00\x00"), "leaf index"),
        (_embedded_body(varints=b"\x01\x01\x00\x00\x00\x00"), "issuer id"),
        (_embedded_body(varints=b"\x01" + b"\xff" * 10 + b"\x01\x00"), "batch size"),
        (_embedded_body(proof_len=65), "Merkle proof"),
        (_embedded_body(doc=b"[1, 2]"), "JSON"),
        (_embedded_body(doc=b'{"a": 1, "a": 2}'), "JSON"),
        (_embedded_body(doc=b'{"a": 1.5}'), "cannot be hashed"),
        (_embedded_body(doc=b'{"A b": "x"}'), "cannot be hashed"),
        (_embedded_body(doc=b" " * 1_000_001), "larger than"),
        (_embedded_body()[:-3], "truncated"),
        (_embedded_body() + b"\x00", "stray"),
        (_embedded_body()[:100], "truncated"),
    ],
)
def test_malformed_embedded_payloads_are_named(body: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message) as exc:
        qr.decode_payload(payload("OC2:", body))
    assert exc.value.code == "qr_payload_malformed"


# ---------------------------------------------------------------------------------------------
# images


def test_a_png_reads_back_to_the_same_text(full: dict[str, Any]) -> None:
    for text in (qr.encode_payload(full), qr.encode_payload(full, max_chars=1, portal_url=PORTAL)):
        png = qr.qr_png(text, scale=3)
        assert png.startswith(b"\x89PNG")
        assert qr.read_qr_image(png) == text


def test_a_photo_like_image_reads_back(full: dict[str, Any]) -> None:
    """Rotated, grey, JPEG-compressed and with other things around it: how a phone sees paper."""
    text = qr.encode_payload(full)
    code = Image.open(io.BytesIO(qr.qr_png(text, scale=5))).convert("L").rotate(90, expand=True)
    page = Image.new("L", (code.width + 400, code.height + 300), 235)
    page.paste(code, (250, 120))
    out = io.BytesIO()
    page.save(out, format="JPEG", quality=85)
    assert qr.read_qr_image(out.getvalue()) == text


def test_the_svg_has_one_module_per_unit(full: dict[str, Any]) -> None:
    text = qr.encode_payload(full)
    svg = qr.qr_svg(text, border=4).decode()
    side = 17 + 4 * qr.qr_version(text) + 8
    assert svg.startswith("<svg") and f'width="{side}" height="{side}"' in svg
    assert len(qr.qr_modules(text)) == side - 8


def test_two_different_certificate_codes_in_one_picture_are_ambiguous() -> None:
    a = Image.open(io.BytesIO(qr.qr_png("OC1R:AAAA", scale=6)))
    b = Image.open(io.BytesIO(qr.qr_png("OC1R:BBBB", scale=6)))
    both = Image.new("L", (a.width + b.width, max(a.height, b.height)), 255)
    both.paste(a, (0, 0))
    both.paste(b, (a.width, 0))
    out = io.BytesIO()
    both.save(out, format="PNG")
    with pytest.raises(DocumentError) as exc:
        qr.read_qr_image(out.getvalue())
    assert exc.value.code == "qr_ambiguous"


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_an_image_without_a_qr_code_says_so() -> None:
    with pytest.raises(DocumentError) as exc:
        qr.read_qr_image(_png(Image.new("L", (300, 200), 255)))
    assert exc.value.code == "qr_not_found"


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"%PDF-1.7\n", "text"])
def test_non_images_are_unreadable(data: Any) -> None:
    with pytest.raises(DocumentError) as exc:
        qr.read_qr_image(data)
    assert exc.value.code == "qr_image_unreadable"


def test_a_truncated_image_is_unreadable(full: dict[str, Any]) -> None:
    png = qr.qr_png(qr.encode_payload(full))
    with pytest.raises(DocumentError) as exc:
        qr.read_qr_image(png[: len(png) // 2])
    assert exc.value.code == "qr_image_unreadable"


def test_an_image_with_too_many_pixels_is_refused_before_decoding() -> None:
    huge = _png(Image.new("1", (10_000, 6_000), 1))  # a few kilobytes, 60 megapixels
    assert len(huge) < 100_000
    with pytest.raises(DocumentError, match="pixels") as exc:
        qr.read_qr_image(huge)
    assert exc.value.code == "qr_image_too_large"


def test_an_image_file_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qr, "MAX_IMAGE_BYTES", 1000)
    with pytest.raises(DocumentError) as exc:
        qr.read_qr_image(bytes(1001))
    assert exc.value.code == "qr_image_too_large"


def test_text_too_long_for_any_qr_code_is_refused() -> None:
    with pytest.raises(DocumentError) as exc:
        qr.qr_png("A" * 5000)
    assert exc.value.code == "qr_payload_too_large"
