"""A portal served for real: ``origincert portal serve`` (gunicorn, 2 workers x 4 threads) on a free
port, its rate limits in a Redis server of its own, verifying against the chain scene.

Attacks go through real HTTP, where a crashed worker, a 413 from the multipart parser or a limit
kept per process would show. ``X-Forwarded-For`` names the client's address (one trusted proxy),
so one test machine can play several sources.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import segno
from chainutil import free_port
from flask import Flask
from PIL import Image

from origincert.portal import accounts, create_app, db

from .support import PASSWORD, Scene, portal_config, seed_accounts

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throw-away redis-server on a free loopback port (no persistence); its URL."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert server.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class Served:
    url: str
    master: int
    instance: Path
    security_log: Path
    probe: Path
    output: Path
    archive: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def workers(self) -> set[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.master)], capture_output=True, text=True, check=False
        ).stdout
        return {int(p) for p in out.split()}

    def client(self, source: str = "192.0.2.1", *, https: bool = False) -> requests.Session:
        """A browser-like client at address ``source``."""
        s = requests.Session()
        s.headers["X-Forwarded-For"] = source
        if https:
            s.headers["X-Forwarded-Proto"] = "https"
        return s

    def csrf(self, s: requests.Session, path: str = "/login") -> str:
        match = _CSRF.search(s.get(self.url + path, timeout=30).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(
        self, s: requests.Session, username: str = "anna", password: str = PASSWORD, **extra: str
    ) -> requests.Response:
        data = {"csrf_token": self.csrf(s), "username": username, "password": password, **extra}
        return s.post(self.url + "/login", data=data, allow_redirects=False, timeout=60)

    def signed_in(self, username: str, source: str = "192.0.2.1") -> requests.Session:
        s = self.client(source)
        response = self.login(s, username)
        assert response.status_code == 302, response.text[:300]
        return s

    def upload(
        self, s: requests.Session, data: bytes, name: str = "c.json", ctype: str = "image/jpeg"
    ) -> requests.Response:
        return s.post(
            self.url + "/verify/file",
            data={"csrf_token": self.csrf(s, "/")},
            files={"file": (name, data, ctype)},
            allow_redirects=False,
            timeout=120,
        )

    def api(
        self, path: str, body: Any = None, *, token: str = "main", raw: bytes | None = None,
        source: str = "192.0.2.50", content_type: str = "application/json",
    ) -> requests.Response:  # fmt: skip
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"Content-Type": content_type, "X-Forwarded-For": source}
        if token:
            headers["Authorization"] = f"Bearer {self.tokens.get(token, token)}"
        return requests.post(f"{self.url}/api/v1{path}", data=data, headers=headers, timeout=120)

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The security log so far, one dict per line."""
        if not self.security_log.exists():
            return []
        lines = [json.loads(line) for line in self.security_log.read_text().splitlines() if line]
        return [e for e in lines if name is None or e["event"] == name]

    def probes(self) -> list[tuple[int, int, str, str]]:
        """(pid, recursion limit, method, path) for each request served so far."""
        if not self.probe.exists():
            return []
        rows = []
        for line in self.probe.read_text().splitlines():
            pid, limit, method, path = line.split(" ", 3)
            rows.append((int(pid), int(limit), method, path))
        return rows


def seed(app: Flask) -> dict[str, str]:
    """The support accounts plus officers for the attacks, and API tokens; the clear tokens."""
    seed_accounts(app)
    ph = accounts.hasher("CHEAPEST")
    tokens = {}
    with app.app_context():
        dbs = db.session()
        ham = accounts.ensure_office(dbs, "DEHAM-1")
        for username in ("victim", "quiet", "photog", "burst", "limited", "ghost"):
            accounts.create_officer(
                dbs, ph, username=username, full_name=username.title(), office=ham,
                password=PASSWORD,
            )  # fmt: skip
        for name in ("main", "limited", "poison", "fuzz"):
            _, tokens[name] = accounts.issue_token(dbs, name=name, office=ham, created_by="test")
        dbs.commit()
    return tokens


@contextlib.contextmanager
def serve_portal(
    folder: Path, scene: Scene, redis_url: str, *, archived: tuple[str, ...], **settings: Any
) -> Iterator[Served]:
    """Serve a fresh portal from ``folder`` until the block ends; ``settings`` are portal
    settings given as ORIGINCERT_PORTAL_* environment variables (JSON values)."""
    instance = folder / "instance"
    archive = folder / "archive"
    archive.mkdir(parents=True)
    for label in archived:
        (archive / f"{label}.coo.json").write_bytes(scene.raw(label))
    base = portal_config(folder, scene, DATABASE_URL=None)
    base.pop("DATABASE_URL")
    base.pop("SECRET_KEY")
    base.pop("TESTING")
    app = create_app(base, instance_path=instance)
    tokens = seed(app)
    port = free_port()
    served = Served(
        url=f"http://127.0.0.1:{port}",
        master=0,
        instance=instance,
        security_log=folder / "security.log",
        probe=folder / "probe.log",
        output=folder / "server.out",
        archive=archive,
        tokens=tokens,
    )
    config = {
        "ARGON2_PROFILE": "CHEAPEST",
        "TRUSTED_PROXIES": 1,
        "SECURITY_LOG": str(served.security_log),
        **settings,
    }
    env = {
        **os.environ,
        "ORIGINCERT_TEST_PROBE": str(served.probe),
        **{f"ORIGINCERT_PORTAL_{k}": json.dumps(v) for k, v in config.items()},
    }
    command = [
        sys.executable, str(HERE / "launch_portal.py"),
        "--rpc-url", scene.rpc_url, "--manifest", str(scene.manifest_path),
        "portal", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
        "--insecure-http", "--no-access-log", "--instance", str(instance),
        "--archive-dir", str(archive), "--redis-url", redis_url,
    ]  # fmt: skip
    with open(served.output, "wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    served.master = server.pid
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(served.url + "/login", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, served.output.read_text()[-3000:]
            assert time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.2)
        while len(served.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(served.workers()) == 2
        yield served
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@functools.cache
def tiled_qr_png(side: int) -> bytes:
    """The review's worst case: a big PNG tiled with small QR codes (cheap to send, costly to scan)."""
    buffer = io.BytesIO()
    segno.make("OC1:X", error="L").save(buffer, kind="png", scale=2, border=1)
    tile = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    image = Image.new("L", (side, side), 255)
    for y in range(0, side - tile.height, tile.height):
        for x in range(0, side - tile.width, tile.width):
            image.paste(tile, (x, y))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
