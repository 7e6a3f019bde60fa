"""A secp256k1 signing key inside a PKCS#11 token: a chamber's HSM (tested with SoftHSM2).

The key never leaves the token: the token signs 32-byte hashes with ``CKM_ECDSA`` and returns
``r || s``; :class:`~origincert.signers.base.HashSigner` makes the signature canonical and finds
its recovery id. Needs the ``hsm`` extra (``python-pkcs11``) and the vendor's PKCS#11 module.

    signer = Pkcs11Signer.open("/usr/lib/softhsm/libsofthsm2.so", token="chamber",
                               label="signing", pin=pin)
"""

from __future__ import annotations

from typing import Any

from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from origincert.errors import KeystoreError
from origincert.signers.base import HashSigner

__all__ = ["Pkcs11Signer", "generate_key", "import_key"]

SECP256K1_OID = "secp256k1"


def _import() -> Any:
    try:
        import pkcs11
    except ImportError as exc:  # pragma: no cover - the hsm extra is part of dev
        raise KeystoreError(
            "PKCS#11 signing needs python-pkcs11: pip install 'origincert[hsm]'",
            code="hsm_unavailable",
        ) from exc
    return pkcs11


def _address_of_point(ec_point: bytes) -> str:
    """The address of a public key given as PKCS#11's CKA_EC_POINT (a DER OCTET STRING holding
    the uncompressed point ``04 || x || y``)."""
    from asn1crypto.core import OctetString

    point = ec_point
    if len(point) != 65:
        point = OctetString.load(ec_point).native
    if len(point) != 65 or point[0] != 4:
        raise KeystoreError(
            "the token's key is not an uncompressed secp256k1 point", code="hsm_key_invalid"
        )
    return to_checksum_address(keccak(point[1:])[-20:])


class Pkcs11Signer(HashSigner):
    """Signs with the private key labelled ``label`` in an open PKCS#11 session."""

    def __init__(self, session: Any, label: str) -> None:
        pkcs11 = _import()
        try:
            self._private = session.get_key(
                object_class=pkcs11.ObjectClass.PRIVATE_KEY, key_type=pkcs11.KeyType.EC, label=label
            )
            public = session.get_key(
                object_class=pkcs11.ObjectClass.PUBLIC_KEY, key_type=pkcs11.KeyType.EC, label=label
            )
        except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as exc:
            raise KeystoreError(
                f"the token holds no single EC key pair labelled {label!r}", code="hsm_key_missing"
            ) from exc
        self._session = session
        self._label = label
        self._address = _address_of_point(bytes(public[pkcs11.Attribute.EC_POINT]))
        self._mechanism = pkcs11.Mechanism.ECDSA

    @classmethod
    def open(cls, module: str, *, token: str, label: str, pin: str) -> Pkcs11Signer:
        """Load the vendor's PKCS#11 ``module``, log in to ``token`` and find key ``label``.

        Raises KeystoreError ``hsm_token_missing``, ``hsm_wrong_pin``, ``hsm_key_missing``.
        """
        pkcs11 = _import()
        try:
            found = pkcs11.lib(module).get_token(token_label=token)
        except (pkcs11.NoSuchToken, RuntimeError, OSError) as exc:
            raise KeystoreError(
                f"no PKCS#11 token labelled {token!r} in {module}", code="hsm_token_missing"
            ) from exc
        try:
            session = found.open(user_pin=pin)
        except (pkcs11.PinIncorrect, pkcs11.PinLenRange) as exc:
            raise KeystoreError(
                f"the PIN of token {token!r} is wrong", code="hsm_wrong_pin"
            ) from exc
        try:
            return cls(session, label)
        except BaseException:
            session.close()  # the last session closed logs the application out of the token
            raise

    @property
    def address(self) -> str:
        return self._address

    def _sign_hash(self, digest: bytes) -> tuple[int, int]:
        raw = self._private.sign(digest, mechanism=self._mechanism)
        half = len(raw) // 2
        return int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")

    def close(self) -> None:
        """Close the session (the key stays in the token)."""
        self._session.close()

    def __repr__(self) -> str:
        return f"Pkcs11Signer(label={self._label!r}, address={self._address})"


def generate_key(session: Any, label: str) -> str:
    """Create a secp256k1 key pair inside the token (the private key is sensitive and not
    extractable) and return its address. For provisioning a chamber's HSM."""
    pkcs11 = _import()
    from pkcs11.util.ec import encode_named_curve_parameters

    params = session.create_domain_parameters(
        pkcs11.KeyType.EC,
        {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters(SECP256K1_OID)},
        local=True,
    )
    public, _ = params.generate_keypair(
        store=True,
        label=label,
        private_template={
            pkcs11.Attribute.SENSITIVE: True,
            pkcs11.Attribute.EXTRACTABLE: False,
        },
    )
    return _address_of_point(bytes(public[pkcs11.Attribute.EC_POINT]))


def import_key(session: Any, label: str, private_key: bytes) -> str:
    """Put an existing secp256k1 key into the token (sensitive, not extractable afterwards) and
    return its address: moving a chamber's keystore key into its HSM without a new accreditation."""
    pkcs11 = _import()
    from coincurve import PrivateKey
    from pkcs11.util.ec import encode_named_curve_parameters

    if len(private_key) != 32:
        raise KeystoreError("a secp256k1 private key is 32 bytes", code="hsm_key_invalid")
    point = PrivateKey(private_key).public_key.format(compressed=False)
    params = encode_named_curve_parameters(SECP256K1_OID)
    from asn1crypto.core import OctetString

    common = {
        pkcs11.Attribute.KEY_TYPE: pkcs11.KeyType.EC,
        pkcs11.Attribute.EC_PARAMS: params,
        pkcs11.Attribute.LABEL: label,
        pkcs11.Attribute.TOKEN: True,
    }
    session.create_object(
        {
            **common,
            pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PUBLIC_KEY,
            pkcs11.Attribute.EC_POINT: OctetString(point).dump(),
            pkcs11.Attribute.VERIFY: True,
        }
    )
    session.create_object(
        {
            **common,
            pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY,
            pkcs11.Attribute.VALUE: private_key,
            pkcs11.Attribute.SIGN: True,
            pkcs11.Attribute.SENSITIVE: True,
            pkcs11.Attribute.EXTRACTABLE: False,
            pkcs11.Attribute.PRIVATE: True,
        }
    )
    return _address_of_point(point)
