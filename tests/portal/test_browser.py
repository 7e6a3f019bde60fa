"""End to end in headless Chromium: sign in, verify by upload, drag and drop, camera scan, number;
VALID / INVALID (naming the altered field) / REVOKED; the phone layout; print; no CSP violation.

Screenshots of every page go to test-artifacts/portal/ for people to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from origincert import qr

from .browser import (
    POLL_SECONDS,
    LiveServer,
    chrome,
    iter_console_errors,
    needs_chromium,
    screenshot,
    serve,
    y4m_video,
)
from .support import PASSWORD, VALID_NUMBER, Scene, make_app

pytestmark = needs_chromium


@pytest.fixture
def live(app: Flask) -> Iterator[LiveServer]:
    server = serve(app)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Chromium for the module's tests at the default size: a start and quit cost 1.2 s."""
    d = chrome(tmp_path_factory.mktemp("chromium") / "profile")
    yield d
    d.quit()


@pytest.fixture
def driver(chromium: Any) -> Any:
    """The module's Chromium as a fresh one would be for the test: no cookies (they ignore ports,
    so the last test's sign-in would carry over), screen media, an empty console log. Every test
    serves its own app on a port of its own, so no storage or cache of another test's origin is
    read."""
    chromium.get("about:blank")
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chromium.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    chromium.get_log("browser")  # read, so the test sees only its own console errors
    return chromium


def sign_in(driver: Any, live: LiveServer, username: str = "anna") -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{live.url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url == f"{live.url}/")


def wait_for(driver: Any, condition: Any, timeout: float = 15) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=POLL_SECONDS).until(condition)


def verdict(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    element = wait_for(driver, lambda d: d.find_elements(By.ID, "verdict-word"))
    return str(element[0].text)


def upload_file(driver: Any, live: LiveServer, path: Path) -> str:
    from selenium.webdriver.common.by import By

    driver.get(f"{live.url}/")
    driver.find_element(By.ID, "file").send_keys(str(path))  # the page submits on its own
    return verdict(driver)


def write(tmp_path: Path, name: str, issued: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(issued, indent=2))
    return path


def test_sign_in_page(driver: Any, live: LiveServer) -> None:
    driver.get(f"{live.url}/")
    assert driver.current_url.startswith(f"{live.url}/login")
    screenshot(driver, "01-sign-in")
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "username").send_keys("anna")
    driver.find_element(By.ID, "password").send_keys("wrong password")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert (
        "Sign-in refused." in wait_for(driver, lambda d: d.find_element(By.ID, "login-error")).text
    )
    screenshot(driver, "01b-sign-in-failed")


def test_valid_tampered_and_revoked_uploads(
    driver: Any, live: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, live)
    screenshot(driver, "02-verify")
    assert (
        upload_file(driver, live, write(tmp_path, "good.coo.json", scene.issued("valid")))
        == "VALID"
    )
    screenshot(driver, "03-verdict-valid")

    tampered = scene.issued("valid")
    tampered["document"]["goods"][0]["gross_weight_kg"] = "1.00"
    assert upload_file(driver, live, write(tmp_path, "tampered.coo.json", tampered)) == "INVALID"
    integrity = driver.find_element(By.CSS_SELECTOR, '[data-check="integrity"]')
    assert "Item 1, gross weight (kg)" in integrity.text
    assert driver.find_elements(By.CSS_SELECTOR, "#goods .flagged")
    screenshot(driver, "04-verdict-invalid")

    assert (
        upload_file(driver, live, write(tmp_path, "revoked.coo.json", scene.issued("revoked")))
        == "REVOKED"
    )
    assert "issued in error" in driver.find_element(By.ID, "verdict-reason").text
    screenshot(driver, "05-verdict-revoked")
    assert list(iter_console_errors(driver)) == []


def test_drag_and_drop(driver: Any, live: LiveServer, scene: Scene) -> None:
    sign_in(driver, live)
    text = scene.raw("valid").decode()
    driver.execute_script(
        """
        const zone = document.querySelector('.js-dropzone');
        const data = new DataTransfer();
        data.items.add(new File([arguments[0]], 'dropped.coo.json', {type: 'application/json'}));
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        """,
        text,
    )
    assert verdict(driver) == "VALID"


