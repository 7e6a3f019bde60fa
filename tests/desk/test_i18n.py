"""The desk in two complete languages (Flask-Babel): every message marked in the desk's templates
and code has a German translation keeping its placeholders, the compiled catalogue matches its
source, and a clerk who chooses German reads the queue, the review page and the revocation's
confirmation in German."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from origincert.desk import service
from origincert.desk.models import Application, utcnow

from .support import PASSWORD, Desk, fields

ROOT = Path(__file__).resolve().parents[2]
DESK = ROOT / "origincert" / "desk"
CATALOGUE = DESK / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def marked_messages() -> set[str]:
    """Every message marked in the desk, extracted afresh (as scripts/i18n does)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "N_": None, "t_": None}
    return {
        message if isinstance(message, str) else message[0]
        for _f, _l, message, _c, _x in extract_from_dir(
            str(DESK), method_map=method_map, keywords=keywords
        )
    }


def german() -> dict[str, Any]:
    with open(CATALOGUE / "de" / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {m.id: m for m in read_po(f) if m.id and not m.fuzzy}


def test_every_message_has_a_german_translation_with_its_placeholders() -> None:
    translations = german()
    found = marked_messages()
    assert len(found) > 100  # the extraction does see the desk's messages
    missing = sorted(m for m in found if m not in translations)
    assert missing == [], f"not translated into German (run scripts/i18n): {missing[:10]}"
    for key, message in translations.items():
        assert message.string.strip(), f"empty German translation for {key!r}"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(key)), key


def test_the_compiled_catalogue_matches_its_source() -> None:
    with open(CATALOGUE / "de" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == {k: m.string for k, m in german().items()}, "run scripts/i18n"


def test_a_clerk_who_chooses_german_reads_german(app: Any, desk: Desk) -> None:
    with desk.sessions.begin() as db:
        a = service.create_application(db, desk.actor("alice"), fields(1))
        service.submit(db, desk.actor("alice"), a, declaration=True)
        service.approve(db, desk.actor("clara"), a)
        service.transition(db, None, a, "issue", issued_at=utcnow(), batch_id=1)
        b = service.create_application(db, desk.actor("bob"), fields(2))
        service.submit(db, desk.actor("bob"), b, declaration=True)
    client = app.test_client()
    client.post("/login", data={"email": "clara@example.org", "password": PASSWORD})
    english = client.get("/clerk/").get_data(as_text=True)
    assert "Review queue" in english and "submitted" in english
    client.post("/account/language", data={"language": "de"})
    queue = client.get("/clerk/").get_data(as_text=True)
    assert "Prüfliste" in queue and "eingereicht" in queue and "Review queue" not in queue
    with desk.sessions() as db:
        pid = db.scalars(select(Application.public_id).where(Application.id == a.id)).one()
    page = client.get(f"/clerk/a/{pid}").get_data(as_text=True)
    assert "ausgestellt" in page and "Widerrufen" in page and "Irrtümlich ausgestellt" in page
    confirm = client.post(f"/clerk/a/{pid}/revoke", data={"reason": "lost"})
    text = confirm.get_data(as_text=True)
    assert "Das wird geschehen:" in text and "endgültig WIDERRUFEN" in text
    assert "Verloren: Der Exporteur erhält einen Ersatz" in text


def test_before_sign_in_the_browser_decides(app: Any) -> None:
    page = app.test_client().get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert "Anmelden" in page.get_data(as_text=True)
    page = app.test_client().get("/login", headers={"Accept-Language": "fr"})
    assert "Sign in" in page.get_data(as_text=True)
