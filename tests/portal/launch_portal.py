"""``origincert`` exactly as its console script runs it, with one probe for the tests: after each
request, a gunicorn worker appends its pid, recursion limit, method and path to
``$ORIGINCERT_TEST_PROBE``. The served portal is otherwise the real one (``portal serve``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from origincert.portal import server

_options = server.gunicorn_options


def _probe(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    with open(os.environ["ORIGINCERT_TEST_PROBE"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {sys.getrecursionlimit()} {req.method} {req.path}\n")


def _with_probe(*args: Any, **kwargs: Any) -> dict[str, Any]:
    options = _options(*args, **kwargs)
    options["post_request"] = _probe
    return options


server.gunicorn_options = _with_probe

if __name__ == "__main__":
    from origincert.cli import main

    sys.exit(main())
