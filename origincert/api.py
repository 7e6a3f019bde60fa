"""The small API for applications that embed origincert (a customs single window, a chamber's
e-CO system): connect, issue a batch, read an issued file, redact it, verify a file, bytes or the
text of a QR code. Everything here is re-exported by ``import origincert``, lazily, so importing
the package costs nothing until one of these is used.

Each function is a thin, typed layer over the subpackages (``origincert.issuer``,
``origincert.verifier``, ``origincert.redact``); use those for the rest (resume, revoke, replace,
batch verification with one long-lived :class:`~origincert.verifier.Verifier`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from origincert.errors import DocumentError

if TYPE_CHECKING:
    from origincert.chain import ChainClient, Manifest
    from origincert.signers import Signer
    from origincert.verdict import VerificationResult
    from origincert.verifier import Verifier

__all__ = [
    "MAX_ISSUED_BYTES",
    "connect",
    "issue",
    "make_verifier",
    "read_issued",
    "redacted_copy",
    "verify_bytes",
    "verify_file",
    "verify_qr",
]

StrPath = str | os.PathLike[str]

MAX_ISSUED_BYTES = 4_000_000  # a 50-item certificate with its proof is well under 200 kB


def connect(rpc_url: str, manifest: StrPath | Manifest, *, timeout: float = 10.0) -> ChainClient:
    """A client for the node at ``rpc_url`` and the deployment a manifest file names.

    Checks that the node answers and is the manifest's network; raises ``ChainUnavailable`` if
    not, ``ChainError`` (``manifest_missing``, ``manifest_malformed``) for a bad manifest.
    """
    from origincert.chain import ChainClient, Manifest

    loaded = manifest if isinstance(manifest, Manifest) else Manifest.load(manifest)
    return ChainClient.connect(rpc_url, loaded, timeout=timeout)


def issue(
    client: ChainClient,
    signer: Signer,
    documents: Sequence[Mapping[str, Any]],
    *,
    journal: StrPath,
    out_dir: StrPath | None = None,
) -> list[dict[str, Any]]:
    """Issue certificate documents as one batch, anchored in one transaction; return the issued
    files (dicts, in order), also written to ``out_dir`` as ``<number>.coo.json`` when given.

    ``journal`` is the issuing body's journal (a SQLite path or an SQLAlchemy URL): every
    certificate is recorded there before it is signed, so a crash loses nothing
    (``origincert issue --resume``). Raises, before anything is sent: ``DocumentError`` naming
    every problem, ``NotAccredited``, ``JournalError`` (``duplicate_number``), ``ChainUnavailable``.
    """
    from origincert.issuer import Journal, issue_documents

    with Journal.open(journal) as opened:
        return issue_documents(client, signer, list(documents), journal=opened, out_dir=out_dir)


def read_issued(source: StrPath | bytes) -> dict[str, Any]:
    """An issued certificate file (``<number>.coo.json``, full or redacted) read safely from a
    path or bytes: bounded size, strict JSON (no duplicate keys, no NaN), an object with a
    ``document`` and a ``proof``. Raises ``DocumentError`` (``file_unreadable``, ``json_*``,
    ``issued_malformed``). The proof is checked by :func:`verify_bytes`, not here."""
    from origincert.safejson import load_json

    if isinstance(source, bytes):
        raw = source
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise DocumentError(
                f"cannot read {source}: {exc.strerror or exc}", code="file_unreadable"
            ) from exc
    data = load_json(raw, max_bytes=MAX_ISSUED_BYTES)
    if not isinstance(data.get("document"), dict) or not isinstance(data.get("proof"), dict):
        raise DocumentError(
            "not an issued certificate file: it needs a `document` and a `proof` object",
            code="issued_malformed",
        )
    return data


def redacted_copy(issued: Mapping[str, Any], hide: Sequence[str]) -> dict[str, Any]:
    """A copy of an issued file with the fields named by ``hide`` withheld (``exporter.address``,
    a whole object ``exporter``, or an item ``goods[1]``); the anchored proof still verifies.
    Raises ``DocumentError`` (``redact_unknown_path``, ``redact_forbidden``, ``redact_integrity``)."""
    from origincert.redact import redact as _redact

    return _redact(issued, list(hide))


def make_verifier(client: ChainClient | None, *, manifest: Manifest | None = None) -> Verifier:
    """A verifier against the ledger, or with ``client=None`` an offline one whose best verdict
    is UNCONFIRMED (it checks everything but the ledger; with a ``manifest`` also the network).
    Reuse it for many certificates: it caches what it learns of issuing bodies."""
    from origincert.verifier import Verifier

    return Verifier(client) if client is not None else Verifier.offline(manifest)


def verify_bytes(
    raw: bytes, *, client: ChainClient | None, on: date | None = None
) -> VerificationResult:
    """Verify an issued file given as bytes. ``client=None`` verifies offline (at best
    UNCONFIRMED, never VALID). ``on`` judges validity for that day (default: today, UTC).

    The result has no truth value: test ``result.verdict is Verdict.VALID``. A node that is down
    raises ``ChainUnavailable``; it is never a verdict."""
    return make_verifier(client).verify_bytes(raw, on=on)


def verify_file(
    path: StrPath, *, client: ChainClient | None, on: date | None = None
) -> VerificationResult:
    """Verify an issued file on disk; see :func:`verify_bytes`."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read {path}: {exc.strerror or exc}", code="file_unreadable"
        ) from exc
    return verify_bytes(raw, client=client, on=on)


def verify_qr(
    text: str, *, client: ChainClient | None, on: date | None = None
) -> VerificationResult:
    """Verify the text of a scanned QR code (a printed certificate's ``OC1:…`` payload)."""
    return make_verifier(client).verify_qr(text, on=on)
