"""The chamber's VC key (P-256) in an encrypted keystore file: the I/O edge of the interop layer.

The file is JSON: the public Multikey in clear (so ``issuer did`` needs no password) and the
32-byte secret sealed with AES-256-GCM under a key stretched from the password with Argon2id
(``argon2-cffi``, ``cryptography``); the public key is the associated data, so the two cannot be
swapped apart.
Written once, mode 0600, never over an existing file (the same writer as the ledger keystores).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from origincert.errors import KeystoreError
from origincert.interop.p256 import P256KeyPair, generate_key_pair
from origincert.keys import _write_private

__all__ = ["KDF_WORK", "create_vc_keystore", "load_vc_key", "vc_keystore_public"]

KIND = "origincert-vc-key-1"
KDF_WORK = {
    "standard": (3, 65_536),
    "unsafe_light": (1, 8),
}  # (passes, KiB): RFC 9106's second choice


def _stretch(password: str, salt: bytes, passes: int, memory: int) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=passes,
        memory_cost=memory,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )


def create_vc_keystore(
    path: str | os.PathLike[str], password: str, *, kdf_work: str = "standard"
) -> str:
    """Create a P-256 VC key encrypted under ``password`` at ``path``; return its public Multikey."""
    if not password:
        raise KeystoreError("a keystore needs a non-empty password", code="password_empty")
    target = Path(path)
    if target.exists():
        raise KeystoreError(
            f"keystore {target} already exists; not overwriting it", code="keystore_exists"
        )
    key = generate_key_pair()
    passes, memory = KDF_WORK[kdf_work]
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_stretch(password, salt, passes, memory)).encrypt(
        nonce, key.secret, key.public_multikey.encode()
    )
    blob = {
        "kind": KIND,
        "publicKeyMultibase": key.public_multikey,
        "kdf": {"name": "argon2id", "passes": passes, "memoryKiB": memory, "salt": salt.hex()},
        "nonce": nonce.hex(),
        "sealed": sealed.hex(),
    }
    _write_private(target, (json.dumps(blob, indent=1) + "\n").encode(), overwrite=False)
    return key.public_multikey


def _read(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise KeystoreError(f"cannot read VC keystore {path}", code="keystore_unreadable") from exc
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise KeystoreError(f"{path} is not an origincert VC keystore", code="keystore_invalid")
    return data


def vc_keystore_public(path: str | os.PathLike[str]) -> str:
    """The public Multikey a VC keystore names (no password needed)."""
    return _read(path)["publicKeyMultibase"]


def load_vc_key(path: str | os.PathLike[str], password: str) -> P256KeyPair:
    """Unlock a VC keystore; the key must match the public Multikey written beside it."""
    data = _read(path)
    try:
        kdf = data["kdf"]
        if kdf["name"] != "argon2id" or not (
            1 <= kdf["passes"] <= 10 and 8 <= kdf["memoryKiB"] <= 4_194_304
        ):
            raise ValueError("kdf")
        secret = AESGCM(
            _stretch(password, bytes.fromhex(kdf["salt"]), kdf["passes"], kdf["memoryKiB"])
        ).decrypt(
            bytes.fromhex(data["nonce"]),
            bytes.fromhex(data["sealed"]),
            data["publicKeyMultibase"].encode(),
        )
    except InvalidTag as exc:
        raise KeystoreError(
            "wrong password or damaged VC keystore", code="keystore_locked"
        ) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise KeystoreError("the VC keystore is damaged", code="keystore_invalid") from exc
    key = P256KeyPair.from_secret(secret)
    if key.public_multikey != data["publicKeyMultibase"]:
        raise KeystoreError(
            "the VC keystore's public key does not match its secret", code="keystore_invalid"
        )
    return key
