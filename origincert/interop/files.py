"""Reading credentials and trust lists from disk, writing outputs without overwriting anything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from origincert.errors import DocumentError
from origincert.interop.did import TrustList
from origincert.interop.statuscheck import DEFAULT_MAX_AGE, StatusLists
from origincert.safejson import load_json

__all__ = ["MAX_VC_BYTES", "read_json_file", "read_status_lists", "read_trust_list", "write_new"]

MAX_VC_BYTES = 2_000_000  # a 50-item credential with its salts is well under 500 kB
MAX_TRUST_FILES = 1_000
MAX_STATUS_LIST_BYTES = (
    4_000_000  # a 131,072-entry list is about 200 bytes compressed; room to spare
)


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


def read_status_lists(path: Path, *, max_age: timedelta = DEFAULT_MAX_AGE) -> StatusLists:
    """The published status lists in ``path`` (one file, or every ``*.json`` of a folder), by
    their ``id``. A file that cannot be read or parsed is remembered as broken, not skipped:
    a credential whose list may be that file gets an infrastructure error, never a silent pass.
    """
    if not path.exists():
        raise DocumentError(f"the status lists {path} do not exist", code="status_lists_missing")
    files = sorted(path.glob("*.json"))[:MAX_TRUST_FILES] if path.is_dir() else [path]
    found: dict[str, list[tuple[str, Any]]] = {}
    broken: list[str] = []
    for file in files:
        try:
            data = read_json_file(file, max_bytes=MAX_STATUS_LIST_BYTES)
        except DocumentError:
            broken.append(file.name)
            continue
        ident = data.get("id") if isinstance(data, dict) else None
        if not isinstance(ident, str):
            broken.append(file.name)
            continue
        found.setdefault(ident, []).append((file.name, data))
    lists = {}
    for ident, copies in found.items():
        if len(copies) == 1:
            lists[ident] = copies[0][1]
        else:  # two files claim one URL: neither can be relied on
            broken += [name for name, _ in copies]
    return StatusLists(lists, tuple(sorted(broken)), max_age)


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
