"""Hostile PDFs through HTTP under gunicorn (issue 11): a content bomb, a page tree claiming ten
million pages, objects nested 300,000 deep, a giant page and an attachment bomb, sent to the
form and to the API. Each gets a clear 4xx with a reason code within a bounded time, no worker
dies, and the next verification still gets its verdict."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from origincert import pdfqr

from .hostile_pdfs import HOSTILE_PDFS
from .served import Served, redis_server, serve_portal
from .support import Scene

pytestmark = pytest.mark.slow

# One wall-time budget per PDF, plus the request's own work on a loaded 2-core machine.
BOUND_SECONDS = pdfqr.TIMEOUT_SECONDS + 10


@pytest.fixture(scope="module")
def served(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served-pdfs")
    with (
        redis_server(folder) as redis_url,
        serve_portal(
            folder,
            scene,
            redis_url,
            archived=("valid",),
            RATELIMIT_VERIFY="100000 per minute",
            RATELIMIT_IMAGE="100000 per minute",
        ) as portal,
    ):
        yield portal


@pytest.mark.parametrize("label", list(HOSTILE_PDFS))
def test_a_hostile_pdf_is_refused_in_bounded_time(served: Served, scene: Scene, label: str) -> None:
    data = HOSTILE_PDFS[label]()
    before = served.workers()
    officer = served.signed_in("anna", "192.0.2.60")

    started = time.monotonic()
    form = served.upload(officer, data, "certificate.pdf", "application/pdf")
    took = time.monotonic() - started
    assert form.status_code == 422, (label, form.status_code, form.text[:300])
    assert 'role="alert"' in form.text and "PDF" in form.text
    assert took < BOUND_SECONDS, (label, took)

    started = time.monotonic()
    api = served.api("/verify/file", raw=data, content_type="application/pdf")
    took = time.monotonic() - started
    assert api.status_code == 422, (label, api.status_code, api.text[:300])
    error = api.json()["error"]
    assert error["code"].startswith("pdf_") and error["verdict"] in ("UNREADABLE", "REFUSED")
    assert took < BOUND_SECONDS, (label, took)

    # the workers keep serving: the next verification gets its verdict
    valid = served.api("/verify/file", raw=scene.raw("valid"))
    assert valid.status_code == 200 and valid.json()["verdict"] == "VALID"
    assert served.workers() == before, "a worker died"
    assert "Traceback" not in Path(served.output).read_text()
