"""The exporter's whole path in headless Chromium, at desktop and phone widths, with screenshots
in test-artifacts/desk/: sign in, save a product, start an ICC certificate, take its goods from
the product library, see autosave name a wrong field and then save it right, attach the invoice,
declare and submit; after a clerk approves and the worker issues, see each change on the
dashboard and download the issued file, the PDF and a redacted copy, which verify."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from portal import browser

from origincert.desk import create_app, fieldmap, service
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.issuer import Journal
from origincert.signing import LocalSigner
from origincert.templates import template
from origincert.verifier import Verifier

from .support import Desk
from .test_browser import SIZES, by_id, shot, sign_in, status_is, wait_for


def set_values(driver: Any, values: dict[str, str]) -> None:
    """Fill many inputs at once, as a person would after typing (input and change fire)."""
    driver.execute_script(
        """
        for (const [name, value] of Object.entries(arguments[0])) {
          const el = document.querySelector(`[name="${CSS.escape(name)}"]`);
          if (!el) continue;
          el.value = value;
          el.dispatchEvent(new Event('input', {bubbles: true}));
        }
        """,
        values,
    )


def downloaded(folder: Path, suffix: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.05)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {list(folder.iterdir())}")


@browser.needs_chromium
@pytest.mark.parametrize("size", list(SIZES))
def test_the_exporters_whole_path(
    size: str, desk: Desk, db_url: str, world, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    width, height, mobile = SIZES[size]
    app = create_app(
        {"DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST", "SECURE_COOKIES": False},
        instance_path=tmp_path / "desk",
    )
    live = browser.serve(app)
    driver = browser.chrome(tmp_path / "profile", width=width, height=height, mobile=mobile)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    icc = fieldmap.flatten(template("ICC_CO"))
    try:
        sign_in(driver, live.url, "alice@example.org")

        # a product, saved once in the library
        driver.get(f"{live.url}/exporter/products")
        set_values(driver, {"name": "Terry towels", "hs_code": "630260", "description":
                            icc["goods[0].description"], "country_of_origin": "DE",
                            "quantity.unit": "PCE", "packages.kind": "CT"})  # fmt: skip
        by_id(driver, "save-product").click()
        wait_for(driver, lambda d: "Product saved." in d.page_source)
        shot(driver, f"{size}-x1-product-library")

        # an ICC certificate of origin, its goods from the library
        driver.get(f"{live.url}/exporter/new")
        by_id(driver, "form-ICC_CO").click()
        by_id(driver, "start").click()
        wait_for(driver, lambda d: "/exporter/a/" in d.current_url)
        app_url = driver.current_url
        header = {k: v for k, v in icc.items() if not k.startswith(("goods", "flags"))}
        header.update({"exporter.name": "Alpha GmbH", "exporter.country": "DE",
                       "exporter.address": "Friedrichstr. 1\n10117 Berlin, GERMANY",
                       "producer": "SAME", "declaration.place": "Berlin",
                       "declaration.date": date.today().isoformat()})  # fmt: skip
        set_values(driver, header)
        from selenium.webdriver.support.ui import Select

        Select(by_id(driver, "f-goods[0].product")).select_by_visible_text("Terry towels (630260)")
        wait_for(
            driver,
            lambda d: (
                d.find_element(By.ID, "f-goods[0].hs_code").get_attribute("value") == "630260"
            ),
        )
        assert by_id(driver, "f-exporter.name").get_attribute("value") == "Alpha GmbH"

        # autosave: a wrong weight is named at its field, in words, without pressing anything
        item = {k.replace("goods[0]", "goods[0]"): v for k, v in icc.items()
                if k.startswith("goods[0].") and k.split(".", 1)[1] in (
                    "marks_and_numbers", "packages.count", "quantity.value", "invoice.number",
                    "invoice.date")}  # fmt: skip
        set_values(driver, item)
        weight = by_id(driver, "f-goods[0].gross_weight_kg")
        weight.send_keys("heavy")
        weight.send_keys("\t")  # change: autosave now
        wrong = "must be a decimal string"  # (the page drawn last said "is required")
        wait_for(
            driver,
            lambda d: d.find_element(By.ID, "err-goods[0].gross_weight_kg").text.startswith(wrong),
        )
        assert by_id(driver, "autosave-status").get_attribute("data-state") == "saved"
        shot(driver, f"{size}-x2-autosave-names-the-field")
        weight.clear()
        weight.send_keys("2181.65\t")
        wait_for(driver, lambda d: d.find_element(By.ID, "err-goods[0].gross_weight_kg").text == "")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".has-error") == [])
        assert not by_id(driver, "problems").is_displayed()  # the summary says: nothing left
        driver.get(app_url)  # reloaded: what autosave kept
        assert by_id(driver, "f-goods[0].gross_weight_kg").get_attribute("value") == "2181.65"

        # attach, declare, submit
        invoice = tmp_path / "invoice.pdf"
        invoice.write_bytes(b"%PDF-1.4\n% commercial invoice\n%%EOF\n")
        by_id(driver, "f-file").send_keys(str(invoice))
        by_id(driver, "attach").click()
        wait_for(driver, lambda d: "invoice.pdf" in d.page_source)
        by_id(driver, "declaration").click()
        by_id(driver, "submit").click()
        wait_for(driver, status_is("submitted"))
        shot(driver, f"{size}-x3-submitted")
        public_id = app_url.rsplit("/", 1)[1]

        # a clerk approves; the worker issues
        with desk.sessions.begin() as db:
            row = service.get_application(db, desk.actor("clara"), public_id)
            service.review(db, desk.actor("clara"), row)
            service.approve(db, desk.actor("clara"), row)
        with Journal.open(tmp_path / "journal.sqlite") as journal:
            report = IssuingWorker(
                sessions=desk.sessions, journal=journal, client=world.client,
                signer=LocalSigner(world.chambers["DE-berlin"]), chamber_id=desk.berlin.id,
                files_dir=tmp_path / "issued", policy=BatchPolicy(size=1, wait=0),
            ).tick()  # fmt: skip
        assert len(report.issued) == 1

        # every change on the dashboard
        driver.get(f"{live.url}/exporter/")
        changes = by_id(driver, "changes").text
        for step in ("draft → submitted", "submitted → in review", "in review → approved",
                     "approved → issued"):  # fmt: skip
            assert step in changes, changes
        shot(driver, f"{size}-x4-dashboard-changes")

        # the downloads: issued file, PDF, redacted copy
        driver.get(app_url)
        wait_for(driver, status_is("issued"))
        by_id(driver, "download").click()
        issued = json.loads(downloaded(downloads, ".coo.json").read_text())
        by_id(driver, "download-pdf").click()
        assert downloaded(downloads, ".pdf").read_bytes().startswith(b"%PDF-")
        by_id(driver, "redact").click()
        by_id(driver, "hide-consignee").click()
        by_id(driver, "hide-goods[0].invoice").click()
        shot(driver, f"{size}-x5-redact")
        by_id(driver, "make-redacted").click()
        redacted = json.loads(downloaded(downloads, ".redacted.coo.json").read_text())
    finally:
        driver.quit()
        live.stop()

    verifier = Verifier(world.client, clock=lambda: date.today())
    assert verifier.verify(issued).verdict.value == "VALID"
    assert "consignee" not in redacted["document"]
    assert redacted["document"]["goods"][0].get("invoice") is None
    assert verifier.verify(redacted).verdict.value == "VALID"
