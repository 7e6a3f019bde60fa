"""The QR code of a printed certificate: a compact text payload, its image, and reading it back.

Most borders see paper, so the QR code must let an officer verify the paper with no document
server. Two payloads, both in QR alphanumeric mode (Base45, RFC 9285):

``OC2:``  the whole certificate and its proof (a full copy that fits): verifiable offline.
``OC2R:`` a reference (too big, or a redacted copy, which never carries the seed): the
          certificate number, target hash, its Merkle proof to the root, the signed issuer
          id, chain id, registry and optionally the portal URL. The verifier ties the target
          hash to the anchored batch (or refuses it); the ledger vouches for that anchored
          certificate; the officer compares the paper, whose content the code does not carry.

Version 2 (format v2, issue 9): the embedded payload carries the signed anchor's issuer id,
epoch and deadline; the reference carries the Merkle proof, so a reference whose target hash is
not in the batch it names never gets the ledger's word. ``OC1`` codes are refused with
``qr_version_unsupported``.

Embedded payload, after Base45 (all integers unsigned LEB128, minimal length)::

    flags (1 byte: bit 0 = tx_hash present) · chain_id · batch_size · leaf_index ·
    issuer_id · epoch · deadline · proof length (1 byte) · registry (20) · signer (20) ·
    seed (32) · root (32) · signature (65) · tx_hash (32, if flagged) · merkle proof (32 each) ·
    raw DEFLATE of the document's compact JSON with the preset dictionary ZDICT · CRC-32

Reference payload::

    flags (1 byte: bit 0 = portal URL present) · chain_id · batch_size · leaf_index ·
    issuer_id · proof length (1 byte) · registry (20) · target_hash (32) · root (32) ·
    merkle proof (32 each) · number length (1 byte) · number (UTF-8) ·
    portal URL (ASCII, if flagged) · CRC-32

Nothing recomputable is carried: salts derive from the seed, field hashes from the salts, the
shape from the document, and the target hash and leaf from the field hashes (docs/FORMAT.md).
Decoding rebuilds them, so an embedded payload decodes to the same issued file as the original
full copy (addresses in their EIP-55 form). Every issued file is read by the one model
(``origincert.issued``). The CRC-32 only turns a damaged scan into a clear error; authenticity comes from
the proof. ``ZDICT`` is part of the format: changing it makes a new version.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zlib
from dataclasses import dataclass
from typing import Any

import base45
import segno
from eth_utils import to_checksum_address

from origincert import fields
from origincert.errors import DocumentError
from origincert.issued import FORMAT_ID, IssuedFile, IssuedFileError, parse_issued
from origincert.merkle import leaf_hash
from origincert.redact import disclose
from origincert.safejson import load_json

__all__ = [
    "DEFAULT_MAX_CHARS",
    "EMBEDDED_PREFIX",
    "REFERENCE_PREFIX",
    "CertificateReference",
    "EmbeddedCertificate",
    "decode_payload",
    "encode_payload",
    "qr_modules",
    "qr_png",
    "qr_svg",
    "qr_version",
    "read_qr_image",
]

VERSION = "2"
EMBEDDED_PREFIX = "OC2:"
REFERENCE_PREFIX = "OC2R:"
ERROR_LEVEL = "m"  # 15 % of the symbol may be lost (a stamp, a fold) and it still reads
# The alphanumeric capacity of a version 33 QR code at level M: 149 x 149 modules, 0.4 mm each
# in the 6.5 cm box of the printed form, still read by a phone camera off paper. Measured: a
# certificate of 5 goods items in a batch of 1000 needs 1900 characters (2100 at most), v30-31.
DEFAULT_MAX_CHARS = 2369
MAX_PAYLOAD_CHARS = 4296  # the largest QR code (version 40-L) holds this many alphanumeric chars
MAX_DOCUMENT_BYTES = 1_000_000
MAX_PROOF_HASHES = 64
MAX_PORTAL_URL = 200
MAX_IMAGE_BYTES = 25_000_000
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; more is not a QR scan

_PREFIX = re.compile(r"OC([0-9]+)(R?):")
_URL = re.compile(r"https?://[!-~]+")  # printable ASCII, no spaces: nothing to hide in a link
_F_TX_HASH = 0x01
_F_PORTAL_URL = 0x01

# The preset dictionary: words a certificate is likely to repeat, most frequent last (DEFLATE
# codes near matches shorter). Part of the OC2 format; never edit it (a new dictionary is a new
# version).
_FLAG_KEYS = (
    "issued_retroactively", "back_to_back", "third_party_invoicing", "certified_true_copy", "duplicate",
    "exhibition", "de_minimis", "accumulation", "partial_cumulation",
)  # fmt: skip
_WORDS = (
    "ICC_CO|EUR1|EUR_MED|FORM_A|FORM_D|FORM_E|RCEP|FORM_AK|FORM_AJ|FORM_AI|AANZ|FORM_AHK|"
    "ATIGA|ACFTA|AKFTA|AJCEP|AIFTA|AANZFTA|AHKFTA|GSP|PEM|EU-|"
    "WO|PE|CTH|CTSH|CTC|RVC|PSR|CR|KGM|PCE|LTR|MTQ|MTK|MTR|SET|PR|CT|BG|BX|CS|PK|PX|DR|BL|BE|RO|"
    "sea|air|road|rail|multimodal|SAME|UNKNOWN|AVAILABLE_UPON_REQUEST|TO ORDER OF |"
    "Chamber of Commerce and Industry|Ministry of Industry and Trade|Customs|Department of |"
    "Co., Ltd.|Pte. Ltd.|Sdn. Bhd.|Pvt. Ltd.|Company Limited|Limited|GmbH|S.A.|Inc.|Ltd|"
    "Trading|International|Industries|Manufacturing|Export|Import|"
    "Export Manager|Managing Director|Director|Logistics|Industrial|Road|Street|Avenue|Unit |"
    "PT |VIA |V.|TRUCK |TRAIN |N/M|C/NO. 1-|MADE IN |INV-|ORDER NO. PO-|L/C NO. | DATED |"
    "DUPLICATE|CERTIFIED TRUE COPY|ISSUED RETROSPECTIVELY|ORIGINAL PROOF OF ORIGIN NO. |"
    "THIS CERTIFICATE CANCELS AND REPLACES CERTIFICATE | ISSUED ON |"
    "FROZEN |FRESH |OF COTTON|OF RUBBER|OF STEEL|PLASTIC|PARTS |, |"
    "the Free Trade Area|Comprehensive Economic Partnership|Agreement|"
    "The undersigned, exporter of the goods described, declares that the goods meet the conditions "
    "required for the issue of this certificate, and undertakes to submit any supporting evidence "
    "the appropriate authorities may require.|"
    "The undersigned hereby declares that the above details and statements are correct and that "
    "all the goods were produced in |"
    "The undersigned hereby declares that the above details and statements are correct, that all "
    "the goods were produced in , and that they comply with the origin requirements specified for "
    "these goods in the  for the goods exported to |"
)
_ITEM = (
    '{"item_number":1,"hs_code":"","description":"","marks_and_numbers":"","packages":{"count":1,'
    '"kind":"CT"},"quantity":{"value":"","unit":"KGM"},"gross_weight_kg":"","invoice":{"number":"",'
    '"date":"20"},"origin_criterion":{"code":"RVC","percentage":"40"},"fob_value":{"amount":"",'
    '"currency":"USD"},"country_of_origin":""}'
)
_SKELETON = (
    '{"schema":"urn:origincert:schema:certificate:2","number":"","kind":"non_preferential",'
    '"kind":"preferential","form":"FORM_D","agreement":"","issue_date":"20","issue_place":"",'
    '"valid_until":"20","issuing_body":{"name":"","economy":"","ledger_id":1,"accreditation_ref":"WCF-"},'
    '"exporter":{"name":"","address":"","country":""},"producer":"SAME","consignee":{"name":"",'
    '"address":"","country":""},"importing_country":"","transport":{"departure_date":"20",'
    '"mode":"sea","mode":"air","vessel_or_flight":"","port_of_loading":"","port_of_discharge":"",'
    '"route":""},"goods":[' + _ITEM + '],"declaration":{"place":"","date":"20","signatory":"",'
    '"statement":""},"remarks":"","flags":{' + ",".join(f'"{k}":false' for k in _FLAG_KEYS) + "},"
    '"original_proof":{"number":"","issue_date":"","issuing_country":"","country_of_origin":"",'
    '"approved_exporter":""},"third_party_invoicer":{"name":"","country":"","invoice":{"number":"",'
    '"date":""}},"copy_of":{"number":"","issue_date":""},"duplicate_of":{"number":"",'
    '"issue_date":""},"replaces":{"number":"","issue_date":"","reason":""}}'
)
ZDICT = (_WORDS + _SKELETON).encode("utf-8")


@dataclass(frozen=True, slots=True)
class EmbeddedCertificate:
    """A QR code carrying the whole certificate: ``issued`` is a full issued-file dict."""

    issued: dict[str, Any]

    @property
    def number(self) -> str | None:
        value = self.issued["document"].get("number")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class CertificateReference:
    """A QR code naming a certificate: the ledger can vouch for the anchored certificate whose
    target hash the Merkle proof ties to ``root``, not for the paper."""

    number: str
    target_hash: bytes
    root: bytes
    chain_id: int
    registry: str  # EIP-55
    issuer_id: int
    merkle_proof: tuple[bytes, ...]
    leaf_index: int
    batch_size: int
    portal_url: str | None = None


# ---------------------------------------------------------------------------------------------
# Encoding


def encode_payload(
    issued: dict[str, Any] | IssuedFile,
    *,
    portal_url: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """The QR text for an issued file: embedded when a full copy fits in ``max_chars``, else a reference.

    Refuses (DocumentError) a file whose proof does not match its document: a QR code must not
    print what would not verify.

    >>> encode_payload(issued).startswith(("OC2:", "OC2R:"))  # doctest: +SKIP
    True
    """
    if portal_url is not None:
        _check_url(portal_url, "qr_portal_url_invalid")
    if type(max_chars) is not int or max_chars < 1:
        raise DocumentError(
            "max_chars must be a positive whole number", code="qr_max_chars_invalid"
        )
    f = _parsed(issued)
    _check_consistent(f)
    if f.seed is not None:
        text = EMBEDDED_PREFIX + _b45(_embedded_bytes(f))
        if len(text) <= max_chars:
            return text
    return REFERENCE_PREFIX + _b45(_reference_bytes(f, portal_url))


def _parsed(issued: Any) -> IssuedFile:
    if isinstance(issued, IssuedFile):
        return issued
    try:
        return parse_issued(issued)
    except IssuedFileError as exc:
        raise DocumentError(
            f"not a valid issued certificate file ({FORMAT_ID}): {exc.message}",
            code="qr_issued_invalid",
        ) from None


def _check_consistent(f: IssuedFile) -> None:
    """Refuse a file whose fields, target hash or leaf do not match: no QR code for a forgery."""
    try:
        disclosure = disclose(f)
    except DocumentError as exc:
        raise DocumentError(
            f"the proof does not match the document ({exc.message}); no QR code for it",
            code="qr_proof_inconsistent",
        ) from None
    altered = disclosure.altered_fields()
    if altered:
        raise DocumentError(
            f"the document does not match its field hashes ({', '.join(altered[:5])}); no QR code for it",
            code="qr_proof_inconsistent",
        )
    target = disclosure.commitment.target_hash
    if target != f.target_hash or f.leaf != leaf_hash(target):
        raise DocumentError(
            "the proof's target hash or leaf does not match the document",
            code="qr_proof_inconsistent",
        )


def _embedded_bytes(f: IssuedFile) -> bytes:
    assert f.seed is not None
    out = bytearray([_F_TX_HASH if f.tx_hash is not None else 0])
    for n in (f.chain_id, f.batch_size, f.leaf_index, f.issuer_id, f.epoch, f.deadline):
        out += _varint(n)
    out.append(len(f.merkle_proof))
    out += bytes.fromhex(f.registry[2:]) + bytes.fromhex(f.signer[2:]) + f.seed
    out += f.root + f.signature
    if f.tx_hash is not None:
        out += bytes.fromhex(f.tx_hash[2:])
    out += b"".join(f.merkle_proof)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict=ZDICT)
    out += packer.compress(_compact_json(f.document)) + packer.flush()
    return _with_crc(out)


def _reference_bytes(f: IssuedFile, portal_url: str | None) -> bytes:
    number = f.number
    if not number:
        raise DocumentError(
            "the certificate number is missing; a QR code needs it", code="qr_number_missing"
        )
    encoded = number.encode("utf-8")
    if len(encoded) > 255:
        raise DocumentError(
            "the certificate number is too long for a QR reference", code="qr_issued_invalid"
        )
    out = bytearray([_F_PORTAL_URL if portal_url is not None else 0])
    for n in (f.chain_id, f.batch_size, f.leaf_index, f.issuer_id):
        out += _varint(n)
    out.append(len(f.merkle_proof))
    out += bytes.fromhex(f.registry[2:]) + f.target_hash + f.root + b"".join(f.merkle_proof)
    out.append(len(encoded))
    out += encoded
    if portal_url is not None:
        out += portal_url.encode("ascii")
    return _with_crc(out)


def _compact_json(document: dict[str, Any]) -> bytes:
    try:
        return json.dumps(
            document, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise DocumentError(
            f"the document is not plain JSON: {exc}", code="qr_issued_invalid"
        ) from None


def _b45(data: bytes) -> str:
    return base45.b45encode(data).decode("ascii")


def _with_crc(data: bytearray) -> bytes:
    return bytes(data) + zlib.crc32(data).to_bytes(4, "big")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _check_url(url: Any, code: str) -> str:
    if not isinstance(url, str) or len(url) > MAX_PORTAL_URL or _URL.fullmatch(url) is None:
        raise DocumentError(
            f"the portal URL must be an http(s) URL of printable ASCII, at most {MAX_PORTAL_URL} characters",
            code=code,
        )
    return url


# ---------------------------------------------------------------------------------------------
# Decoding


def decode_payload(text: str) -> EmbeddedCertificate | CertificateReference:
    """Parse a QR code's text; DocumentError ``qr_payload_malformed`` / ``qr_version_unsupported``."""
    if not isinstance(text, str):
        raise _malformed("QR text must be a string")
    text = text.strip()
    if len(text) > MAX_PAYLOAD_CHARS + len(REFERENCE_PREFIX):
        raise _malformed(f"the text is longer than any QR code holds ({len(text)} characters)")
    match = _PREFIX.match(text)
    if match is None:
        raise _malformed("this is not an origincert QR code (it should start with OC2: or OC2R:)")
    if match.group(1) != VERSION:
        old = " (version 1 codes are no longer accepted: ask the issuing body for a reprint)"
        raise DocumentError(
            f"this QR code uses origincert payload version {match.group(1)[:6]}; this software "
            f"reads version {VERSION}" + (old if match.group(1) == "1" else ""),
            code="qr_version_unsupported",
        )
    try:
        data = base45.b45decode(text[match.end() :])
    except ValueError:
        raise _malformed("the QR text is not valid Base45") from None
    if len(data) < 5 or zlib.crc32(data[:-4]).to_bytes(4, "big") != data[-4:]:
        raise _malformed("the QR code is damaged or was altered (its checksum does not match)")
    reader = _Reader(data[:-4])
    if match.group(2):
        return _decode_reference(reader)
    return _decode_embedded(reader)


