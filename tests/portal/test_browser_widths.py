"""Every officer page at a phone's width (390 px) and a desktop's (1366 px) in headless Chromium:
nothing runs off the screen (the page never scrolls sideways, the verdict banner is whole, the
goods card's labels and the admin table do not break mid-word). Screenshots of each page go to
test-artifacts/portal/ as ``w390-…`` and ``w1366-…``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from origincert import pdf

from .browser import (
    POLL_SECONDS,
    LiveServer,
    chrome,
    iter_console_errors,
    needs_chromium,
    screenshot,
    serve,
)
from .officer_scene import NEW_NUMBER, Replacement, replacement_fixture  # noqa: F401
from .support import PASSWORD, TWIN_NUMBER, Scene

pytestmark = needs_chromium

WIDTHS = {390: 844, 1366: 900}


@pytest.fixture
def live(app: Flask) -> Iterator[LiveServer]:
    server = serve(app)
    yield server
    server.stop()


def wait_for(driver: Any, condition: Any, timeout: float = 45) -> Any:
    """Until ``condition`` holds; an element of the page being left (stale) is asked again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver,
        timeout,
        poll_frequency=POLL_SECONDS,
        ignored_exceptions=(StaleElementReferenceException,),
    ).until(condition)


def fits(driver: Any, name: str, width: int) -> None:
    """The page does not scroll sideways and the verdict banner lies wholly on screen; then a
    screenshot."""
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    scroll, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner == width
    assert scroll <= inner, f"{name}: the page is {scroll} px wide in a {inner} px window"
    outside = driver.execute_script(
        """
        const out = [];
        document.querySelectorAll('.verdict *, .successor *, .alert, h1').forEach(e => {
          const r = e.getBoundingClientRect();
          if (r.width && (r.left < -0.5 || r.right > window.innerWidth + 0.5)) {
            out.push(e.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
          }
        });
        return out;
        """
    )
    assert outside == [], f"{name}: cut off at the edges: {outside}"
    screenshot(driver, f"w{width}-{name}")


def sign_in(driver: Any, live: LiveServer, username: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{live.url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url == f"{live.url}/")


def upload(driver: Any, live: LiveServer, *paths: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{live.url}/")
    driver.find_element(By.ID, "file").send_keys("\n".join(str(p) for p in paths))
    wait_for(
        driver,
        lambda d: (
            d.find_elements(By.ID, "verdict-word")
            or d.find_elements(By.ID, "verify-error")
            or d.find_elements(By.ID, "bulk-table")
        ),
    )


def write(folder: Path, name: str, data: bytes | dict[str, Any]) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data, indent=2).encode())
    return path


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_fits_the_screen(
    width: int, live: LiveServer, scene: Scene, replacement: Replacement, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    files = tmp_path / "files"
    files.mkdir()
    tampered = scene.issued("valid")
    tampered["document"]["goods"][0]["gross_weight_kg"] = "1.00"
    blank = io.BytesIO()
    Image.new("RGB", (320, 240), "white").save(blank, format="JPEG")
    d = chrome(tmp_path / "profile", width=width, height=WIDTHS[width], mobile=width < 600)
    try:
        d.get(f"{live.url}/login")
        fits(d, "login", width)
        sign_in(d, live, "boss")
        fits(d, "verify", width)

        upload(d, live, write(files, "valid.coo.json", scene.issued("valid")))
        fits(d, "verdict-valid", width)
        if width < 600:  # the goods table is a stack of cards: its labels have the full width
            item = d.execute_script(
                "return document.querySelector('#goods td:first-child').getBoundingClientRect().width"
            )
            assert item > width / 2, "the goods card's ITEM label breaks"
        upload(d, live, write(files, "tampered.coo.json", tampered))
        fits(d, "verdict-invalid", width)
        assert "Item 1, gross weight (kg)" in d.find_element(By.ID, "checks").text
        upload(d, live, write(files, "revoked.coo.json", scene.issued("revoked")))
        fits(d, "verdict-revoked", width)
        upload(d, live, write(files, "old.coo.json", replacement.old))
        upload(d, live, write(files, "new.coo.json", replacement.new))
        fits(d, "verdict-successor", width)
        upload(d, live, files / "old.coo.json")
        fits(d, "verdict-replaced", width)
        assert NEW_NUMBER in d.find_element(By.ID, "successor").text
        d.find_element(By.ID, "successor-link").click()
        wait_for(d, lambda x: NEW_NUMBER in x.find_element(By.CSS_SELECTOR, ".meta").text)
        upload(d, live, write(files, "certificate.pdf", pdf.render_pdf(scene.issued("valid"))))
        fits(d, "verdict-from-pdf", width)
        assert d.find_element(By.ID, "verdict-word").text == "VALID"
        upload(d, live, write(files, "blurred.jpg", blank.getvalue()))
        fits(d, "photo-unreadable", width)
        assert "retake the photo" in d.find_element(By.ID, "verify-error").text

        upload(
            d,
            live,
            files / "valid.coo.json",
            files / "revoked.coo.json",
            write(files, "notes.txt", b"not a certificate"),
        )
        fits(d, "bulk", width)
        assert len(d.find_elements(By.CSS_SELECTOR, "#bulk-table tbody tr")) == 3

        upload(d, live, write(files, "twin-h.coo.json", scene.issued("twin_hamburg")))
        upload(d, live, write(files, "twin-b.coo.json", scene.issued("twin_berlin")))
        d.get(f"{live.url}/")
        box = d.find_element(By.ID, "number")
        box.send_keys(TWIN_NUMBER)
        box.submit()
        wait_for(d, lambda x: "Several certificates" in x.find_element(By.TAG_NAME, "h1").text)
        fits(d, "choose", width)
        d.get(f"{live.url}/")
        box = d.find_element(By.ID, "number")
        box.send_keys("XX-0000")
        box.submit()
        wait_for(d, lambda x: x.find_elements(By.ID, "verify-error"))
        fits(d, "number-unknown", width)

        for name, path in (
            ("log", "/log"),
            ("admin", "/admin"),
            ("account", "/account"),
            ("scan", "/verify/scan"),
            ("not-found", "/no-such-page"),
        ):
            d.get(f"{live.url}{path}")
            fits(d, name, width)
        d.get(f"{live.url}/verify/scan")  # no camera in headless Chromium: a way on, no jargon
        status = wait_for(
            d, lambda x: "instead" in x.find_element(By.ID, "scan-status").text and x
        ).find_element(By.ID, "scan-status")
        assert "Error)" not in status.text and "take a photo" in status.text.lower()
        assert d.find_element(By.ID, "scan-photo")  # the photo fallback is on the same page
        d.get(f"{live.url}/log")
        reasons = d.find_element(By.ID, "log-table").text
        assert "all_checks_passed" not in reasons and "every check passed" in reasons
        assert "NOT FOUND" in reasons  # the unknown number was logged
        expected = ("status of 404", "status of 422")  # the unknown number, page and photo
        assert [e for e in iter_console_errors(d) if not any(x in e for x in expected)] == []
    finally:
        d.quit()
