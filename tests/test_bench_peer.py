"""The OpenAttestation peer benchmark runs (a handful of certificates; figures are not checked:
benchmarks print, tests do not time). It fails if OpenAttestation's package is missing or if
either side stops verifying what it wrapped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "scripts/bench/peers/openattestation/run.py"


def test_the_peer_benchmark_runs_both_sides_on_the_same_certificates() -> None:
    out = subprocess.run(
        [sys.executable, str(RUN), "--count", "20"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert out.startswith("20 certificates")
    assert "batch wrap / issue" in out and "offline verification" in out
    assert "@govtechsg/open-attestation" in out
