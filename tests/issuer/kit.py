"""Helpers for the issuing tests (imported as ``issuer.kit``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from origincert.verifier import Verifier

PASSWORD = "correct horse battery staple"


def write_keystore(path: Path, account: LocalAccount, password: str = PASSWORD) -> Path:
    """A keystore of a known test key (light scrypt: tests only)."""
    path.write_text(
        json.dumps(Account.encrypt(account.key, password, kdf="scrypt", iterations=2**12))
    )
    return path


def write_docs(folder: Path, docs: list[dict[str, Any]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in docs:
        p = folder / f"{d['number']}.json"
        p.write_text(json.dumps(d, ensure_ascii=False))
        paths.append(p)
    return paths


def verdict_of(client, issued: dict[str, Any]) -> str:
    """What the project's verifier says of an issued file, judged on its issue date."""
    on = date.fromisoformat(issued["document"]["issue_date"])
    return Verifier(client, clock=lambda: on).verify(issued).verdict.value
