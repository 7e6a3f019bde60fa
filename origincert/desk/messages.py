"""The marker of a message translated where it is shown, not where it is defined (``N_``).

Pure, so the service layer can mark its reason lists without importing Flask; the desk's
templates translate them with ``_()`` and ``scripts/i18n`` extracts them by this name.
"""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:
    return message
