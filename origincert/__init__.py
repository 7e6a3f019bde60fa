"""origincert: certificates of origin anchored on a permissioned EVM ledger.

The embedding API, imported lazily (``import origincert`` loads none of web3, pydantic or
SQLAlchemy until a name below is used)::

    import origincert

    client = origincert.connect("http://127.0.0.1:8545", "manifest.json")
    signer = origincert.load_signer("keys/chamber.json", password)
    files = origincert.issue(client, signer, [document], journal="journal.sqlite")
    result = origincert.verify_file("DE-1.coo.json", client=client)
    result.verdict is origincert.Verdict.VALID

Errors: every exception is in :mod:`origincert.errors`, under :class:`OriginCertError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from origincert import _recursion

__version__ = "0.1.0"

_recursion.install()

# public name -> module that defines it
_LAZY = {
    "connect": "origincert.api",
    "issue": "origincert.api",
    "read_issued": "origincert.api",
    "redacted_copy": "origincert.api",
    "make_verifier": "origincert.api",
    "verify_bytes": "origincert.api",
    "verify_file": "origincert.api",
    "verify_qr": "origincert.api",
    "load_signer": "origincert.keys",
    "create_keystore": "origincert.keys",
    "template": "origincert.templates",
    "Verifier": "origincert.verifier",
    "Verdict": "origincert.verdict",
    "VerificationResult": "origincert.verdict",
    "OriginCertError": "origincert.errors",
    "DocumentError": "origincert.errors",
    "ChainUnavailable": "origincert.errors",
    "VerificationFailed": "origincert.errors",
}

__all__ = [
    "ChainUnavailable",
    "DocumentError",
    "OriginCertError",
    "Verdict",
    "VerificationFailed",
    "VerificationResult",
    "Verifier",
    "__version__",
    "connect",
    "create_keystore",
    "errors",
    "issue",
    "load_signer",
    "make_verifier",
    "read_issued",
    "redacted_copy",
    "template",
    "verify_bytes",
    "verify_file",
    "verify_qr",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on use
    from origincert import errors
    from origincert.api import (
        connect,
        issue,
        make_verifier,
        read_issued,
        redacted_copy,
        verify_bytes,
        verify_file,
        verify_qr,
    )
    from origincert.errors import (
        ChainUnavailable,
        DocumentError,
        OriginCertError,
        VerificationFailed,
    )
    from origincert.keys import create_keystore, load_signer
    from origincert.templates import template
    from origincert.verdict import Verdict, VerificationResult
    from origincert.verifier import Verifier


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("origincert.errors")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'origincert' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
