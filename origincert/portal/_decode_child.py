"""Child process that reads QR codes from one picture, under CPU and memory limits.

Run by :mod:`origincert.portal.imagedecode` as ``python -I _decode_child.py CPU_S MEM_BYTES``
with the picture on standard input; answers one JSON object on standard output. The limits are
set before a byte of input is read, so hostile input is only ever decoded under them. Only
Pillow and zxing-cpp are imported: nothing of the portal runs here.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import warnings

MAX_INPUT_BYTES = 25_000_000
MAX_DECLARED_PIXELS = 64_000_000  # a JPEG is scaled down while it is decoded (draft mode)
MAX_DECODED_PIXELS = 16_000_000  # other formats decode in full: at most this many pixels
MAX_WEBP_PIXELS = 8_000_000  # libwebp needs ~16 bytes a pixel while decoding
TARGET_SIDE = 2000  # what the QR reader sees: a QR photo needs a few megapixels, not 50
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")


def _peak_rss() -> int:
    """This process's own peak resident memory in bytes (VmHWM: the exec'd image only, unlike
    ru_maxrss, which keeps the forking parent's figure)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _answer(**fields: object) -> None:
    fields["peak_rss"] = _peak_rss()
    sys.stdout.write(json.dumps(fields))
    sys.stdout.flush()


def _decode(data: bytes) -> dict[str, object]:
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_DECLARED_PIXELS  # checked again below, once draft mode applied
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_DECLARED_PIXELS:
                return {"error": "qr_image_too_large", "detail": f"{width} x {height} pixels"}
            if image.format == "JPEG":
                image.draft("L", (TARGET_SIDE, TARGET_SIDE))  # DCT scaling: 1/2, 1/4 or 1/8
            width, height = image.size
            limit = MAX_WEBP_PIXELS if image.format == "WEBP" else MAX_DECODED_PIXELS
            if width * height > limit:
                return {"error": "qr_image_too_large", "detail": f"{width} x {height} pixels"}
            image = image.convert("L")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return {"error": "qr_image_too_large", "detail": "too many pixels"}
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        return {"error": "qr_image_unreadable", "detail": type(exc).__name__}
    if max(image.size) > TARGET_SIDE:
        image.thumbnail((TARGET_SIDE, TARGET_SIDE), Image.Resampling.BOX)
    import zxingcpp

    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return {"texts": [b.text for b in found], "size": list(image.size)}


def main() -> int:
    cpu_seconds, memory_bytes = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        _answer(error="qr_image_too_large", detail=f"more than {MAX_INPUT_BYTES} bytes")
        return 0
    try:
        _answer(**_decode(data))
    except MemoryError:
        _answer(error="qr_decode_too_costly", detail="memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
