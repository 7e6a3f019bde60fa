#!/usr/bin/env python
"""Start-up time of the ``origincert`` command: wall time of fresh processes, median of N runs.

The CLI imports an area only when one of its commands runs (a lazy Click group), and each area
imports its heavy libraries (web3, SQLAlchemy, Flask) inside the command, so ``--help`` of every
command and the offline commands should not pay for them. Prints the bare interpreter
(``python -c pass``) and ``import click`` as the floor, ``--help`` of every command in
``origincert.cli.COMMANDS``, and the slowest of those. Beside wall time it prints the process's
CPU time (user + system), which other work on the machine does not inflate as much.

    .venv/bin/python scripts/bench/cli_startup.py            # 15 runs each
    .venv/bin/python scripts/bench/cli_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(argv: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall time, worst wall time, median CPU time of ``runs`` fresh processes."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, start = _children_cpu(), time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu0)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'command':<36} {'median':>8} {'max':>8} {'CPU':>8}   ({args.runs} runs each)")
    walls: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for label, argv in [*FLOOR, *CASES]:
        median, worst, cpu = measure(argv, args.runs)
        print(f"{label:<36} {median * 1000:>6.0f} ms {worst * 1000:>6.0f} ms {cpu * 1000:>6.0f} ms")
        if label.endswith("--help") and label != "origincert --help":
            walls[label], cpus[label] = median, cpu
    slowest = max(walls, key=walls.__getitem__)
    hungriest = max(cpus, key=cpus.__getitem__)
    print(f"slowest command --help: {slowest}, median {walls[slowest] * 1000:.0f} ms")
    print(f"most CPU for --help: {hungriest}, median {cpus[hungriest] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
