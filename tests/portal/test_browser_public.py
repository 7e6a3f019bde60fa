"""The page a printed QR code opens on any phone (/V#payload), in headless Chromium: it decodes
the code on the device, says what it checked and what it did not, never calls the certificate
verified, catches a tampered code, and hands the payload to the online check after sign-in."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import base45
import pytest
from flask import Flask

from origincert import qr, qrlink
from origincert.issued import parse_issued

from .browser import (
    POLL_SECONDS,
    LiveServer,
    chrome,
    iter_console_errors,
    needs_chromium,
    screenshot,
    serve,
)
from .support import PASSWORD, Scene

pytestmark = needs_chromium


@pytest.fixture
def live(app: Flask) -> Iterator[LiveServer]:
    server = serve(app)
    yield server
    server.stop()


def wait_for(driver: Any, condition: Any, timeout: float = 45) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=POLL_SECONDS).until(condition)


def offline_state(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(
        wait_for(
            driver,
            lambda d: d.find_element(By.ID, "offline").get_attribute("data-offline"),
        )
    )


def open_link(driver: Any, live: LiveServer, payload: str) -> None:
    link = qrlink.make_link(live.url, payload)
    driver.get(f"{live.url}/V#{link.partition('#')[2]}")


def _pack(document: dict[str, Any]) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict=qr.ZDICT)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return packer.compress(body) + packer.flush()


def tampered_payload(issued: dict[str, Any]) -> str:
    """The same proof around an altered certificate, with a correct checksum (the library's
    encoder refuses to write one, rightly): what a forger could print."""
    data = base45.b45decode(qr.encode_payload(issued)[len(qr.EMBEDDED_PREFIX) :])
    document = parse_issued(issued).document  # in the order the encoder packs it
    head = data[: len(data) - 4 - len(_pack(document))]  # flags .. Merkle proof
    forged = json.loads(json.dumps(document))
    forged["consignee"]["name"] = "SOMEONE ELSE LTD"
    out = head + _pack(forged)
    return qr.EMBEDDED_PREFIX + base45.b45encode(out + zlib.crc32(out).to_bytes(4, "big")).decode()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_scanned_link_is_read_on_the_device(
    width: int, live: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    d = chrome(
        tmp_path / "profile", width=width, height=844 if width < 600 else 900, mobile=width < 600
    )
    try:
        payload = qr.encode_payload(scene.issued("valid"))
        open_link(d, live, payload)
        assert offline_state(d) == "consistent"
        word = d.find_element(By.ID, "offline-word").text
        assert word == "NOT YET VERIFIED"  # never VALID: the ledger was not asked
        checks = d.find_element(By.ID, "offline-checks").text
        assert "checksum matches" in checks and "adds up to the batch root" in checks
        assert "Anchored on the consortium ledger" not in d.page_source
        assert "a full copy" not in d.page_source
        assert (
            scene.issued("valid")["document"]["number"]
            in d.find_element(By.ID, "offline-facts").text
        )
        scroll = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert scroll <= 0
        screenshot(d, f"w{width}-public-scanned-link")

        open_link(d, live, tampered_payload(scene.issued("valid")))
        d.refresh()
        assert offline_state(d) == "inconsistent"
        assert "Do not accept" in d.find_element(By.ID, "offline-status").text
        screenshot(d, f"w{width}-public-tampered-code")

        d.get(f"{live.url}/V#https%3A%2F%2Fexample.com")
        d.refresh()
        assert offline_state(d) == "unreadable"
        assert list(iter_console_errors(d)) == []
    finally:
        d.quit()


def test_sign_in_then_check_online_with_the_same_code(
    live: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    d = chrome(tmp_path / "profile")
    try:
        open_link(d, live, qr.encode_payload(scene.issued("valid")))
        assert offline_state(d) == "consistent"
        d.find_element(By.ID, "online-login").click()
        d.find_element(By.ID, "username").send_keys("anna")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(d, lambda x: x.current_url.endswith("/V"))
        assert offline_state(d) == "consistent"  # the payload waited on this device
        button = d.find_element(By.ID, "online-check")
        assert button.is_enabled()
        button.click()
        word = wait_for(d, lambda x: x.find_elements(By.ID, "verdict-word"))
        assert word[0].text == "VALID"
        screenshot(d, "w1366-public-checked-online")
    finally:
        d.quit()


def test_the_page_speaks_the_browsers_language(
    live: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    d = chrome(
        tmp_path / "profile", width=390, height=844, mobile=True, extra_args=("--lang=de-DE",)
    )
    try:
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd(
            "Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "de-DE,de;q=0.9"}}
        )
        open_link(d, live, qr.encode_payload(scene.issued("valid")))
        assert offline_state(d) == "consistent"
        assert d.find_element(By.ID, "offline-word").text == "NOCH NICHT GEPRÜFT"
        assert "Prüfsumme stimmt" in d.find_element(By.ID, "offline-checks").text
        assert "Das ist keine Prüfung" in d.find_element(By.ID, "offline-status").text
        screenshot(d, "w390-public-scanned-link-de")
    finally:
        d.quit()
