"""argon2id password hashes and random API keys kept only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from origincert.errors import PasswordError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PasswordError",
    "check_strength",
    "hasher",
    "key_hash",
    "new_key",
    "verify",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


def hasher(profile: str = "RFC_9106_LOW_MEMORY") -> PasswordHasher:
    """argon2id with one of argon2-cffi's named profiles (tests use ``CHEAPEST``)."""
    try:
        return PasswordHasher.from_parameters(getattr(profiles, profile))
    except AttributeError:
        raise PasswordError(
            f"unknown argon2 profile {profile!r}", code="argon2_profile_unknown"
        ) from None


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            code="password_too_short",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(
            f"the password is too long (at most {MAX_PASSWORD_LENGTH} characters)",
            code="password_too_long",
        )


def verify(ph: PasswordHasher, stored: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or damaged hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_key(prefix: str) -> str:
    """A random key, 256 bits, that says what it is (``prefix``) for secret scanners."""
    return prefix + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """What is stored of a key: its SHA-256 (a random key needs no slow hash)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
