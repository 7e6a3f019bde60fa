"""Writing issued certificate files: each one whole or not at all, never over someone else's.

Each file is written to a temporary name in the output folder and renamed into place, so a
reader (or a crash) never sees half a file. The journal can always write them again (their
content is a pure function of what it holds), so they are not fsynced one by one: ``resume``
rewrites the files of any batch whose files were not all recorded as written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from origincert.issuer.errors import IssuingError

__all__ = ["check_free", "write_atomically"]


def check_free(out_dir: Path, names: Iterable[str]) -> None:
    """Refuse before issuing when a file of that name already exists in ``out_dir``.

    Raises IssuingError ``output_exists``: a certificate of another journal (or another
    issuing body) would be overwritten.
    """
    folder = os.fspath(out_dir)
    taken = [n for n in names if os.path.exists(os.path.join(folder, n))]
    if taken:
        more = f" and {len(taken) - 3} more" if len(taken) > 3 else ""
        raise IssuingError(
            f"{out_dir} already holds {', '.join(taken[:3])}{more}; choose another --out folder",
            code="output_exists",
        )


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename.

    An existing file with the same content is left alone (a resumed batch); one with other
    content is refused with IssuingError ``output_exists``. (Plain ``os`` calls: this runs once
    per certificate of a 10,000-certificate batch.)
    """
    data = text.encode("utf-8")
    target = os.fspath(path)
    try:
        if os.path.exists(target):
            with open(target, "rb") as f:
                if f.read() == data:
                    return
            raise IssuingError(
                f"{target} already exists with other content; not overwriting it",
                code="output_exists",
            )
        head, name = os.path.split(target)
        tmp = os.path.join(head, f".{name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        raise IssuingError(
            f"cannot write {target}: {exc.strerror or exc}", code="output_unwritable"
        ) from exc
