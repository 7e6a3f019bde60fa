"""The clerk's and the chamber admin's whole path in headless Chromium, at desktop and phone
widths, with screenshots in test-artifacts/desk/: the queue, an application beside its
attachments, an amendment requested on a field, approval, the worker issuing on the real ledger,
a revocation with its confirmation page, the worker revoking; a refused setting shown at its
field. At 390 px no page scrolls sideways."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from portal import browser
from sqlalchemy import select

from origincert.desk import create_app
from origincert.desk.issuing import BatchPolicy, IssuingWorker
from origincert.desk.models import Application
from origincert.issuer import Journal
from origincert.signing import LocalSigner

from .support import Desk, fields
from .test_browser import SIZES, by_id, shot, sign_in, status_is, wait_for

WIDER = """
const limit = arguments[0];
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))
  .slice(0, 5);
"""


def fits(driver: Any, width: int) -> list[str]:
    """What reaches past the screen's right edge (nothing, or the phone scrolls sideways; its
    browser would widen the layout viewport to the content, so the window's width proves
    nothing)."""
    return list(driver.execute_script(WIDER, width))


def photo_of_invoice() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (240, 236, 220)).save(out, "PNG")
    return out.getvalue()


@browser.needs_chromium
@pytest.mark.parametrize("size", list(SIZES))
def test_clerk_reviews_amends_approves_and_revokes_with_confirmation(
    size: str, desk: Desk, db_url: str, world: Any, keys: dict[str, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    width, height, mobile = SIZES[size]
    app = create_app(
        {"DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST", "SECURE_COOKIES": False},
        instance_path=tmp_path / "desk",
    )
    api, h = app.test_client(), {"Authorization": f"Bearer {keys['alice']}"}
    pid = api.post("/api/v1/applications", json=fields(1), headers=h).json["id"]
    for kind, name, body in (("invoice", "invoice.png", photo_of_invoice()),
                             ("packing_list", "packing.pdf", b"%PDF-1.4\n%%EOF\n")):  # fmt: skip
        r = api.post(f"/api/v1/applications/{pid}/attachments",
                     data={"kind": kind, "file": (io.BytesIO(body), name)}, headers=h)  # fmt: skip
        assert r.status_code == 201, r.json
    assert api.post(f"/api/v1/applications/{pid}/submit", json={"declaration": True},
                    headers=h).status_code == 200  # fmt: skip

    live = browser.serve(app)
    driver = browser.chrome(tmp_path / "profile", width=width, height=height, mobile=mobile)
    worker_journal = Journal.open(tmp_path / "journal.sqlite")
    worker = IssuingWorker(
        sessions=desk.sessions, journal=worker_journal, client=world.client,
        signer=LocalSigner(world.chambers["DE-berlin"]), chamber_id=desk.berlin.id,
        files_dir=tmp_path / "issued", policy=BatchPolicy(size=1, wait=0),
    )  # fmt: skip
    try:
        sign_in(driver, live.url, "clara@example.org")
        driver.get(f"{live.url}/clerk/")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#queue a"))
        assert fits(driver, width) == []
        shot(driver, f"{size}-clerk-1-queue")
        driver.find_element(By.CSS_SELECTOR, "#queue a").click()
        wait_for(driver, status_is("submitted"))
        attachments = by_id(driver, "attachments")
        assert "invoice.png" in attachments.text and "packing.pdf" in attachments.text
        image = attachments.find_element(By.CSS_SELECTOR, "img.attachment")
        wait_for(
            driver, lambda d: d.execute_script("return arguments[0].naturalWidth", image) == 600
        )
        assert fits(driver, width) == []
        shot(driver, f"{size}-clerk-2-beside-attachments")

        # an amendment on one field
        Select(by_id(driver, "amend-field")).select_by_value("goods.0.hs_code")
        by_id(driver, "amend-comment").send_keys("The HS code differs from the invoice.")
        by_id(driver, "amend").click()
        wait_for(driver, status_is("amendment requested"))
        shot(driver, f"{size}-clerk-3-amendment-requested")
        with desk.sessions() as db:
            row = db.scalars(select(Application).where(Application.public_id == pid)).one()
            assert (row.comment_field, row.comment) == (
                "goods.0.hs_code",
                "The HS code differs from the invoice.",
            )
        # the exporter corrects and submits again (the exporter's own pages have their own test)
        assert api.put(f"/api/v1/applications/{pid}", json=fields(1), headers=h).status_code == 200
        assert api.post(f"/api/v1/applications/{pid}/submit", json={"declaration": True},
                        headers=h).status_code == 200  # fmt: skip

        driver.refresh()
        wait_for(driver, status_is("submitted"))
        by_id(driver, "approve").click()
        wait_for(driver, status_is("approved"))
        assert len(worker.tick().issued) == 1
        driver.refresh()
        wait_for(driver, status_is("issued"))

        # revoke: the confirmation says what will happen; nothing happens before it is confirmed
        Select(by_id(driver, "revoke-reason")).select_by_value("issued_in_error")
        by_id(driver, "revoke-comment").send_keys("Wrong consignee")
        by_id(driver, "revoke").click()
        effects = by_id(driver, "effects").text
        assert "becomes REVOKED for every verifier, for good" in effects
        assert "revokeRoot" in effects and "cannot be undone" in effects
        assert fits(driver, width) == []
        shot(driver, f"{size}-clerk-4-revoke-confirmation")
        with desk.sessions() as db:
            row = db.scalars(select(Application).where(Application.public_id == pid)).one()
            assert row.revoke_requested_at is None  # shown, not yet asked
        by_id(driver, "confirm-revoke").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "revoke-pending"))
        assert worker.tick().revoked == [row.number]
        driver.refresh()
        wait_for(driver, status_is("revoked"))
        assert "revoke" in by_id(driver, "history").text
        shot(driver, f"{size}-clerk-5-revoked")

        # the chamber admin: a refused setting comes back at its field
        sign_in(driver, live.url, "admin@example.org")
        driver.get(f"{live.url}/admin/settings")
        field = driver.find_element(By.NAME, "batch_size")
        field.clear()
        field.send_keys("0")
        by_id(driver, "save-settings").click()
        assert "from 1 to 100000" in by_id(driver, "error-batch_size").text
        assert fits(driver, width) == []
        shot(driver, f"{size}-admin-1-settings-refused")
        driver.get(f"{live.url}/admin/events")
        assert "settings changed" not in by_id(driver, "events").text  # nothing half-saved
        shot(driver, f"{size}-admin-2-event-log")
    finally:
        driver.quit()
        live.stop()
        worker_journal.close()