def test_number_lookup_and_unknown_number(
    driver: Any, live: LiveServer, app: Flask, scene: Scene, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    archive = tmp_path / "archive"
    archive.mkdir()
    write(archive, "a.coo.json", scene.issued("valid"))
    app.config["ARCHIVE_DIRS"] = [str(archive)]
    sign_in(driver, live)
    box = driver.find_element(By.ID, "number")
    box.send_keys("XX-0000")
    box.submit()
    error = wait_for(driver, lambda d: d.find_element(By.ID, "verify-error"))
    assert "No certificate numbered XX-0000 is known to this portal" in error.text
    screenshot(driver, "06-unknown-number")
    box = driver.find_element(By.ID, "number")
    box.clear()
    box.send_keys(VALID_NUMBER)
    box.submit()
    assert verdict(driver) == "VALID"


def test_camera_scan_reads_the_qr_code(tmp_path: Path, live: LiveServer, scene: Scene) -> None:
    import io

    from PIL import Image

    payload = qr.encode_payload(scene.issued("valid"))
    assert payload.startswith("OC2:")  # the whole certificate, read by jsQR in the page
    picture = Image.open(io.BytesIO(qr.qr_png(payload, scale=4)))
    video = y4m_video(picture, tmp_path / "camera.y4m", width=1280, height=960)
    d = chrome(
        tmp_path / "profile",
        extra_args=(
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ),
    )
    try:
        sign_in(d, live)
        d.get(f"{live.url}/verify/scan")
        assert verdict(d) == "VALID"  # read from the camera, posted, verified
        screenshot(d, "07-verdict-from-camera")
        assert list(iter_console_errors(d)) == []
    finally:
        d.quit()


def test_phone_layout(tmp_path: Path, live: LiveServer, scene: Scene) -> None:
    from selenium.webdriver.common.by import By

    d = chrome(tmp_path / "profile", width=390, height=844, mobile=True)
    try:
        sign_in(d, live)
        screenshot(d, "08-phone-verify")
        tampered = scene.issued("valid")
        tampered["document"]["consignee"]["name"] = "Someone Else Ltd"
        assert upload_file(d, live, write(tmp_path, "t.coo.json", tampered)) == "INVALID"
        screenshot(d, "09-phone-verdict-invalid")
        width = d.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
        word = d.find_element(By.ID, "verdict-word")
        assert word.size["height"] >= 35  # still large
    finally:
        d.quit()


def test_log_and_admin_pages(driver: Any, live: LiveServer, scene: Scene, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, live, "boss")
    upload_file(driver, live, write(tmp_path, "a.coo.json", scene.issued("valid")))
    driver.get(f"{live.url}/log")
    rows = driver.find_elements(By.CSS_SELECTOR, "#log-table tbody tr")
    assert len(rows) == 1 and VALID_NUMBER in rows[0].text
    screenshot(driver, "10-log")
    driver.get(f"{live.url}/admin")
    screenshot(driver, "11-admin")
    assert list(iter_console_errors(driver)) == []


def test_print_stylesheet_hides_the_chrome(
    driver: Any, live: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    import base64

    from selenium.webdriver.common.by import By

    sign_in(driver, live)
    upload_file(driver, live, write(tmp_path, "a.coo.json", scene.issued("valid")))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not driver.find_element(By.CSS_SELECTOR, ".topbar").is_displayed()
    assert not driver.find_element(By.CSS_SELECTOR, ".actions").is_displayed()
    assert driver.find_element(By.ID, "verdict-word").is_displayed()
    shot = screenshot(driver, "12-print-view")
    pdf = driver.execute_cdp_cmd(
        "Page.printToPDF", {"printBackground": False, "paperWidth": 8.27, "paperHeight": 11.69}
    )
    shot.with_suffix(".pdf").write_bytes(base64.b64decode(pdf["data"]))


def test_reference_only_qr_and_ledger_unreachable_pages(
    driver: Any, live: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, live)
    driver.find_element(By.CSS_SELECTOR, "details.paste summary").click()
    driver.find_element(By.ID, "payload").send_keys(
        qr.encode_payload(scene.issued("valid"), max_chars=10)
    )
    driver.find_element(By.ID, "payload").submit()
    assert verdict(driver) == "UNCONFIRMED"
    assert "carries only a reference" in driver.find_element(By.ID, "certificate").text
    screenshot(driver, "13-verdict-qr-reference")

    down = serve(make_app(tmp_path / "down", scene, RPC_URL="http://127.0.0.1:9"))
    try:
        driver.delete_all_cookies()  # cookies ignore ports: sign in afresh on the other portal
        sign_in(driver, down)
        driver.find_element(By.ID, "file").send_keys(
            str(write(tmp_path, "v.coo.json", scene.issued("valid")))
        )
        wait_for(driver, lambda d: "Ledger unreachable" in d.find_element(By.TAG_NAME, "h1").text)
        assert "NOT been checked" in driver.find_element(By.CSS_SELECTOR, ".lead").text
        screenshot(driver, "14-ledger-unreachable")
    finally:
        down.stop()