def _decode_embedded(r: _Reader) -> EmbeddedCertificate:
    flags = r.byte()
    if flags & ~_F_TX_HASH:
        raise _malformed("unknown flags in the payload")
    chain_id = r.varint(1, 2**63 - 1, "chain id")
    batch_size = r.varint(1, 2**32 - 1, "batch size")
    leaf_index = r.varint(0, batch_size - 1, "leaf index")
    issuer_id = r.varint(1, 2**64 - 1, "issuer id")
    epoch = r.varint(0, 2**64 - 1, "epoch")
    deadline = r.varint(0, 2**64 - 1, "deadline")
    proof_len = r.byte()
    if proof_len > MAX_PROOF_HASHES:
        raise _malformed("the Merkle proof is too long")
    registry, signer, seed = r.take(20), r.take(20), r.take(32)
    root, signature = r.take(32), r.take(65)
    tx_hash = r.take(32) if flags & _F_TX_HASH else None
    merkle_proof = [r.take(32) for _ in range(proof_len)]
    document = _inflate_document(r.rest())
    try:
        commitment = fields.commit(document, seed)
    except DocumentError as exc:
        raise _malformed(f"the embedded document cannot be hashed: {exc.message}") from None
    target = commitment.target_hash
    issued = IssuedFile(
        document=document,
        seed=seed,
        salts={},
        field_hashes=dict(commitment.field_hashes),
        withheld={},
        shape=dict(commitment.shape),
        target_hash=target,
        leaf=leaf_hash(target),
        merkle_proof=tuple(merkle_proof),
        root=root,
        leaf_index=leaf_index,
        batch_size=batch_size,
        signature=signature,
        signer="0x" + signer.hex(),
        chain_id=chain_id,
        registry="0x" + registry.hex(),
        issuer_id=issuer_id,
        epoch=epoch,
        deadline=deadline,
        tx_hash=None if tx_hash is None else _hx(tx_hash),  # the issuer writes null until known
    )
    return EmbeddedCertificate(issued.to_json())


