"""Camera-like pictures for the upload tests: multi-MB JPEGs as a phone takes them."""

from __future__ import annotations

import io

import segno
from PIL import Image, ImageFilter

__all__ = ["blurred", "phone_photo"]


def phone_photo(payload: str, width: int, height: int, seed: int) -> bytes:
    """A camera-like JPEG of a QR code: a lit sheet with sensor noise all over, so it does not
    compress small (a 12 MP photo is several MB, as a phone's is)."""
    code = segno.make(payload, error="m")
    side = int(min(width, height) * 0.45)
    scale = max(2, side // (code.symbol_size(scale=1, border=4)[0]))
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    symbol = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    sheet = Image.new("L", (width, height), 200)
    sheet.paste(symbol, ((width - symbol.width) // 2, (height - symbol.height) // 2))
    noise = [Image.effect_noise((width, height), 50 + 10 * i) for i in range(3)]
    channels = [Image.blend(sheet, n, 0.3) for n in noise]
    photo = Image.merge("RGB", channels)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=93)
    return out.getvalue()


def blurred(photo: bytes, radius: float = 12.0) -> bytes:
    """The same photo shaken: a Gaussian blur no QR reader sees through, kept at phone size (the
    sensor noise is added again after the blur, so the JPEG stays several MB)."""
    image = Image.open(io.BytesIO(photo)).convert("L").filter(ImageFilter.GaussianBlur(radius))
    noise = Image.effect_noise(image.size, 60)
    channels = [Image.blend(image, noise, 0.25 + 0.05 * i) for i in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=93)
    return out.getvalue()
