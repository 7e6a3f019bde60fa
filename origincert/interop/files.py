"""Reading credentials and trust lists from disk, writing outputs without overwriting anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from origincert.errors import DocumentError
from origincert.interop.did import TrustList
from origincert.safejson import load_json

__all__ = ["MAX_VC_BYTES", "read_json_file", "read_trust_list", "write_new"]

MAX_VC_BYTES = 2_000_000  # a 50-item credential with its salts is well under 500 kB
MAX_TRUST_FILES = 1_000


def read_json_file(path: Path, *, max_bytes: int = MAX_VC_BYTES) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read {path}: {exc.strerror or exc}", code="file_unreadable"
        ) from exc
    return load_json(raw, max_bytes=max_bytes)


def read_trust_list(directory: Path) -> TrustList:
    """Every ``*.json`` DID document in ``directory``, by its ``id``."""
    if not directory.is_dir():
        raise DocumentError(
            f"the trust list {directory} is not a directory", code="trust_list_unreadable"
        )
    docs: dict[str, Any] = {}
    for i, path in enumerate(sorted(directory.glob("*.json"))):
        if i >= MAX_TRUST_FILES:
            raise DocumentError("the trust list has too many files", code="trust_list_too_large")
        doc = read_json_file(path, max_bytes=100_000)
        did = doc.get("id")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise DocumentError(f"{path} is not a DID document", code="trust_list_invalid")
        if did in docs:
            raise DocumentError(f"{did} appears twice in the trust list", code="trust_list_invalid")
        docs[did] = doc
    return TrustList(docs)


def write_new(target: Path, data: bytes) -> None:
    """Create ``target`` with ``data``; an existing file is never replaced."""
    try:
        with target.open("xb") as fh:
            fh.write(data)
    except FileExistsError:
        raise DocumentError(
            f"{target} already exists; not overwriting it", code="output_exists"
        ) from None
    except OSError as exc:
        raise DocumentError(
            f"cannot write {target}: {exc.strerror or exc}", code="file_unwritable"
        ) from exc
