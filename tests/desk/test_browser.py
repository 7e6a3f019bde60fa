"""The whole path in headless Chromium, at desktop and phone widths, with screenshots in
test-artifacts/desk/: an exporter applies (fields, attachment, declaration), a clerk approves,
the issuing worker issues on the real ledger, the exporter downloads the certificate, and a
customs officer uploads it to the portal and reads VALID."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from portal import browser
from portal.support import Scene
from portal.support import make_app as make_portal
from sqlalchemy import select

from origincert.desk import create_app
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application
from origincert.issuer import Journal
from origincert.signing import LocalSigner

from .support import PASSWORD, Desk, fields

ARTIFACTS = browser.ROOT / "test-artifacts" / "desk"
SIZES = {"desktop": (1366, 900, False), "phone": (390, 844, True)}


def wait_for(driver: Any, condition: Any, timeout: float = 30) -> Any:
    """Until ``condition`` holds. An element of the page being left is asked again: Selenium
    calls it stale, or Chromium says its node "does not belong to the document" (mid-navigation)."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        WebDriverException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    def settled(d: Any) -> Any:
        try:
            return condition(d)
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return False
            raise

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(
        driver, timeout, poll_frequency=browser.POLL_SECONDS, ignored_exceptions=ignored
    ).until(settled)


def shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = browser.screenshot(driver, f"../desk/{name}")
    assert path.stat().st_size > 1000


def by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return wait_for(driver, lambda d: d.find_element(By.ID, element_id))


def status_is(word: str) -> Any:
    from selenium.webdriver.common.by import By

    return lambda d: d.find_element(By.ID, "status").text == word


def sign_in(driver: Any, url: str, email: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{url}/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    by_id(driver, "sign-in").click()
    wait_for(driver, lambda d: "/login" not in d.current_url)


@browser.needs_chromium
@pytest.mark.parametrize("size", list(SIZES))
def test_exporter_applies_clerk_approves_worker_issues_officer_verifies(
    size: str, desk: Desk, db_url: str, world, manifest_path: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    width, height, mobile = SIZES[size]
    app = create_app(
        {"DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST", "SECURE_COOKIES": False},
        instance_path=tmp_path / "desk",
    )
    live = browser.serve(app)
    driver = browser.chrome(tmp_path / "profile", width=width, height=height, mobile=mobile)
    try:
        # the exporter applies
        sign_in(driver, live.url, "alice@example.org")
        driver.get(f"{live.url}/exporter/new")
        driver.find_element(By.CSS_SELECTOR, "details summary").click()  # the JSON way in
        text = json.dumps(fields(1), indent=2)
        driver.execute_script("arguments[0].value = arguments[1]", by_id(driver, "fields"), text)
        by_id(driver, "create").click()
        wait_for(driver, lambda d: "/exporter/a/" in d.current_url)
        invoice = tmp_path / "invoice.pdf"
        invoice.write_bytes(b"%PDF-1.4\n% commercial invoice\n%%EOF\n")
        driver.find_element(By.NAME, "file").send_keys(str(invoice))
        by_id(driver, "attach").click()
        wait_for(driver, lambda d: "invoice.pdf" in d.page_source)
        by_id(driver, "declaration").click()
        by_id(driver, "submit").click()
        wait_for(driver, status_is("submitted"))
        shot(driver, f"{size}-1-exporter-submitted")
        app_url = driver.current_url

        # a clerk opens it from the queue, beside its attachment, and approves
        sign_in(driver, live.url, "clara@example.org")
        driver.get(f"{live.url}/clerk/")
        shot(driver, f"{size}-2-clerk-queue")
        driver.find_element(By.CSS_SELECTOR, "table a").click()
        assert "invoice.pdf" in by_id(driver, "status").find_element(By.XPATH, "/html").text
        by_id(driver, "approve").click()
        wait_for(driver, status_is("approved"))
        shot(driver, f"{size}-3-clerk-approved")

        # the issuing worker (its own process in production) issues the batch
        with Journal.open(tmp_path / "journal.sqlite") as journal:
            report = IssuingWorker(
                sessions=desk.sessions, journal=journal, client=world.client,
                signer=LocalSigner(world.chambers["DE-berlin"]), chamber_id=desk.berlin.id,
                files_dir=tmp_path / "issued", policy=BatchPolicy(size=1, wait=0),
            ).tick()  # fmt: skip
        assert len(report.issued) == 1

        # the exporter sees it issued and downloads the file
        sign_in(driver, live.url, "alice@example.org")
        driver.get(app_url)
        wait_for(driver, status_is("issued"))
        assert by_id(driver, "download").get_attribute("href").endswith("/certificate")
        shot(driver, f"{size}-4-exporter-issued")
    finally:
        driver.quit()
        live.stop()

    with desk.sessions() as db:
        issued = db.scalars(select(Application)).one().issued_file
    certificate = tmp_path / "certificate.coo.json"
    certificate.write_text(issued)

    # a customs officer verifies it in the portal
    portal = make_portal(tmp_path / "portal", Scene(world.client.url, manifest_path))
    live = browser.serve(portal)
    driver = browser.chrome(tmp_path / "profile2", width=width, height=height, mobile=mobile)
    try:
        driver.get(f"{live.url}/login")
        driver.find_element(By.ID, "username").send_keys("anna")
        from portal.support import PASSWORD as PORTAL_PASSWORD

        driver.find_element(By.ID, "password").send_keys(PORTAL_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(driver, lambda d: d.current_url == f"{live.url}/")
        driver.find_element(By.ID, "file").send_keys(str(certificate))
        word = wait_for(driver, lambda d: d.find_elements(By.ID, "verdict-word"))[0].text
        shot(driver, f"{size}-5-officer-verifies")
        assert word == "VALID"
    finally:
        driver.quit()
        live.stop()
