"""JSON-LD to canonical N-Quads (RDFC-1.0 / URDNA2015, by pyld), always through an offline loader.

Each call gets its own context cache, so a context served by one loader is never reused by
another (pyld's default cache is process-wide).
"""

from __future__ import annotations

import copy
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from origincert.interop.errors import InteropError
from origincert.interop.loader import OfflineLoader

__all__ = [
    "canonicalize",
    "canonicalize_nquads",
    "compact",
    "expand",
    "split_nquads",
    "to_nquads",
]


def _options(loader: OfflineLoader, **extra: Any) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(LRUCache(maxsize=64), loader),
        **extra,
    }


def _run(loader: OfflineLoader, fn: Any, *args: Any) -> Any:
    before = len(loader.refused)
    try:
        return fn(*args)
    except jsonld.JsonLdError as exc:
        if len(loader.refused) > before:
            raise InteropError(
                f"the context {loader.refused[-1]!r} is not one origincert knows; "
                "remote contexts are refused",
                code="context_unknown",
            ) from exc
        raise InteropError(
            f"the JSON-LD is not valid: {_reason(exc)}", code="jsonld_invalid"
        ) from exc


def _reason(exc: BaseException) -> str:
    code = getattr(exc, "code", None) or getattr(exc, "type", None)
    return f"{exc.__class__.__name__} {code or ''}".strip()


def split_nquads(text: str) -> list[str]:
    """N-Quads text as a list of statements, each ending with a newline."""
    return [line + "\n" for line in text.split("\n") if line]


def expand(doc: dict[str, Any], loader: OfflineLoader) -> list[Any]:
    return _run(loader, jsonld.expand, copy.deepcopy(doc), _options(loader))


def compact(doc: Any, ctx: Any, loader: OfflineLoader) -> dict[str, Any]:
    return _run(loader, jsonld.compact, copy.deepcopy(doc), ctx, _options(loader))


def to_nquads(doc: Any, loader: OfflineLoader) -> list[str]:
    """The document's statements (not canonical), as N-Quads lines."""
    text = _run(
        loader, jsonld.to_rdf, copy.deepcopy(doc), _options(loader, format="application/n-quads")
    )
    return split_nquads(text)


MAX_RELATED_GROUP = 4  # blank nodes that look alike: their permutations are tried, 4! = 24
MAX_N_DEGREE_CALLS = 2_000


class _BoundedURDNA2015(URDNA2015):
    """URDNA2015 with a work budget. Blank nodes that look alike make the algorithm try every
    permutation of them (a dozen identical goods items: 12! orderings), so a hostile credential
    could hold a verifier for hours; real certificates need few or no such steps."""

    def __init__(self) -> None:
        super().__init__()
        self._calls = 0

    def create_hash_to_related(self, id_: Any, issuer: Any) -> Any:
        related = super().create_hash_to_related(id_, issuer)
        if any(len(nodes) > MAX_RELATED_GROUP for nodes in related.values()):
            raise InteropError(
                "the credential has too many look-alike nodes to canonicalize",
                code="jsonld_too_complex",
            )
        return related

    def hash_n_degree_quads(self, id_: Any, issuer: Any) -> Any:
        self._calls += 1
        if self._calls > MAX_N_DEGREE_CALLS:
            raise InteropError(
                "the credential is too complex to canonicalize", code="jsonld_too_complex"
            )
        return super().hash_n_degree_quads(id_, issuer)


def canonicalize_nquads(nquads: list[str]) -> tuple[list[str], dict[str, str]]:
    """Canonical, sorted N-Quads and the map from input blank-node ids to ``c14nN`` ids.

    Both map sides are bare labels (no ``_:``), as the Data Integrity algorithms use them.
    """
    dataset: dict[str, list[Any]] = {}
    # statement by statement: pyld's parser removes duplicates by comparing each new triple with
    # every earlier one of its graph, quadratic for the thousands of statements of a certificate
    for line in dict.fromkeys(nquads):
        for graph, triples in jsonld.JsonLdProcessor.parse_nquads(line).items():
            dataset.setdefault(graph, []).extend(triples)
    canon = _BoundedURDNA2015()
    text = canon.main(dataset, {"format": "application/n-quads"})
    issued = {
        old.removeprefix("_:"): new.removeprefix("_:")
        for old, new in canon.canonical_issuer.existing.items()
    }
    return split_nquads(text), issued


def canonicalize(doc: dict[str, Any], loader: OfflineLoader) -> list[str]:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    return canonicalize_nquads(to_nquads(doc, loader))[0]
