"""An offline JSON-LD document loader: only contexts shipped in the package (or given) resolve.

A verifier that fetched ``@context`` URLs would let the credential's author change what the
signed statements mean after signing, and would leak who verifies what. So every context
is served from a fixed table, and any other URL is refused with ``context_unknown``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from origincert.interop.errors import InteropError

__all__ = [
    "CREDENTIALS_V2",
    "ORIGINCERT_COO_V1",
    "ORIGINCERT_UNTP_COO_V1",
    "OfflineLoader",
    "shipped_loader",
]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
ORIGINCERT_COO_V1 = "https://origincert.org/ns/coo/v1"
ORIGINCERT_UNTP_COO_V1 = "https://origincert.org/ns/untp-coo/v1"  # the UNTP DCC extension

_SHIPPED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    ORIGINCERT_COO_V1: "origincert-coo-v1.jsonld",
    ORIGINCERT_UNTP_COO_V1: "origincert-untp-coo-v1.jsonld",
}


@dataclass(frozen=True)
class OfflineLoader:
    """A fixed map from context URL to its parsed document; a pyld ``documentLoader``.

    ``refused`` records the URLs asked for and refused, so the caller can report the reason
    code even though pyld wraps the loader's exception in its own.
    """

    documents: Mapping[str, Any]
    refused: list[str] = field(default_factory=list, compare=False)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        doc = self.documents.get(url)
        if doc is None:
            self.refused.append(url)
            raise InteropError(
                f"the context {url!r} is not one origincert knows; remote contexts are refused",
                code="context_unknown",
            )
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(json.dumps(doc))}

    def with_documents(self, extra: Mapping[str, Any]) -> OfflineLoader:
        """A new loader that also serves ``extra`` (test fixtures, a trust list's contexts)."""
        merged = dict(self.documents)
        merged.update(extra)
        return OfflineLoader(MappingProxyType(merged))


def _read_shipped(name: str) -> Any:
    text = (
        resources.files("origincert.interop").joinpath("contexts").joinpath(name).read_text("utf-8")
    )
    return json.loads(text)


def shipped_loader() -> OfflineLoader:
    """The loader with the contexts that ship in the package (VC 2.0, origincert CoO, its UNTP extension)."""
    available = {}
    for url, name in _SHIPPED.items():
        try:
            available[url] = _read_shipped(name)
        except FileNotFoundError:  # pragma: no cover - a broken install
            continue
    return OfflineLoader(MappingProxyType(available))
