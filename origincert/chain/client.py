"""The only module that talks JSON-RPC: connection, contract bindings, transactions, reverts.

Works with any Ethereum JSON-RPC node: Hardhat in development, Besu (QBFT, zero gas price) in
production. Transactions are legacy, signed locally with an explicit chain id; the nonce of each
sender is kept locally under a lock so concurrent senders do not collide.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import requests
from eth_account.datastructures import SignedTransaction
from eth_typing import HexStr
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    ContractLogicError,
    ProviderConnectionError,
    RequestTimedOut,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import BlockIdentifier, RPCEndpoint, TxParams

from origincert.chain import codec
from origincert.chain.artifacts import load_artifact
from origincert.chain.errors import decode_revert
from origincert.chain.failover import (
    FailoverProvider,
    Resent,
    await_receipt,
    classify_send_error,
    split_urls,
)
from origincert.chain.logs import default_log_span
from origincert.chain.manifest import Manifest
from origincert.errors import ChainError, ChainUnavailable, NodeHttpError

T = TypeVar("T")

__all__ = ["ChainClient", "TransactionSigner", "TxResult"]


class TransactionSigner(Protocol):
    """What the client needs from a key: an address and local transaction signing."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> SignedTransaction: ...


@dataclass(frozen=True)
class TxResult:
    tx_hash: str
    block_number: int
    gas_used: int
    receipt: Any


def _unavailable(url: str, exc: BaseException) -> ChainUnavailable:
    if isinstance(exc, (requests.Timeout, RequestTimedOut, TimeExhausted)):
        return ChainUnavailable(f"the node at {url} did not answer in time", code="node_timeout")
    return ChainUnavailable(
        f"the node at {url} is not reachable ({type(exc).__name__})", code="node_unreachable"
    )


def _revert_data(exc: ContractLogicError) -> str | None:
    """Nodes put revert data either directly or in an error object (Hardhat, Besu)."""
    data = exc.data
    if isinstance(data, dict):
        data = data.get("data")
    return data if isinstance(data, (str, bytes)) else None


def _rpc_revert_data(exc: Web3RPCError) -> str | None:
    error = exc.rpc_response.get("error") if isinstance(exc.rpc_response, dict) else None
    data = error.get("data") if isinstance(error, dict) else None
    if isinstance(data, dict):
        data = data.get("data")
    return data if isinstance(data, str) and data.startswith("0x") and len(data) >= 10 else None


def _confirmations_from_env() -> int:
    text = os.environ.get("ORIGINCERT_CONFIRMATIONS", "").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        raise ChainError(
            f"ORIGINCERT_CONFIRMATIONS must be a whole number of blocks, at least 1 (not {text!r})",
            code="bad_confirmations",
        )
    return int(text)


_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    ProviderConnectionError,
    RequestTimedOut,
    OSError,
)


