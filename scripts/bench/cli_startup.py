#!/usr/bin/env python
"""Start-up time of the ``origincert`` command: wall time of fresh processes, median of N runs.

The CLI imports an area only when one of its commands runs (a lazy Click group), and each area
imports its heavy libraries (web3, SQLAlchemy, Flask) inside the command, so ``--help`` of every
command and the offline commands should not pay for them. Prints the bare interpreter
(``python -c pass``) and ``import click`` as the floor, ``--help`` of every command in
``origincert.cli.COMMANDS``, and the slowest of those.

    .venv/bin/python scripts/bench/cli_startup.py            # 15 runs each
    .venv/bin/python scripts/bench/cli_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from origincert.cli import COMMANDS

CLI = [sys.executable, "-m", "origincert.cli"]
FLOOR = [
    ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
    ("python -c 'import click'", [sys.executable, "-c", "import click"]),
]
CASES = [
    ("origincert --help", [*CLI, "--help"]),
    ("origincert template --list", [*CLI, "template", "--list"]),
    *((f"origincert {name} --help", [*CLI, name, "--help"]) for name in COMMANDS),
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
    print(f"{'command':<36} {'median':>8} {'max':>8}   ({args.runs} runs each)")
    medians: dict[str, float] = {}
    for label, argv in [*FLOOR, *CASES]:
        median, worst = measure(argv, args.runs)
        print(f"{label:<36} {median * 1000:>6.0f} ms {worst * 1000:>6.0f} ms")
        if (label, argv) in CASES and label.endswith("--help"):
            medians[label] = median
    slowest = max(medians, key=medians.__getitem__)
    print(f"slowest --help: {slowest}, median {medians[slowest] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
