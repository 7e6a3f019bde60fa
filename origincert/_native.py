"""The native core (``native/``, the ``origincert_native`` extension) when it is installed.

``scripts/setup`` builds and installs it; without it every caller runs the pure-Python
reference, which stays the specification (a native function answers exactly what its reference
answers, or None, and then the reference decides: ``tests/test_native.py`` holds them to that).
Set ``ORIGINCERT_NO_NATIVE=1`` to run the reference alone.
"""

from __future__ import annotations

import os

try:
    import origincert_native as ext
except ImportError:  # not built: the pure-Python reference does everything
    ext = None  # type: ignore[assignment]

__all__ = ["NATIVE", "ext"]

NATIVE = ext is not None and not os.environ.get("ORIGINCERT_NO_NATIVE")
