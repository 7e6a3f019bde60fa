"""The portal in two complete languages (Flask-Babel): every marked message of the templates
and the portal's code has a German translation keeping its placeholders, the compiled catalogue
matches its source, and an officer who chooses German sees the portal, the verdict, the
certificate's labels and country names in German."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from .support import Scene, csrf_token, follow, upload

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "origincert" / "portal" / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def marked_messages() -> set[str | tuple[str, ...]]:
    """Every message marked in the portal, extracted afresh (as scripts/i18n does)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t_": None}
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "origincert" / "portal"), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    # the verifier's reason codes: their meanings are shown in the officer's language
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "origincert" / "verifier"),
        method_map=[("codes.py", "python")],
        keywords={"_r": (3,)},
    ):
        found.add(message)
    return found


def german() -> dict[str | tuple[str, ...], object]:
    with open(CATALOGUE / "de" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f)
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id)): m
        for m in catalogue
        if m.id and not m.fuzzy
    }


def test_every_message_has_a_german_translation() -> None:
    translations = german()
    missing = sorted(str(m) for m in marked_messages() if m not in translations)
    assert missing == [], f"not translated into German: {missing[:10]}"
    for key, message in translations.items():
        strings = [message.string] if isinstance(message.string, str) else list(message.string)  # type: ignore[attr-defined]
        assert all(s.strip() for s in strings), f"empty German translation for {key!r}"
        source = key if isinstance(key, str) else key[0]
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= set(PLACEHOLDER.findall(str(key))), key
        assert set(PLACEHOLDER.findall(source)) <= set(PLACEHOLDER.findall(strings[-1])) | {
            "%(num)d"
        }, key


def test_the_compiled_catalogue_matches_its_source() -> None:
    with open(CATALOGUE / "de" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {
            (m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in read_mo(f) if m.id
        }
    source = {k: m.string for k, m in german().items()}  # type: ignore[attr-defined]
    assert {k: (v if isinstance(v, str) else tuple(v)) for k, v in compiled.items()} == {
        k: (v if isinstance(v, str) else tuple(v)) for k, v in source.items()
    }, "run scripts/i18n to compile the catalogue"


def test_an_officer_who_chooses_german_reads_german(
    app: Flask, officer: FlaskClient, scene: Scene
) -> None:
    english = follow(officer, upload(officer, scene.raw("valid")))
    assert '<html lang="en">' in english and ">VALID<" in english
    answer = officer.post(
        "/account/language", data={"csrf_token": csrf_token(officer, "/account"), "language": "de"}
    )
    assert answer.status_code == 302
    page = follow(officer, upload(officer, scene.raw("valid")))
    assert '<html lang="de">' in page
    assert ">GÜLTIG<" in page and "Echt und gültig." in page
    assert "Prüfschritte" in page and "Ausstellende Stelle" in page
    assert "Deutschland (DE)" in page  # country names from pycountry's German catalogue
    assert 'data-verdict="VALID"' in page  # the code stays the same for programs
    assert "Prüfprotokoll" in officer.get("/log").get_data(as_text=True)
    tampered = scene.issued("valid")
    tampered["document"]["goods"][0]["gross_weight_kg"] = "1.00"
    import json

    invalid = follow(officer, upload(officer, json.dumps(tampered).encode()))
    assert "Position 1, Rohgewicht (kg)" in invalid
    assert "Die genannten Felder weichen von ihren ausgestellten Hashes ab." in invalid
    assert "differ from their issued hashes" not in invalid  # the verifier's English sentence
    revoked = follow(officer, upload(officer, scene.raw("revoked")))
    assert ">WIDERRUFEN<" in revoked and "irrtümlich ausgestellt" in revoked
    assert "alle Prüfschritte bestanden" in officer.get("/log").get_data(as_text=True)


def test_before_sign_in_the_browser_language_decides(client: FlaskClient) -> None:
    german_page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert ">Anmelden<" in german_page.get_data(as_text=True)
    english_page = client.get("/login", headers={"Accept-Language": "fr"})
    assert ">Sign in<" in english_page.get_data(as_text=True)


def test_an_unknown_language_is_ignored(app: Flask, officer: FlaskClient) -> None:
    officer.post(
        "/account/language", data={"csrf_token": csrf_token(officer, "/account"), "language": "xx"}
    )
    assert ">Sign out<" in officer.get("/account").get_data(as_text=True)
