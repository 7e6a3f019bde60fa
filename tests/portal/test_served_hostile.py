"""One hostile corpus through every entry point of the served portal (gunicorn, two workers).

Deep nesting, lone surrogates (escaped and raw), huge numbers, NULs, BOMs, invalid UTF-8,
decompression bombs and tiled QR images go to the sign-in form, the officer's forms, the file
upload, the log search and CSV export, and the API, as fields and as raw bodies. Every answer
must be a clear refusal with a reason code (or a verdict with its checks), never a 5xx; no worker
may die; the recursion limit stays put.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image

from origincert._recursion import SAFE_RECURSION_LIMIT

from .served import Served, redis_server, serve_portal, tiled_qr_png
from .support import Scene

pytestmark = pytest.mark.slow

_CODE = re.compile(r"<code>([a-z_]+)</code>")
_ALERT = re.compile(r'role="alert"')


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG header that declares a huge canvas, with one tiny IDAT: decompression-bomb shaped."""
    small = io.BytesIO()
    Image.new("1", (8, 8)).save(small, "PNG")
    data = bytearray(small.getvalue())
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")  # IHDR (CRC now wrong)
    return bytes(data)


def _webp(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), "white").save(out, "WEBP", lossless=True)
    return out.getvalue()


def corpus() -> dict[str, bytes]:
    """Built when the test runs, not at import: the images cost 1.5 s of CPU, and every xdist
    worker imports this module to collect it."""
    return {
        "deep array": b"[" * 100_000 + b"]" * 100_000,
        "deep object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "lone surrogate escaped": b'{"document": {"number": "DE\\ud800X"}, "proof": {}}',
        "lone surrogate raw": b'{"number": "DE\xed\xa0\x80X"}',
        "huge integer": b'{"n": 1' + b"0" * 5000 + b"}",
        "huge exponent": b'{"n": 1e999999}',
        "NaN": b'{"n": NaN}',
        "NUL escaped": b'{"number": "DE\\u0000X"}',
        "NUL raw": b"\x00" * 64,
        "BOM": b'\xef\xbb\xbf{"a": 1}',
        "invalid UTF-8": b"\xff\xfe\xfd{",
        "duplicate keys": b'{"a": 1, "a": 2}',
        "long text": b"A" * 200_000,
        "PDF": b"%PDF-1.7\n" + b"0" * 1000,
        "PNG declaring 30000x30000": _png_declaring(30_000, 30_000),
        "WebP declaring 49 MP": _webp(7000),
        "7000x7000 PNG tiled with QR codes": tiled_qr_png(7000),
    }


def textual(corpus: dict[str, bytes]) -> dict[str, bytes]:
    return {
        k: v
        for k, v in corpus.items()
        if len(v) <= 200_000 and not k.startswith(("PNG", "WebP", "7000"))
    }


@pytest.fixture(scope="module")
def served(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served-hostile")
    with (
        redis_server(folder) as redis_url,
        serve_portal(
            folder,
            scene,
            redis_url,
            archived=("valid",),
            RATELIMIT_LOGIN="100000 per minute",
            RATELIMIT_VERIFY="100000 per minute",
            RATELIMIT_IMAGE="100000 per minute",
            LOGIN_SOURCE_MAX_FAILURES=100000,
        ) as portal,
    ):
        yield portal


def _clear_html(response: requests.Response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code)
    if 400 <= response.status_code < 500:
        assert _CODE.search(response.text) or _ALERT.search(response.text), (
            where,
            response.text[:300],
        )


def _clear_json(response: requests.Response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.text[:300])
    body = response.json()
    if response.status_code >= 400:
        assert re.fullmatch(r"[a-z_]+", body["error"]["code"]), where
    else:
        assert body["verdict"] in ("MALFORMED", "INVALID", "UNCONFIRMED"), where
        assert any(c["status"] != "ok" for c in body["checks"]), where


def test_the_corpus_through_every_entry_point(served: Served) -> None:
    before = served.workers()
    officer = served.signed_in("anna", "192.0.2.40")
    token = served.csrf(officer, "/")
    hostile = corpus()
    for label, data in hostile.items():
        where = f"{label}: upload"
        _clear_html(served.upload(officer, data, "x.bin", "application/octet-stream"), where)
        for path in ("/login", "/verify/qr", "/verify/number", "/account"):
            raw = officer.post(
                served.url + path, data=data, allow_redirects=False, timeout=120,
                headers={"Content-Type": "application/json", "X-CSRFToken": token},
            )  # fmt: skip
            _clear_html(raw, f"{label}: raw JSON body to {path}")
        _clear_json(served.api("/verify/file", raw=data), f"{label}: API file")
        _clear_json(served.api("/verify/qr", raw=data), f"{label}: API QR raw body")
    for label, data in textual(hostile).items():
        fields = {
            "/login": {"username": data, "password": data},
            "/verify/qr": {"payload": data},
            "/verify/number": {"number": data, "target_hash": data},
        }
        for path, values in fields.items():
            client = officer if path != "/login" else served.client("192.0.2.41")
            form = {"csrf_token": served.csrf(client, "/" if path != "/login" else "/login")}
            response = client.post(
                served.url + path, data={**form, **values}, allow_redirects=False, timeout=120
            )
            _clear_html(response, f"{label}: field of {path}")
        text = data.decode("utf-8", "surrogateescape")
        for path, key in (("/verify/qr", "payload"), ("/verify/number", "number")):
            body = f'{{"{key}": "'.encode() + data.replace(b'"', b"'").replace(b"\\", b"/") + b'"}'
            _clear_json(served.api(path, raw=body), f"{label}: API {path} field")
        for path in ("/log", "/log.csv"):
            response = officer.get(
                served.url + path, params={"number": text[:2000].encode("utf-8", "surrogateescape")},
                timeout=60,
            )  # fmt: skip
            assert response.status_code < 500, (label, path)
    assert served.workers() == before, "a worker died"
    assert {limit for _, limit, _, _ in served.probes()} == {SAFE_RECURSION_LIMIT}
    assert "Traceback" not in Path(served.output).read_text()
