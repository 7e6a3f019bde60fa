"""One signer interface for anchors (EIP-712 typed data) and transactions, whatever holds the key.

A signer is given the *typed data* to sign, never a bare digest, so a device with a screen can
show "Anchor(root, leafCount) for origincert on chain 31337" before the holder approves; the
digest is computed from that typed data, by eth-account's EIP-712 encoder. The same object signs
the transaction that carries the anchor, so one key (one device) does both.

- :class:`Signer`: the protocol every signer meets (``address``, ``sign_typed_data``,
  ``sign_transaction``; ``sign_digest`` for the callers that still hand over a digest).
- :class:`HashSigner`: the base for keys that can only sign a 32-byte hash (an HSM, a KMS): a
  subclass implements ``_sign_hash`` and gets the rest, canonical low-s signatures and the
  recovery id included.
- :class:`origincert.signers.hsm.Pkcs11Signer`: a secp256k1 key inside a PKCS#11 token (a chamber's
  HSM; tested with SoftHSM2). Imported on its own, so ``python-pkcs11`` is needed only there.
- :class:`origincert.signing.LocalSigner`: a key from an encrypted keystore, the fast path.
"""

from origincert.signers.base import HashSigner, Signer, TypedData, typed_data_digest

__all__ = ["HashSigner", "Signer", "TypedData", "typed_data_digest"]
