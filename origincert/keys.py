"""Encrypted keystores for issuing-body and council keys, and where their passwords come from.

Keystores are the standard Ethereum v3 keyfile (eth-account, scrypt KDF), so geth, Besu tooling
and hardware-wallet importers read them too. The private key exists only inside the keystore and,
once unlocked, inside a ``LocalSigner``: no message, log line or repr here ever includes it.

    create_keystore("keys/chamber.json", password)          # -> "0xAbC…", file mode 0600
    signer = load_signer("keys/chamber.json", password)     # KeystoreError on a wrong password
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from eth_account import Account
from eth_keyfile.exceptions import EthKeyfileValueError
from eth_keys.exceptions import ValidationError
from eth_utils import is_checksum_address, to_checksum_address

from origincert.errors import KeystoreError
from origincert.signing import LocalSigner

if TYPE_CHECKING:
    from origincert.signers.hsm import Pkcs11Signer

__all__ = [
    "KDF_WORK",
    "KdfWork",
    "check_password_policy",
    "create_keystore",
    "keystore_address",
    "load_keystore_signer",
    "load_signer",
    "parse_pkcs11_uri",
    "read_password",
]

log = logging.getLogger(__name__)

KdfWork = Literal["standard", "unsafe_light"]
# scrypt n (r=8, p=1). "standard" is eth-account's and geth's default (about 1 s and 256 MiB per
# unlock); "unsafe_light" is for tests and the demo only: a stolen file falls to guessing quickly.
KDF_WORK: dict[str, int] = {"standard": 2**18, "unsafe_light": 2**12}

# Limits on what a keystore file may ask of us when it is unlocked: the KDF parameters come from
# the file, and a hostile file must not make us spend gigabytes of memory or hours of CPU.
_MAX_SCRYPT_MEMORY = 1 << 30  # bytes, 128 * n * r
_MAX_SCRYPT_P = 16
_MAX_PBKDF2_ROUNDS = 10_000_000
_HEX = re.compile(r"[0-9a-fA-F]*")


def _address(data: dict[str, Any], path: Path) -> str:
    raw = data.get("address")
    if not isinstance(raw, str):
        raise KeystoreError(f"keystore {path} names no address", code="keystore_malformed")
    body = raw.removeprefix("0x")
    if len(body) != 40 or not _HEX.fullmatch(body):
        raise KeystoreError(f"keystore {path} has an invalid address", code="keystore_malformed")
    if body != body.lower() and body != body.upper() and not is_checksum_address("0x" + body):
        raise KeystoreError(
            f"keystore {path} has an address with a wrong checksum", code="keystore_malformed"
        )
    return to_checksum_address("0x" + body)


def _is_hex(value: object, size: int | None = None) -> bool:
    return (
        isinstance(value, str)
        and bool(_HEX.fullmatch(value))
        and len(value) % 2 == 0
        and (size is None or len(value) == 2 * size)
    )


def _is_int(value: object, low: int, high: int) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_crypto(crypto: object, path: Path) -> None:
    """Refuse a structure eth-keyfile would choke on, or KDF parameters that would exhaust us."""

    def bad(why: str) -> KeystoreError:
        return KeystoreError(f"keystore {path} is malformed: {why}", code="keystore_malformed")

    if not isinstance(crypto, dict):
        raise bad("no crypto section")
    if crypto.get("cipher") != "aes-128-ctr":
        raise bad("cipher must be aes-128-ctr")
    params = crypto.get("cipherparams")
    if not isinstance(params, dict) or not _is_hex(params.get("iv"), 16):
        raise bad("cipherparams.iv must be 16 bytes of hex")
    if not _is_hex(crypto.get("ciphertext"), 32):
        raise bad("ciphertext must be 32 bytes of hex")
    if not _is_hex(crypto.get("mac"), 32):
        raise bad("mac must be 32 bytes of hex")
    kdf, kp = crypto.get("kdf"), crypto.get("kdfparams")
    if (
        not isinstance(kp, dict)
        or kp.get("dklen") != 32
        or not _is_hex(kp.get("salt"))
        or not kp["salt"]
    ):
        raise bad("kdfparams must have dklen 32 and a hex salt")
    if kdf == "scrypt":
        n, r, p = kp.get("n"), kp.get("r"), kp.get("p")
        if not (
            _is_int(n, 2, 2**32)
            and n & (n - 1) == 0
            and _is_int(r, 1, 64)
            and _is_int(p, 1, _MAX_SCRYPT_P)
        ):
            raise bad("scrypt needs n a power of two, r in 1..64 and p in 1..16")
        if 128 * n * r > _MAX_SCRYPT_MEMORY:
            raise bad(f"scrypt parameters ask for more than {_MAX_SCRYPT_MEMORY >> 20} MiB")
    elif kdf == "pbkdf2":
        if kp.get("prf") != "hmac-sha256" or not _is_int(kp.get("c"), 1, _MAX_PBKDF2_ROUNDS):
            raise bad(f"pbkdf2 needs prf hmac-sha256 and at most {_MAX_PBKDF2_ROUNDS} rounds")
    else:
        raise bad("kdf must be scrypt or pbkdf2")


def _read_keystore(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeystoreError(f"keystore {p} does not exist", code="keystore_missing") from None
    except IsADirectoryError:
        raise KeystoreError(
            f"keystore {p} is a directory, not a keystore file", code="keystore_malformed"
        ) from None
    except PermissionError:
        raise KeystoreError(
            f"keystore {p} is not readable by this user", code="keystore_unreadable"
        ) from None
    except UnicodeDecodeError:
        raise KeystoreError(
            f"keystore {p} is not a JSON keystore (not UTF-8 text)", code="keystore_malformed"
        ) from None
    except OSError as exc:
        raise KeystoreError(
            f"keystore {p} cannot be read ({exc.strerror})", code="keystore_unreadable"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeystoreError(
            f"keystore {p} is not valid JSON (line {exc.lineno})", code="keystore_malformed"
        ) from None
    if not isinstance(data, dict) or data.get("version") != 3:
        raise KeystoreError(
            f"keystore {p} is not a version 3 Ethereum keystore", code="keystore_malformed"
        )
    return p, data


def keystore_address(path: str | os.PathLike[str]) -> str:
    """The address a keystore names, read without the password.

    The address field is not covered by the keystore's MAC: ``load_signer`` checks it against
    the decrypted key, this function only reads it.
    """
    p, data = _read_keystore(path)
    return _address(data, p)


PKCS11_MODULE_ENV = "ORIGINCERT_PKCS11_MODULE"


def parse_pkcs11_uri(uri: str) -> tuple[str, str, str]:
    """``pkcs11:token=T;object=O?module-path=M`` (RFC 7512) -> ``(module, token, object)``.

    The module may also come from ``$ORIGINCERT_PKCS11_MODULE``. A PIN in the URI is refused: it
    would sit in shell histories and process lists; it comes from the password options.
    """
    from urllib.parse import unquote

    body = uri[len("pkcs11:") :]
    path, _, query = body.partition("?")
    attrs = dict(part.split("=", 1) for part in path.split(";") if "=" in part)
    params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    if "pin-value" in attrs or "pin-value" in params:
        raise KeystoreError(
            "a PIN does not belong in a key URI; give it with --password-file or --password-env",
            code="pkcs11_uri_invalid",
        )
    module = unquote(params.get("module-path", "")) or os.environ.get(PKCS11_MODULE_ENV, "")
    token, label = unquote(attrs.get("token", "")), unquote(attrs.get("object", ""))
    if not (module and token and label):
        raise KeystoreError(
            f"a PKCS#11 key is named as pkcs11:token=TOKEN;object=LABEL?module-path=MODULE "
            f"(or with ${PKCS11_MODULE_ENV}), got {uri!r}",
            code="pkcs11_uri_invalid",
        )
    return module, token, label


def load_signer(path: str | os.PathLike[str], password: str) -> LocalSigner | Pkcs11Signer:
    """Unlock a keystore, or open a key in an HSM named by a ``pkcs11:`` URI (``password`` is
    then the token's PIN; see :func:`parse_pkcs11_uri`).

    Raises KeystoreError: ``keystore_missing``, ``keystore_unreadable``, ``keystore_malformed``
    or ``wrong_password`` (naming the file, never the key); for an HSM ``pkcs11_uri_invalid``,
    ``hsm_token_missing``, ``hsm_wrong_pin``, ``hsm_key_missing``.
    """
    if isinstance(path, str) and path.startswith("pkcs11:"):
        from origincert.signers.hsm import Pkcs11Signer

        module, token, label = parse_pkcs11_uri(path)
        return Pkcs11Signer.open(module, token=token, label=label, pin=password)
    return load_keystore_signer(path, password)


def load_keystore_signer(path: str | os.PathLike[str], password: str) -> LocalSigner:
    """Unlock a keystore file; see :func:`load_signer`."""
    p, data = _read_keystore(path)
    address = _address(data, p)
    crypto = data.get("crypto", data.get("Crypto"))  # geth writes "crypto", old clients "Crypto"
    _check_crypto(crypto, p)
    if not isinstance(password, str):
        raise KeystoreError("a keystore password must be text", code="password_invalid")
    try:
        key = Account.decrypt(data, password)
    except EthKeyfileValueError as exc:
        if "MAC mismatch" in str(exc):
            raise KeystoreError(f"wrong password for keystore {p}", code="wrong_password") from None
        raise KeystoreError(f"keystore {p} is malformed", code="keystore_malformed") from None
    except (ValueError, TypeError, KeyError):
        raise KeystoreError(f"keystore {p} is malformed", code="keystore_malformed") from None
    try:
        account = Account.from_key(key)
    except (ValueError, ValidationError):  # such errors may quote the key: never chain or show them
        raise KeystoreError(
            f"keystore {p} holds no valid secp256k1 key", code="keystore_malformed"
        ) from None
    if account.address != address:
        raise KeystoreError(
            f"keystore {p} names {address} but holds the key of another address",
            code="keystore_malformed",
        )
    return LocalSigner(account)


MIN_PASSWORD_LENGTH = 12  # the portal's minimum for an officer; a signing key deserves no less
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"


def check_password_policy(password: str) -> None:
    """Refuse a password too weak to protect a signing key, saying why and what would do.

    At least 12 characters, and not guessable by zxcvbn's estimator (dictionary words, names,
    keyboard patterns, repeats, sequences, dates: score 3 of 4 or better), because a keystore
    file that leaks can be attacked offline at leisure. Raises KeystoreError ``password_empty``,
    ``password_too_short`` or ``password_too_weak``.
    """
    if not isinstance(password, str) or not password:
        raise KeystoreError("a keystore needs a non-empty password", code="password_empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise KeystoreError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters (it has "
            f"{len(password)}): a keystore that leaks can be attacked offline; use a passphrase "
            "of several uncommon words",
            code="password_too_short",
        )
    from zxcvbn import zxcvbn

    verdict = zxcvbn(password[:100])  # zxcvbn's time grows with length; 100 is plenty
    if verdict["score"] < MIN_PASSWORD_SCORE:
        why = verdict["feedback"].get("warning") or "it is easy to guess"
        hint = " ".join(verdict["feedback"].get("suggestions") or [])
        raise KeystoreError(
            f"the password is too weak to protect a signing key: {why.rstrip('.')}. "
            f"{hint or 'Use a passphrase of several uncommon words.'}".strip(),
            code="password_too_weak",
        )


def create_keystore(
    path: str | os.PathLike[str],
    password: str,
    *,
    overwrite: bool = False,
    kdf_work: KdfWork = "standard",
) -> str:
    """Create a new random key, encrypt it into a keystore at ``path`` and return its address.

    The file is written with mode 0600 in one step (a crash leaves either nothing or the whole
    file), missing parent directories are created with mode 0700, and an existing file is kept
    unless ``overwrite``. The password must pass :func:`check_password_policy`. Raises
    KeystoreError ``keystore_exists``, ``password_empty``, ``password_too_short``,
    ``password_too_weak``, ``keystore_unwritable``.
    """
    if kdf_work not in KDF_WORK:
        raise KeystoreError(
            f"kdf_work must be one of {', '.join(KDF_WORK)}", code="kdf_work_invalid"
        )
    check_password_policy(password)
    target = Path(path)
    if not overwrite and target.exists():
        raise KeystoreError(
            f"keystore {target} already exists; not overwriting it", code="keystore_exists"
        )
    if kdf_work != "standard":
        log.warning(
            "keystore %s uses the %s KDF: for tests and demos only, not for real keys",
            target,
            kdf_work,
        )
    account = Account.create()
    blob = json.dumps(
        Account.encrypt(account.key, password, kdf="scrypt", iterations=KDF_WORK[kdf_work]),
        indent=1,
    )
    _write_private(target, blob.encode() + b"\n", overwrite=overwrite)
    log.info("created keystore %s for %s", target, account.address)
    return account.address


def _write_private(target: Path, content: bytes, *, overwrite: bool) -> None:
    """Write ``content`` to ``target`` atomically with mode 0600 (temp file, fsync, rename/link)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )  # mode 0600
    except OSError as exc:
        raise KeystoreError(
            f"cannot write keystore {target} ({exc.strerror})", code="keystore_unwritable"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the target appeared meanwhile: never clobbers
        _fsync_dir(target.parent)
    except FileExistsError:
        raise KeystoreError(
            f"keystore {target} already exists; not overwriting it", code="keystore_exists"
        ) from None
    except OSError as exc:
        raise KeystoreError(
            f"cannot write keystore {target} ({exc.strerror})", code="keystore_unwritable"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_password(*, prompt: bool, file: str | None, env: str | None, confirm: bool = False) -> str:
    """The keystore password from, in this order: ``file`` (one trailing newline stripped), the
    environment variable named ``env`` when it is set, or a terminal prompt when ``prompt`` and
    stdin is a TTY (asked twice when ``confirm``, for a new keystore).

    Raises KeystoreError ``password_file_missing``, ``password_file_unreadable``,
    ``password_empty``, ``password_mismatch`` or ``password_unavailable`` (nowhere to get one).
    """
    if file is not None:
        password = _password_from_file(file)
        source = f"password file {file}"
    elif env and env in os.environ:
        password = os.environ[env]
        source = f"environment variable {env}"
    elif prompt and sys.stdin.isatty():
        password = getpass.getpass("Keystore password: ")
        if confirm and getpass.getpass("Repeat the password: ") != password:
            raise KeystoreError("the two passwords differ", code="password_mismatch")
        source = "the prompt"
    else:
        where = f"set {env} or " if env else ""
        why = "no terminal to prompt on" if prompt else "prompting is off"
        raise KeystoreError(
            f"no keystore password: {where}give a password file ({why})",
            code="password_unavailable",
        )
    if not password:
        raise KeystoreError(f"the password from {source} is empty", code="password_empty")
    return password


def _password_from_file(file: str) -> str:
    try:
        text = Path(file).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise KeystoreError(
            f"password file {file} does not exist", code="password_file_missing"
        ) from None
    except UnicodeDecodeError:
        raise KeystoreError(
            f"password file {file} is not UTF-8 text", code="password_file_unreadable"
        ) from None
    except OSError as exc:
        raise KeystoreError(
            f"password file {file} cannot be read ({exc.strerror})", code="password_file_unreadable"
        ) from None
    for newline in ("\r\n", "\n"):
        if text.endswith(newline):
            return text[: -len(newline)]
    return text
