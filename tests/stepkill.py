"""Run ``origincert`` with the issuer's ``step`` callback set to SIGKILL the process at one step.

    python tests/stepkill.py <step> <origincert arguments...>

The library carries no crash hook: its issuing functions take a ``step`` callback (default: do
nothing). The crash tests start this script instead of ``python -m origincert.cli``; it gives the
issuing entry points the CLI and the desk worker call a callback that kills this process, as a
power cut would, when the run reaches the named step of ``origincert.issuer.issuing.STEPS``.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path

from origincert import issuer
from origincert.issuer import issuing, resuming
from origincert.issuer.issuing import STEPS

SCRIPT = Path(__file__).resolve()


def killed_at(step: str) -> list[str]:
    """The argv prefix that runs ``origincert`` killed at ``step`` (the origincert arguments follow)."""
    assert step in STEPS, step
    return [sys.executable, str(SCRIPT), step]


def _main() -> None:
    point, args = sys.argv[1], sys.argv[2:]
    if point not in STEPS:
        raise SystemExit(f"unknown step {point!r}: one of {', '.join(STEPS)}")

    def step(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    # Before the CLI imports the desk worker, which binds these names from origincert.issuer.
    for module, name in ((issuing, "issue_batch"), (issuing, "issue_each"), (resuming, "resume")):
        killing = functools.partial(getattr(module, name), step=step)
        setattr(module, name, killing)
        setattr(issuer, name, killing)
    from origincert.cli import main

    main(args, prog_name="origincert")


if __name__ == "__main__":
    _main()
