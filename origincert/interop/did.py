"""did:web documents for a chamber's VC key, and finding a key in a local trust list.

A verifier never resolves a DID over the network: it reads the DID documents it trusts from a
local trust list (files the consortium distributes), so a forged web site cannot vouch for a key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.interop.errors import InteropError
from origincert.interop.multikey import decode_public_multikey

__all__ = [
    "VC_KEY_FRAGMENT",
    "TrustList",
    "did_of",
    "did_web",
    "did_web_document",
    "ledger_accounts",
]

VC_KEY_FRAGMENT = "vc-key-1"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def did_web(host: str, *path: str) -> str:
    """``did:web`` of a host (``chamber.example``, optional ``:port``) and optional path segments."""
    host = host.lower()
    if not _HOST.match(host) or any(not _SEGMENT.match(p) for p in path):
        raise InteropError(f"{host!r} is not a host name for did:web", code="did_invalid")
    return ":".join(["did:web", host.replace(":", "%3A"), *path])


def did_web_document(
    did: str, public_multikey: str, *, ledger_address: str | Sequence[str], chain_id: int
) -> dict[str, Any]:
    """The DID document a chamber publishes at ``/.well-known/did.json`` (or ``/path/did.json``).

    The VC key is a P-256 Multikey, the only assertion method. The ledger account that signs the
    anchors is named in ``alsoKnownAs`` as ``did:pkh:eip155:<chain id>:<address>`` (CAIP-10), a
    term the DID context defines, so JSON-LD processors that refuse undefined terms still read
    the document (``blockchainAccountId`` is not defined by the Multikey context). List every
    signing address the body has used (key rotation): certificates signed before a rotation
    name the old one.
    """
    decode_public_multikey(public_multikey)
    addresses = [ledger_address] if isinstance(ledger_address, str) else list(ledger_address)
    if not addresses or not all(re.fullmatch(r"0x[0-9a-fA-F]{40}", a) for a in addresses):
        raise InteropError("each ledger address must be 0x and 40 hex digits", code="did_invalid")
    vm_id = f"{did}#{VC_KEY_FRAGMENT}"
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "alsoKnownAs": [f"did:pkh:eip155:{chain_id}:{a}" for a in addresses],
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_multikey,
            }
        ],
        "assertionMethod": [vm_id],
    }


def did_of(verification_method: str) -> str:
    return verification_method.split("#", 1)[0]


def ledger_accounts(document: Mapping[str, Any]) -> set[tuple[int, str]]:
    """(chain id, lowercase address) of each ``did:pkh:eip155`` the DID document is also known as."""
    out = set()
    for alias in document.get("alsoKnownAs") or []:
        m = re.fullmatch(r"did:pkh:eip155:([0-9]{1,18}):(0x[0-9a-fA-F]{40})", alias or "")
        if m:
            out.add((int(m.group(1)), m.group(2).lower()))
    return out


@dataclass(frozen=True)
class TrustList:
    """DID documents a verifier trusts, by DID."""

    documents: Mapping[str, Mapping[str, Any]]

    def assertion_key(self, verification_method: str) -> Mapping[str, Any]:
        """The Multikey method ``verification_method`` names, if its DID is trusted and lists it
        as an assertion method; InteropError ``key_unknown`` otherwise."""
        doc = self.documents.get(did_of(verification_method))
        if doc is None:
            raise InteropError(
                f"the DID {did_of(verification_method)} is not in the trust list",
                code="key_unknown",
            )
        did = doc.get("id")

        def absolute(ref: Any) -> Any:
            return f"{did}{ref}" if isinstance(ref, str) and ref.startswith("#") else ref

        listed = {
            absolute(r if isinstance(r, str) else r.get("id"))
            for r in doc.get("assertionMethod", [])
        }
        if verification_method not in listed:
            raise InteropError("the key is not an assertion method of its DID", code="key_unknown")
        for method in doc.get("verificationMethod", []):
            if isinstance(method, dict) and absolute(method.get("id")) == verification_method:
                if method.get("type") != "Multikey" or method.get("controller") != did:
                    raise InteropError("the key is not a Multikey of its DID", code="key_unknown")
                decode_public_multikey(method.get("publicKeyMultibase", ""))
                return method
        raise InteropError("the DID document lacks the key", code="key_unknown")