class ChainClient:
    """A connection to one node and, with a manifest, to the two registries on it."""

    def __init__(
        self,
        w3: Web3,
        url: str,
        manifest: Manifest | None,
        *,
        gas_price: int = 0,
        log_span: int | None = None,
    ) -> None:
        self.w3 = w3
        self.url = url
        self.manifest = manifest
        self.gas_price = gas_price
        # blocks per eth_getLogs (origincert.chain.logs): nodes refuse wider ranges
        self.log_span = log_span if log_span is not None else default_log_span()
        self.chain_id = self.guard(lambda: w3.eth.chain_id)
        if manifest is not None and manifest.chain_id != self.chain_id:
            raise ChainUnavailable(
                f"the node at {url} is chain {self.chain_id}, the manifest names chain {manifest.chain_id}",
                code="wrong_network",
            )
        self._nonce_lock = threading.Lock()
        self._nonces: dict[str, int] = {}
        self._sender_locks: dict[str, threading.Lock] = {}
        self._issuers: Contract | None = None
        self._certificates: Contract | None = None
        # Blocks a receipt must be under before it counts (Clique has no finality); 1 on Hardhat.
        self.confirmations = 1
        self._raw: dict[str, bytes] = {}  # signed transactions not yet confirmed, by hash

    @classmethod
    def connect(
        cls,
        url: str,
        manifest: Manifest | None = None,
        *,
        timeout: float = 10.0,
        confirmations: int | None = None,
        log_span: int | None = None,
        retry: bool = True,
    ) -> ChainClient:
        """Connect and check the node answers (and is the manifest's network).

        ``url`` may list several nodes separated by commas: the member's own first, then
        fall-backs (see :mod:`origincert.chain.failover`). ``confirmations`` (default
        ``ORIGINCERT_CONFIRMATIONS`` or 1) is how deep a receipt must be before it counts.
        ``retry=False`` turns off web3's retries with backoff for a single node, so ``timeout``
        bounds each request (the CLI's ``--timeout``).
        """
        urls = split_urls(url)
        provider: Any
        if len(urls) == 1:
            provider = Web3.HTTPProvider(urls[0], request_kwargs={"timeout": timeout})
            if not retry:
                provider.exception_retry_configuration = None
        else:
            provider = FailoverProvider(urls, timeout=timeout)
        w3 = Web3(provider)
        # QBFT/Clique blocks carry long extraData; web3 refuses them without this middleware.
        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        client = cls(w3, ",".join(urls), manifest, log_span=log_span)
        client.confirmations = confirmations or _confirmations_from_env()
        return client

    # ------------------------------------------------------------------ bindings

    def contract(self, name: str, address: str) -> Contract:
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=load_artifact(name).abi
        )

    @property
    def issuers(self) -> Contract:
        if self._issuers is None:
            self._issuers = self.contract(
                "IssuerRegistry", self._require_manifest().issuer_registry.address
            )
        return self._issuers

    @property
    def certificates(self) -> Contract:
        if self._certificates is None:
            self._certificates = self.contract(
                "CertificateRegistry", self._require_manifest().certificate_registry.address
            )
        return self._certificates

    def _require_manifest(self) -> Manifest:
        if self.manifest is None:
            raise ChainError(
                "no deployment manifest: deploy first or pass --manifest", code="manifest_missing"
            )
        return self.manifest

    # ------------------------------------------------------------------ calls

    def guard(self, fn: Callable[[], T]) -> T:
        """Run an RPC call, turning network failures and reverts into origincert errors."""
        try:
            return fn()
        except ContractLogicError as exc:
            raise decode_revert(_revert_data(exc)) from exc
        except requests.HTTPError as exc:  # before the network errors: it is an OSError too
            response = exc.response
            raise NodeHttpError(
                self.url,
                response.status_code if response is not None else None,
                response.reason if response is not None else "",
            ) from exc
        except _NETWORK_ERRORS as exc:
            raise _unavailable(self.url, exc) from exc
        except Web3RPCError as exc:
            revert = _rpc_revert_data(exc)
            if (
                revert is not None
            ):  # a node that executes on send (Hardhat automine) reports the revert here
                raise decode_revert(revert) from exc
            raise ChainError(
                f"the node at {self.url} refused the request: {exc}", code="rpc_error"
            ) from exc

    def call(self, fn: ContractFunction, block: BlockIdentifier = "latest") -> Any:
        return self.guard(lambda: fn.call(block_identifier=block))

    def view(self, contract: str, name: str, *args: Any, block: BlockIdentifier = "latest") -> Any:
        """A registry view through the one codec (``origincert.chain.codec``): encoded and decoded
        from the shipped ABI, strictly."""
        manifest = self._require_manifest()
        address = (
            manifest.issuer_registry.address
            if contract == "IssuerRegistry"
            else manifest.certificate_registry.address
        )
        f = codec.fn(contract, name)
        raw = self.guard(
            lambda: self.w3.eth.call(
                {"to": Web3.to_checksum_address(address), "data": f.data(*args)},  # type: ignore[typeddict-item]
                block,
            )
        )
        return f.result("0x" + bytes(raw).hex())

    def block_number(self) -> int:
        return self.guard(lambda: self.w3.eth.block_number)

    # ------------------------------------------------------------------ transactions

    def send(
        self,
        fn: ContractFunction,
        signer: TransactionSigner,
        *,
        gas: int | None = None,
        timeout: float = 60.0,
    ) -> TxResult:
        """Estimate (surfacing a refusal before anything is sent), sign locally, send, wait."""
        sender = Web3.to_checksum_address(signer.address)
        if gas is None:
            estimate = self.guard(lambda: fn.estimate_gas({"from": sender}))
            # Generous: the estimate runs against the pending block, whose timestamp may differ from
            # the mined one (a history push instead of an in-place update costs a fresh slot). Gas
            # is free on a zero-gas-price network; the limit only caps, it is not charged.
            gas = estimate + estimate // 2 + 50_000
        data = fn._encode_transaction_data()
        return self.send_raw(sender, signer, to=fn.address, data=data, gas=gas, timeout=timeout)

    def submit(self, fn: ContractFunction, signer: TransactionSigner) -> str:
        """Estimate, sign and send without waiting for a block: the transaction hash.

        Issuing at block speed sends many transactions this way, then waits for them all.
        """
        sender = Web3.to_checksum_address(signer.address)
        estimate = self.guard(lambda: fn.estimate_gas({"from": sender}))
        gas = estimate + estimate // 2 + 50_000  # as in send()
        data = fn._encode_transaction_data()
        with self._sender_lock(sender):
            return self._sign_and_send(sender, signer, fn.address, data, gas)

    def raw_transaction(self, tx_hash: str) -> bytes | None:
        """The signed bytes of a transaction this client sent and has not seen confirmed."""
        return self._raw.get(tx_hash.lower())

    def resend(self, raw: bytes) -> Resent:
        """Hand the same signed transaction to the node(s) again; never signs anything new.

        With several nodes it goes to every one that answers, so a node that died holding the
        only copy loses nothing. ``NONCE_USED``: mined already, or its nonce was taken by another
        transaction (then this one can never land).
        """
        provider = self.w3.provider
        params = ["0x" + bytes(raw).hex()]
        method = RPCEndpoint("eth_sendRawTransaction")
        if isinstance(provider, FailoverProvider):
            answers = self.guard(lambda: provider.broadcast(method, params))
            if not answers:
                raise ChainUnavailable(
                    f"no node of {self.url} is reachable", code="node_unreachable"
                )
        else:
            answers = [self.guard(lambda: provider.make_request(method, params))]
        seen: list[Resent] = []
        for answer in answers:
            error = answer.get("error")
            if not error:
                seen.append(Resent.ACCEPTED)
                continue
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            kind = classify_send_error(message)
            if kind is None:
                raise ChainError(
                    f"the node at {self.url} refused the transaction: {message}", code="rpc_error"
                )
            seen.append(kind)
        for kind in (Resent.ACCEPTED, Resent.KNOWN):
            if kind in seen:
                return kind
        return Resent.NONCE_USED

    def deploy(
        self, name: str, args: list[Any], signer: TransactionSigner, *, timeout: float = 60.0
    ) -> TxResult:
        artifact = load_artifact(name)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        sender = Web3.to_checksum_address(signer.address)
        estimate = self.guard(lambda: self.w3.eth.estimate_gas({"from": sender, "data": data}))
        return self.send_raw(
            sender, signer, to=None, data=data, gas=estimate + estimate // 5, timeout=timeout
        )

    def send_raw(
        self,
        sender: str,
        signer: TransactionSigner,
        *,
        to: str | None,
        data: str | bytes,
        gas: int,
        timeout: float = 60.0,
    ) -> TxResult:
        with self._sender_lock(sender):
            tx_hash = self._sign_and_send(sender, signer, to, data, gas)
        return self.wait(tx_hash, timeout=timeout, replay={"from": sender, "to": to, "data": data})

    def forget_nonces(self) -> None:
        """Drop the local nonce cache (after the chain was rewound, or another process sent)."""
        with self._nonce_lock:
            self._nonces.clear()

    def _sender_lock(self, sender: str) -> threading.Lock:
        with self._nonce_lock:
            return self._sender_locks.setdefault(sender, threading.Lock())

    def _sign_and_send(
        self, sender: str, signer: TransactionSigner, to: str | None, data: Any, gas: int
    ) -> str:
        for attempt in (1, 2):
            if sender not in self._nonces:
                self._nonces[sender] = self.guard(
                    lambda: self.w3.eth.get_transaction_count(
                        Web3.to_checksum_address(sender), "pending"
                    )
                )
            tx: dict[str, Any] = {
                "chainId": self.chain_id,
                "nonce": self._nonces[sender],
                "gas": gas,
                "gasPrice": self.gas_price,
                "data": data,
                "value": 0,
            }
            if to is not None:
                tx["to"] = to
            signed = signer.sign_transaction(tx)
            raw = signed.raw_transaction
            self._raw["0x" + bytes(signed.hash).hex()] = bytes(raw)
            try:
                tx_hash = self.guard(functools.partial(self.w3.eth.send_raw_transaction, raw))
            except ChainError as exc:
                # Another process used this key: resynchronise the nonce once and try again.
                if attempt == 1 and "nonce" in str(exc).lower():
                    self._nonces.pop(sender, None)
                    continue
                self._nonces.pop(sender, None)
                raise
            self._nonces[sender] += 1
            return "0x" + bytes(tx_hash).hex()
        raise AssertionError("unreachable")

    def wait(
        self,
        tx_hash: str,
        *,
        timeout: float = 60.0,
        replay: dict[str, Any] | None = None,
        confirmations: int | None = None,
    ) -> TxResult:
        """Wait for the receipt, ``confirmations`` blocks deep (default: the client's); a failed
        transaction is replayed as a call to name the error.

        With several nodes, an unreachable node is waited out until the deadline and the signed
        bytes this client kept are handed to the nodes again while no receipt shows.
        """
        raw = self._raw.get(tx_hash.lower())
        several = isinstance(self.w3.provider, FailoverProvider)

        def resend() -> None:
            if raw is not None:
                self.resend(raw)

        done = await_receipt(
            lambda: self.guard(lambda: self._receipt(tx_hash)),
            self.block_number,
            tx_hash=tx_hash,
            timeout=timeout,
            confirmations=confirmations or self.confirmations,
            resend=resend if raw is not None else None,
            outage_ok=several,  # one node and it is gone: say so at once
        )
        receipt = done.receipt
        self._raw.pop(tx_hash.lower(), None)
        if receipt["status"] != 1:
            if replay is not None:
                self.guard(lambda: self.w3.eth.call(cast(TxParams, replay), receipt["blockNumber"]))
            raise ChainError(f"transaction {tx_hash} failed", code="tx_failed")
        return TxResult(tx_hash, receipt["blockNumber"], receipt["gasUsed"], receipt)

    def _receipt(self, tx_hash: str) -> Any:
        try:
            return self.w3.eth.get_transaction_receipt(HexStr(tx_hash))
        except TransactionNotFound:
            return None
