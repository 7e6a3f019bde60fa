"""Security headers and content security policy, no inline script or style anywhere, no stack
traces, and the vendored jsQR equal to node_modules' copy. (Only the portal imports Flask:
tests/test_layers.py.)"""

from __future__ import annotations

import ast
import hashlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from origincert.verifier import Verifier

from .support import Scene, csrf_token, login, make_app, upload

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "origincert" / "portal"


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, event handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
        for name, value in attrs:
            if (
                name in ("href", "src", "action")
                and value
                and value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"javascript: URL on <{tag}>")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def test_pages_carry_strict_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert (
        "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_and_errors_carry_them_too(client: FlaskClient) -> None:
    for response in (
        client.get("/api/v1/openapi.json"),
        client.get("/no-such-page"),
        client.post("/api/v1/verify/file"),
    ):
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_when_configured(app: Flask, client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["HSTS"] = True
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_secure_by_default(tmp_path: Path, scene: Scene) -> None:
    from origincert.portal import create_app

    from .support import portal_config

    config = portal_config(tmp_path, scene)
    del config["SECURE_COOKIES"]
    app = create_app(config, instance_path=tmp_path / "i")
    assert "Secure" in app.test_client().get("/login").headers["Set-Cookie"]


def test_no_page_has_inline_script_or_style(app: Flask, admin: FlaskClient, issued: bytes) -> None:
    verdict = upload(admin, issued).headers["Location"]
    pages = ["/", "/verify/scan", "/log", "/account", "/admin", verdict, "/no-such-page"]
    for path in pages:
        html = admin.get(path).get_data(as_text=True)
        assert inline_problems(html) == [], path
    admin.post("/logout", data={"csrf_token": csrf_token(admin, "/")})
    assert inline_problems(admin.get("/login").get_data(as_text=True)) == []


def test_the_finder_finds_what_it_looks_for() -> None:
    found = inline_problems(
        '<script>x()</script><a href="javascript:x()" onclick="y()" style="color:red">a</a><style></style>'
    )
    assert len(found) == 5


@pytest.mark.parametrize("template", sorted(p.name for p in (PORTAL / "templates").glob("*.html")))
def test_templates_never_disable_escaping(template: str) -> None:
    text = (PORTAL / "templates" / template).read_text()
    assert (
        "|safe" not in text.replace(" ", "")
        and "autoescape false" not in text
        and "Markup(" not in text
    )


def test_unexpected_errors_show_no_stack_trace(
    app: Flask, officer: FlaskClient, issued: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: Verifier, raws: list[bytes]) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(Verifier, "verify_many_bytes", explode)
    for debug in (False, True):  # not even under --debug
        app.debug = debug
        response = upload(officer, issued)
        text = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Something went wrong" in text and "The certificate was not checked." in text
        assert (
            "Traceback" not in text
            and "secret internal detail" not in text
            and "RuntimeError" not in text
        )


def test_vendored_jsqr_equals_node_modules_and_keeps_its_licence() -> None:
    vendored = PORTAL / "static" / "vendor" / "jsqr"
    source = ROOT / "node_modules" / "jsqr"
    if not source.exists():
        pytest.skip("node_modules is not installed (run scripts/setup)")
    for vendored_name, source_name in (("jsQR.js", "dist/jsQR.js"), ("LICENSE", "LICENSE")):
        assert (
            hashlib.sha256((vendored / vendored_name).read_bytes()).digest()
            == hashlib.sha256((source / source_name).read_bytes()).digest()
        ), f"{vendored_name} differs from node_modules: run scripts/vendor-static"


def test_static_files_are_served_with_the_right_type(client: FlaskClient) -> None:
    for path, mimetype in (
        ("/static/vendor/jsqr/jsQR.js", "text/javascript"),
        ("/static/portal.css", "text/css"),
    ):
        with client.get(path) as response:
            assert response.status_code == 200 and response.mimetype == mimetype


def test_the_portal_parses_json_only_through_safejson() -> None:
    """No json.load(s), request.get_json or request.json in the portal: every JSON text it reads
    goes through origincert.safejson.load_json (size, depth, duplicates, NaN, lone surrogates)."""
    portal = Path(__file__).resolve().parents[2] / "origincert" / "portal"
    found = []
    for path in sorted(portal.rglob("*.py")) + [portal.parent / "cli" / "portal.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and (
                (node.attr in ("load", "loads") and getattr(node.value, "id", "") == "json")
                or node.attr in ("get_json", "json")
                and getattr(node.value, "id", "") == "request"
            ):
                found.append(f"{path.name}:{node.lineno}")
    assert not found


def test_verification_goes_on_when_the_rate_limit_storage_is_down(
    tmp_path: Path, scene: Scene, issued: bytes
) -> None:
    app = make_app(tmp_path, scene, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9")
    client = app.test_client()
    assert login(client).status_code == 302  # the login limit falls back to memory
    assert upload(client, issued).status_code == 302  # per-officer limits let it through, logged
