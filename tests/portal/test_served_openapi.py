"""The API's OpenAPI document is true (finding 8): Schemathesis, from PyPI, runs against the served
API with its default checks plus positive and negative data acceptance, in both data modes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .served import Served, redis_server, serve_portal
from .support import Scene

pytestmark = pytest.mark.slow

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance,"
    "positive_data_acceptance,negative_data_rejection,"
    "missing_required_header,unsupported_method,ignored_auth"
)


@pytest.fixture(scope="module")
def served(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served-openapi")
    with (
        redis_server(folder) as redis_url,
        serve_portal(
            folder,
            scene,
            redis_url,
            archived=("valid", "revoked"),
            RATELIMIT_API="100000 per minute",
            RATELIMIT_API_FAILURES="100000 per minute",
        ) as portal,
    ):
        yield portal


# Random bytes sent as a PDF or a photo are valid by the schema (any binary string) yet carry no
# QR code: the documented answer is 422 UNREADABLE, so that status counts as accepted there only.
CONFIG = """
[[operations]]
include-operation-id = "verifyFile"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "409", "422", "429"]
"""


def test_schemathesis_finds_the_api_as_documented(served: Served, tmp_path: Path) -> None:
    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    command = [
        str(Path(sys.executable).parent / "st"), "run", f"{served.url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {served.tokens['fuzz']}",
        "--checks", CHECKS, "--mode", "all", "--max-examples", "100",
        "--phases", "examples,coverage,fuzzing", "--workers", "2", "--no-color",
        "--generation-database", "none", "--request-timeout", "60",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    run = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "Tested: 3" in output  # every operation of the document was exercised
    print(output[output.find("SUMMARY") :])
    assert "Traceback" not in Path(served.output).read_text()
