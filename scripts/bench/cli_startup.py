#!/usr/bin/env python
"""Start-up time of the ``origincert`` command: wall time of fresh processes, median of N runs.

The CLI imports an area only when one of its commands runs (a lazy Click group), so ``--help``
and the offline commands should not pay for web3, SQLAlchemy or Flask. Also prints the bare
interpreter (``python -c pass``) and ``import click`` as the floor.

    .venv/bin/python scripts/bench/cli_startup.py            # 15 runs each
    .venv/bin/python scripts/bench/cli_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = [
    ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
    ("python -c 'import click'", [sys.executable, "-c", "import click"]),
    ("origincert --help", [sys.executable, "-m", "origincert.cli", "--help"]),
    ("origincert template --list", [sys.executable, "-m", "origincert.cli", "template", "--list"]),
    ("origincert verify --help", [sys.executable, "-m", "origincert.cli", "verify", "--help"]),
    ("origincert issue --help", [sys.executable, "-m", "origincert.cli", "issue", "--help"]),
]


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'command':<32} {'median':>8} {'max':>8}   ({args.runs} runs each)")
    for label, argv in CASES:
        median, worst = measure(argv, args.runs)
        print(f"{label:<32} {median * 1000:>6.0f} ms {worst * 1000:>6.0f} ms")


if __name__ == "__main__":
    main()