def _inflate_document(packed: bytes) -> dict[str, Any]:
    unpacker = zlib.decompressobj(-15, zdict=ZDICT)
    try:
        raw = unpacker.decompress(packed, MAX_DOCUMENT_BYTES)
    except zlib.error:
        raise _malformed("the embedded document is not valid compressed data") from None
    if unpacker.unconsumed_tail:
        raise _malformed(f"the embedded document is larger than {MAX_DOCUMENT_BYTES} bytes")
    if not unpacker.eof or unpacker.unused_data:
        raise _malformed("the embedded document is truncated or followed by stray bytes")
    try:
        return load_json(raw, max_bytes=MAX_DOCUMENT_BYTES)
    except DocumentError as exc:
        raise _malformed(f"the embedded document is not valid JSON: {exc.message}") from None


def _decode_reference(r: _Reader) -> CertificateReference:
    flags = r.byte()
    if flags & ~_F_PORTAL_URL:
        raise _malformed("unknown flags in the payload")
    chain_id = r.varint(1, 2**63 - 1, "chain id")
    batch_size = r.varint(1, 2**32 - 1, "batch size")
    leaf_index = r.varint(0, batch_size - 1, "leaf index")
    issuer_id = r.varint(1, 2**64 - 1, "issuer id")
    proof_len = r.byte()
    if proof_len > MAX_PROOF_HASHES:
        raise _malformed("the Merkle proof is too long")
    registry, target, root = r.take(20), r.take(32), r.take(32)
    merkle_proof = tuple(r.take(32) for _ in range(proof_len))
    try:
        number = r.take(r.byte()).decode("utf-8")
        url = r.rest().decode("ascii") if flags & _F_PORTAL_URL else None
    except UnicodeDecodeError:
        raise _malformed("the certificate number or portal URL is not valid text") from None
    if not number:
        raise _malformed("the certificate number is empty")
    if url is None and r.rest():
        raise _malformed("stray bytes after the certificate number")
    if url is not None:
        _check_url(url, "qr_payload_malformed")
    return CertificateReference(
        number, target, root, chain_id, to_checksum_address(registry), issuer_id, merkle_proof,
        leaf_index, batch_size, url,
    )  # fmt: skip


