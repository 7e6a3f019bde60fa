"""Uploads and verdicts under attack, through real HTTP against gunicorn with two workers.

Findings 4 (image decoding cost, per-officer limits), 5 (a poisoned row), 6 (forged QR
references), the 413 on real phone photos (issue 11), and the stored verdict page with odd text.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import segno
from PIL import Image

from origincert import qr
from origincert.portal import imagedecode

from .photos import phone_photo
from .served import Served, redis_server, serve_portal, tiled_qr_png
from .support import Scene

pytestmark = pytest.mark.slow

VERDICT = re.compile(r'data-verdict="([A-Z]+)"')


@pytest.fixture(scope="module")
def served(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served-uploads")
    with (
        redis_server(folder) as redis_url,
        serve_portal(
            folder, scene, redis_url, archived=("valid", "revoked"), RATELIMIT_IMAGE="12 per minute"
        ) as portal,
    ):
        yield portal


def webp_bomb(side: int = 7000) -> bytes:
    """A 1-2 KB lossless WebP that declares side x side pixels (49 MP by default)."""
    out = io.BytesIO()
    Image.new("RGBA", (side, side), "white").save(out, "WEBP", lossless=True)
    return out.getvalue()


def big_jpeg() -> bytes:
    """A 60 MP JPEG: accepted, and scaled down while it is decoded."""
    out = io.BytesIO()
    Image.new("RGB", (8000, 7500), "white").save(out, "JPEG", quality=50)
    return out.getvalue()


def _verdict(served: Served, s, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, (response.status_code, response.text[:400])
    page = s.get(served.url + response.headers["Location"], timeout=60)
    assert page.status_code == 200
    match = VERDICT.search(page.text)
    assert match, page.text[:400]
    return match.group(1)


@pytest.mark.parametrize(("width", "height"), [(1600, 1200), (4000, 3000)])
def test_real_phone_photos_verify_through_the_form(
    served: Served, scene: Scene, width: int, height: int
) -> None:
    photo = phone_photo(qr.encode_payload(scene.issued("valid")), width, height, seed=width)
    assert len(photo) > 1_000_000  # multi-MB, as a phone takes them
    s = served.signed_in("photog", "192.0.2.30")
    assert _verdict(served, s, served.upload(s, photo, "IMG_2041.jpg")) == "VALID"


def test_too_large_keeps_the_menu(served: Served) -> None:
    s = served.signed_in("photog", "192.0.2.30")
    response = served.upload(s, b"\xff\xd8\xff" + b"\0" * (9 * 1024 * 1024), "huge.jpg")
    assert response.status_code == 413
    assert "<code>too_large</code>" in response.text
    assert 'aria-label="Main"' in response.text and "Sign out" in response.text


def test_worst_pictures_cost_at_most_2_cpu_s_and_200_mb() -> None:
    """Measured on the child that decodes for the portal: CPU time from wait4, its own peak RSS."""
    worst = {
        "7000x7000 PNG tiled with QR codes": tiled_qr_png(7000),
        "4000x4000 PNG tiled with QR codes (under the pixel limit)": tiled_qr_png(4000),
        "lossless WebP declaring 49 MP": webp_bomb(),
        "lossless WebP at the 8 MP limit": webp_bomb(2828),
        "60 MP JPEG": big_jpeg(),
    }
    for label, data in worst.items():
        cost = imagedecode.decode(data)
        print(f"{label}: {len(data)} B, {cost.cpu_seconds:.2f} CPU-s, "
              f"{cost.max_rss_bytes / 2**20:.0f} MB, {cost.error or len(cost.texts)}")  # fmt: skip
        assert cost.cpu_seconds <= 2.0, label
        assert cost.max_rss_bytes <= 200 * 2**20, label


def test_worst_pictures_get_a_clear_422_and_no_worker_dies(served: Served) -> None:
    before = served.workers()
    s = served.signed_in("ghost", "192.0.2.31")
    for name, data in (("tiles.png", tiled_qr_png(7000)), ("bomb.webp", webp_bomb())):
        response = served.upload(s, data, name, "image/png")
        assert response.status_code == 422, name
        assert "too many pixels" in response.text
    assert served.workers() == before


def test_photo_decodes_are_limited_per_officer(served: Served) -> None:
    small = io.BytesIO()
    segno.make("not a certificate").save(small, kind="png", scale=4)
    s = served.signed_in("limited", "192.0.2.32")
    statuses = [served.upload(s, small.getvalue(), "p.png").status_code for _ in range(14)]
    assert Counter(statuses) == {302: 12, 429: 2}
    other = served.signed_in("quiet", "192.0.2.32")  # same address, another officer: not limited
    assert served.upload(other, small.getvalue(), "p.png").status_code == 302


def test_a_poisoned_file_fails_nobody_else(served: Served, scene: Scene) -> None:
    genuine = (served.archive / "valid.coo.json").read_bytes()
    text = scene.raw("valid").decode()
    poison = text.replace(scene.files["valid"]["document"]["number"], "DE\\ud800X", 1).encode()
    bodies = [genuine] * 10 + [poison]
    with ThreadPoolExecutor(11) as pool:
        answers = list(
            pool.map(lambda b: served.api("/verify/file", raw=b, token="poison"), bodies)
        )
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert {a.json()["verdict"] for a in answers[:10]} == {"VALID"}
    assert (
        answers[10].status_code == 400 and answers[10].json()["error"]["reason"] == "json_not_utf8"
    )
    ids = {int(a.headers["X-Verification-Id"]) for a in answers[:10]}
    assert len(ids) == 10  # each genuine call logged
    # the same file through the form: MALFORMED, logged, and its page renders
    s = served.signed_in("anna", "192.0.2.33")
    assert (
        _verdict(served, s, served.upload(s, poison, "p.json", "application/json")) == "MALFORMED"
    )


def test_an_old_entry_with_a_lone_surrogate_still_renders(served: Served) -> None:
    stored = json.dumps(
        {"result": {"verdict": "VALID", "summary": "ok \ud800", "checks": []},
         "document": {"number": "DE-1", "issuing_body": {"name": "bad \ud800 name"}}}
    )  # fmt: skip
    assert "\\ud800" in stored
    with sqlite3.connect(served.instance / "portal.db") as con:
        entry_id = con.execute(
            "INSERT INTO verifications (created_at, actor, office_code, channel, verdict,"
            " reason_code, result_json) VALUES ('2026-01-01 00:00:00', 'anna', 'DEHAM-1', 'file',"
            " 'VALID', 'all_checks_passed', ?)",
            (stored,),
        ).lastrowid
    s = served.signed_in("anna", "192.0.2.33")
    page = s.get(f"{served.url}/verifications/{entry_id}", timeout=30)
    assert page.status_code == 200 and "bad \ufffd name" in page.text


def _reference(issued: dict, number: str) -> str:  # type: ignore[type-arg]
    """A reference QR with a genuine anchor and ``number`` printed in it (a forger's tool)."""
    genuine = qr._parsed(issued)
    forged = dataclasses.replace(genuine, document={**genuine.document, "number": number})
    return qr.REFERENCE_PREFIX + qr._b45(qr._reference_bytes(forged, None))


def test_a_forged_number_on_a_genuine_anchor_is_invalid(served: Served, scene: Scene) -> None:
    issued = scene.issued("valid")
    forged = _reference(issued, '=HYPERLINK("http://x.example","y")')
    answer = served.api("/verify/qr", {"payload": forged}, source="192.0.2.34")
    assert answer.status_code == 200
    result = answer.json()
    assert result["verdict"] == "INVALID"
    first = result["checks"][0]
    assert (first["name"], first["status"], first["code"]) == (
        "reference",
        "failed",
        "qr_number_mismatch",
    )
    assert issued["document"]["number"] in first["message"]
    # the genuine number is what the log keeps; the form says the same
    s = served.signed_in("anna", "192.0.2.34")
    token = served.csrf(s, "/")
    response = s.post(served.url + "/verify/qr", data={"csrf_token": token, "payload": forged},
                      allow_redirects=False, timeout=60)  # fmt: skip
    assert _verdict(served, s, response) == "INVALID"
    # the genuine reference, with its own number, verifies the held file in full
    genuine = _reference(issued, issued["document"]["number"])
    assert served.api("/verify/qr", {"payload": genuine}).json()["verdict"] == "VALID"


def test_a_reference_with_nothing_held_says_the_number_is_the_papers_claim(
    served: Served, scene: Scene
) -> None:
    issued = scene.issued("twin_berlin")  # not in the portal's archive
    answer = served.api("/verify/qr", {"payload": _reference(issued, "ANY-NUMBER-1")})
    result = answer.json()
    assert result["verdict"] == "UNCONFIRMED"
    assert "is the paper's claim, not the ledger's" in result["summary"]


def test_the_csv_export_neutralises_formulas_in_every_disguise(
    served: Served, scene: Scene
) -> None:
    hostile = [
        " =1+1",
        "\u00a0=1+1",
        "\uff1d1+1",
        "DE;=4+4",
        "\t=8+8",
        "@SUM(1)",
        "-7+7",
        "\u200b=2",
    ]
    s = served.signed_in("anna", "192.0.2.35")
    for number in hostile:
        issued = scene.issued("valid")
        issued["document"]["number"] = number  # tampered: INVALID, logged with this number
        data = json.dumps(issued).encode()
        assert (
            _verdict(served, s, served.upload(s, data, "t.json", "application/json")) == "INVALID"
        )
    export = s.get(served.url + "/log.csv", timeout=60)
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text)))
    numbers = {row[5] for row in rows[1:]}
    for number in hostile:
        assert "'" + number in numbers, number
    assert all(line.startswith('"') for line in export.text.splitlines() if line)  # all quoted
