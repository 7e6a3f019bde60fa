"""Interoperability: W3C Verifiable Credentials (Data Integrity ECDSA) and UNTP forms of a certificate.

Everything here is pure (no web3, no network): JSON-LD contexts come from an offline loader,
keys are passed in. The mapping between the certificate model and the credential lives in one
module (``mapping``) so a new issued-file format changes one place.
"""
