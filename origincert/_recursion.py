"""Keep the interpreter's recursion limit where Python puts it, whatever py_ecc does.

``py_ecc`` (imported by eth-account and web3) calls ``sys.setrecursionlimit(100000)`` for the whole
process. With that limit a deeply nested input overflows the C stack and kills the process by
SIGSEGV instead of raising ``RecursionError``: one unauthenticated request could crash a portal
worker. origincert's signing needs no deep recursion, so the limit is put back right after
py_ecc's import, in whichever order the embedding application imports things.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["SAFE_RECURSION_LIMIT", "install"]

SAFE_RECURSION_LIMIT = 1000  # CPython's default; deep enough for every parser we call


class _RestoreAfterPyEcc(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if name != "py_ecc":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_restore(module: ModuleType) -> None:
            limit = sys.getrecursionlimit()
            try:
                exec_module(module)
            finally:
                sys.setrecursionlimit(min(limit, sys.getrecursionlimit()))

        loader.exec_module = exec_and_restore  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Restore the limit now if py_ecc came first, and after py_ecc's import otherwise."""
    if "py_ecc" in sys.modules:
        sys.setrecursionlimit(min(sys.getrecursionlimit(), SAFE_RECURSION_LIMIT))
    elif not any(isinstance(f, _RestoreAfterPyEcc) for f in sys.meta_path):
        sys.meta_path.insert(0, _RestoreAfterPyEcc())