class _Reader:
    """Bytes consumed front to back; running short is a malformed payload, never an IndexError."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def take(self, n: int) -> bytes:
        if self._pos + n > len(self._data):
            raise _malformed("the payload is truncated")
        out = self._data[self._pos : self._pos + n]
        self._pos += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def rest(self) -> bytes:
        out = self._data[self._pos :]
        self._pos = len(self._data)
        return out

    def varint(self, low: int, high: int, what: str) -> int:
        value, shift = 0, 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
            if shift > 63:
                raise _malformed(f"the {what} is too large")
        if (b == 0 and shift > 7) or not low <= value <= high:
            raise _malformed(f"the {what} is out of range or not minimally encoded")
        return value


def _hx(data: bytes) -> str:
    return "0x" + data.hex()


def _malformed(message: str) -> DocumentError:
    return DocumentError(message, code="qr_payload_malformed")


# ---------------------------------------------------------------------------------------------
# Images


def _symbol(text: str) -> segno.QRCode:
    if not isinstance(text, str) or not text:
        raise DocumentError("QR text must be a non-empty string", code="qr_payload_malformed")
    from origincert.qrlink import segments

    try:  # a link to the portal: its parts in the QR modes that keep it small
        content = segments(text) or text
        # segno's stub says int | str | bytes; make_qr also takes (text, mode) segments
        return segno.make_qr(content, error=ERROR_LEVEL, boost_error=True)  # type: ignore[arg-type]
    except segno.DataOverflowError:
        raise DocumentError(
            f"{len(text)} characters do not fit in a QR code", code="qr_payload_too_large"
        ) from None


def qr_version(text: str) -> int:
    """The QR version (1 to 40) ``text`` needs at level M: the side is ``17 + 4 * version`` modules."""
    return int(_symbol(text).version)


def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The symbol's dark modules row by row, without the quiet zone (for vector drawing)."""
    return tuple(tuple(bool(m) for m in row) for row in _symbol(text).matrix)


