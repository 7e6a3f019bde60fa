"""Reading the QR code in an uploaded photo, bounded in pixels, CPU time and memory.

Decoding runs in a child process (``_decode_child.py``) with ``RLIMIT_CPU`` and ``RLIMIT_AS``
set before it reads the picture: a JPEG is scaled down while it is decoded, other formats are
refused above 16 megapixels, and the QR reader sees at most 2000 pixels a side. A picture built
to cost seconds of CPU or gigabytes of memory kills only its own child; the worker answers 422.
At most ``SLOTS`` children run at once per worker process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from origincert.errors import DocumentError
from origincert.safejson import load_json

__all__ = ["CPU_SECONDS", "MEMORY_BYTES", "Decoded", "decode", "read_qr_photo"]

CHILD = Path(__file__).with_name("_decode_child.py")
CPU_SECONDS = 1  # SIGXCPU at 1 CPU-second, SIGKILL at 2: a photo takes a few tenths
MEMORY_BYTES = 768 * 1024 * 1024  # address space (Python, Pillow and zxing map ~300 MB of it)
WALL_SECONDS = 20.0  # a child that waits (the machine is busy) is given up after this
SLOTS = 2

_slots = threading.BoundedSemaphore(SLOTS)
_MESSAGES = {
    "qr_image_too_large": "the picture has too many pixels for a QR photo",
    "qr_image_unreadable": "the file is not a picture the portal can read",
    "qr_decode_too_costly": "reading this picture took more time or memory than a QR photo may",
    "qr_not_found": "no QR code was found in the picture",
    "qr_ambiguous": "the picture shows more than one certificate QR code; photograph one",
}


@dataclass(frozen=True, slots=True)
class Decoded:
    """What the child found, and what it cost (for the measurements in the tests)."""

    texts: tuple[str, ...]
    error: str | None
    cpu_seconds: float
    max_rss_bytes: int  # the child's own peak (the address-space limit when it was killed)


def decode(data: bytes) -> Decoded:
    """Run the child on ``data``; never raises for a bad picture (``error`` says what failed)."""
    with _slots:
        child = subprocess.Popen(
            [sys.executable, "-I", str(CHILD), str(CPU_SECONDS), str(MEMORY_BYTES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        timer = threading.Timer(WALL_SECONDS, _kill, (child,))
        timer.start()
        try:
            assert child.stdin is not None and child.stdout is not None
            try:
                child.stdin.write(data)
                child.stdin.close()
            except BrokenPipeError:
                pass  # the child was killed before it read everything
            out = child.stdout.read(1_000_000)
            child.stdout.close()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        finally:
            timer.cancel()
    cpu = usage.ru_utime + usage.ru_stime
    try:
        answer = load_json(out) if child.returncode == 0 else None
    except DocumentError:
        answer = None
    if not isinstance(answer, dict):  # killed by a limit, or crashed: never the worker
        return Decoded((), "qr_decode_too_costly", cpu, MEMORY_BYTES)
    rss = answer.get("peak_rss")
    rss = rss if isinstance(rss, int) else MEMORY_BYTES
    texts = answer.get("texts")
    if isinstance(texts, list) and all(isinstance(t, str) for t in texts):
        return Decoded(tuple(texts), None, cpu, rss)
    error = answer.get("error")
    return Decoded((), error if error in _MESSAGES else "qr_image_unreadable", cpu, rss)


def _kill(child: subprocess.Popen[bytes]) -> None:
    try:
        child.kill()
    except OSError:
        pass


def read_qr_photo(data: bytes) -> str:
    """The text of the certificate QR code in a photo; DocumentError with a stable code if none."""
    from origincert.qr import EMBEDDED_PREFIX, REFERENCE_PREFIX

    result = decode(data)
    if result.error is not None:
        raise DocumentError(_MESSAGES[result.error], code=result.error)
    if not result.texts:
        raise DocumentError(_MESSAGES["qr_not_found"], code="qr_not_found")
    ours = list(
        dict.fromkeys(t for t in result.texts if t.startswith((EMBEDDED_PREFIX, REFERENCE_PREFIX)))
    )
    if len(ours) > 1:
        raise DocumentError(_MESSAGES["qr_ambiguous"], code="qr_ambiguous")
    return ours[0] if ours else result.texts[0]
