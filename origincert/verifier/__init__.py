"""Verifying certificates of origin: every check named, single, batch and offline, no false VALID.

    from origincert.verifier import Verifier, verify_or_raise
    v = Verifier.connect(rpc_url, manifest)   # or Verifier(client) / Verifier.offline()
    result = v.verify_bytes(upload)           # MALFORMED for bad input, never an exception
    if result.verdict is Verdict.VALID: ...

Each check is a policy (``origincert.verifier.policy.Policy``) with a stable reason code; a
verifier is an ordered list of them. The ledger is read at the edge (``ledger.py``) in a few
batched calls; every check is a pure function of the file and those facts. A node that does not
answer raises ``origincert.errors.ChainUnavailable``: never an INVALID verdict.
"""

from origincert.verdict import Check, CheckStatus, Verdict, VerificationResult
from origincert.verifier.policy import MANDATORY, Policy
from origincert.verifier.verifier import (
    DEFAULT_POLICIES,
    MAX_INPUT_BYTES,
    Verifier,
    verify_or_raise,
)

__all__ = [
    "DEFAULT_POLICIES",
    "MANDATORY",
    "MAX_INPUT_BYTES",
    "Check",
    "CheckStatus",
    "Policy",
    "Verdict",
    "VerificationResult",
    "Verifier",
    "verify_or_raise",
]
