"""Helpers for the Chromium tests: the portal on a real server thread, a headless browser with a
fresh profile, full-page screenshots into test-artifacts/portal/, and a fake camera video."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "portal"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# How often a wait asks the page again. Selenium's default, every 0.5 s, made a wait that could
# end at once last 0.25 s more on average; a question costs the browser a few milliseconds.
POLL_SECONDS = 0.05

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian chromium and chromium-driver are not installed",
)


@dataclass
class LiveServer:
    url: str
    _server: object
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()  # type: ignore[attr-defined]
        self._server.server_close()  # type: ignore[attr-defined]
        self._thread.join(timeout=10)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


def serve(app: Flask) -> LiveServer:
    """The app on 127.0.0.1 (a free port), a thread per request, until ``stop``."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="portal-live-server", daemon=True)
    thread.start()
    return LiveServer(f"http://127.0.0.1:{server.server_port}", server, thread)


def chrome(
    profile: Path,
    *,
    width: int = 1366,
    height: int = 900,
    extra_args: tuple[str, ...] = (),
    mobile: bool = False,
):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        *extra_args,
    ):
        options.add_argument(arg)
    if mobile:
        options.add_experimental_option(
            "mobileEmulation",
            {
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True},
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile",
            },
        )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    return driver


def screenshot(driver, name: str) -> Path:  # type: ignore[no-untyped-def]
    """The whole page, not only the viewport (the page is measured, then captured at that height)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            # the same pixels in a larger file (a faster PNG encoding): a 390 px page 7,600 px tall
            # took 0.77 s instead of 1.21 s at load 3, and a run takes about 60 screenshots
            "optimizeForSpeed": True,
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    import base64

    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def y4m_video(
    image: Image.Image, path: Path, *, width: int = 640, height: int = 480, frames: int = 10
) -> Path:
    """A still picture as a YUV4MPEG2 video, for Chromium's fake camera (--use-file-for-fake-video-capture)."""
    canvas = Image.new("RGB", (width, height), "white")
    picture = image.convert("RGB")
    side = int(min(width, height) * 0.8)  # a code held up close to the camera, filling the frame
    picture = picture.resize(
        (side, side * picture.height // picture.width), Image.Resampling.NEAREST
    )
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
        + cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    )
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        f.writelines(b"FRAME\n" + frame for _ in range(frames))
    return path


def iter_console_errors(driver) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Console errors, CSP violations included (Chromium reports them there)."""
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            yield str(entry.get("message"))