def qr_svg(text: str, *, border: int = 4) -> bytes:
    """An SVG of the QR code (one path, 1 unit per module), for web pages and vector print."""
    out = io.BytesIO()
    _symbol(text).save(out, kind="svg", border=border, xmldecl=False, svgclass=None, lineclass=None)
    return out.getvalue()


def qr_png(text: str, *, scale: int = 4, border: int = 4) -> bytes:
    """A 1-bit PNG of the QR code, ``scale`` pixels per module."""
    if type(scale) is not int or not 1 <= scale <= 50:
        raise DocumentError("scale must be 1 to 50 pixels per module", code="qr_scale_invalid")
    out = io.BytesIO()
    _symbol(text).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def read_qr_image(data: bytes) -> str:
    """The text of the QR code in a picture (a scan or a phone photo).

    Errors: ``qr_image_too_large``, ``qr_image_unreadable`` (not an image we can decode),
    ``qr_not_found``, ``qr_ambiguous`` (two different origincert codes in one picture).
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DocumentError("expected the bytes of an image file", code="qr_image_unreadable")
    if len(data) > MAX_IMAGE_BYTES:
        raise DocumentError(
            f"the image is too large ({len(data)} bytes; the limit is {MAX_IMAGE_BYTES})",
            code="qr_image_too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(bytes(data)))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DocumentError(
                    f"the image is too large ({width} x {height} pixels; the limit is {MAX_IMAGE_PIXELS} pixels)",
                    code="qr_image_too_large",
                )
            image = image.convert("L")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DocumentError("the image has too many pixels", code="qr_image_too_large") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise DocumentError(
            f"the file is not a readable image ({type(exc).__name__})", code="qr_image_unreadable"
        ) from None
    found = [
        b.text
        for b in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
    ]
    if not found:
        raise DocumentError("no QR code was found in the image", code="qr_not_found")
    ours = list(dict.fromkeys(t for t in found if _PREFIX.match(t)))
    if len(ours) > 1:
        raise DocumentError(
            "the image shows more than one certificate QR code; photograph one", code="qr_ambiguous"
        )
    return ours[0] if ours else found[0]
