"""Random sequences of governance and anchoring calls against a small Python model of the rules.

Each step predicts, from the model alone, whether the contract accepts the call and which custom
error it raises otherwise; after each step every key's standing must agree with the model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from chainutil import World, eip712_anchor_signature, test_account
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from origincert import governance
from origincert.errors import ContractRevert
from origincert.governance import Standing

ECONOMIES = ("DE", "SG")
STATUS_STANDING = {
    "suspended": Standing.SUSPENDED,
    "withdrawn": Standing.WITHDRAWN,
    "fraud": Standing.WITHDRAWN_FOR_FRAUD,
}


@dataclass
class ModelIssuer:
    id: int
    economy: str
    key: object
    valid_from: int
    valid_until: int
    status: str = "active"  # active | suspended | withdrawn | fraud
    retired: list = field(default_factory=list)

    def standing(self, now: int) -> Standing:
        if self.status != "active":
            return STATUS_STANDING[self.status]
        if now < self.valid_from:
            return Standing.NOT_YET_VALID
        if now >= self.valid_until:
            return Standing.EXPIRED
        return Standing.ACCREDITED


def make_machine(world: World):
    c = world.client
    relayer = test_account("model-relayer")
    counter = iter(range(10**9))

    class Rules(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = world.rpc("evm_snapshot")["result"]
            self.now = world.now()
            self.issuers: list[ModelIssuer] = []
            self.anchors: dict[bytes, ModelIssuer] = {}
            self.revoked: set[bytes] = set()

        def teardown(self) -> None:
            world.rpc("evm_revert", [self.snapshot])
            c.forget_nonces()

        def _next_block(self, seconds: int = 1) -> int:
            """Fix the next block's timestamp so the model knows exactly when the call runs."""
            self.now += seconds
            world.rpc("evm_setNextBlockTimestamp", [self.now])
            return self.now

        def _expect(self, error: str | None, call) -> None:
            try:
                call()
            except ContractRevert as exc:
                assert exc.error == error, f"contract said {exc.error}, model expected {error}"
                world.rpc("evm_setNextBlockTimestamp", [self.now])  # nothing was mined
                return
            assert error is None, f"contract accepted, model expected {error}"

        @rule(
            economy=st.sampled_from(ECONOMIES),
            start=st.integers(-100, 200),
            length=st.integers(50, 400),
        )
        def accredit(self, economy: str, start: int, length: int) -> None:
            t = self._next_block()
            key = test_account(f"model-key-{next(counter)}")
            created: list[int] = []
            self._expect(
                None if t + start + length > t else "IssuerRegistryInvalidWindow",
                lambda: created.append(
                    governance.accredit(
                        c,
                        world.authorities[economy],
                        name="m",
                        signing_key=key.address,
                        valid_from=t + start,
                        valid_until=t + start + length,
                    )[0]
                ),
            )
            if created:
                self.issuers.append(
                    ModelIssuer(created[0], economy, key, t + start, t + start + length)
                )

        @precondition(lambda self: self.issuers)
        @rule(
            i=st.integers(0, 50),
            act=st.sampled_from(["suspend", "reinstate", "withdraw", "fraud"]),
            wrong_authority=st.booleans(),
        )
        def authority_act(self, i: int, act: str, wrong_authority: bool) -> None:
            issuer = self.issuers[i % len(self.issuers)]
            economy = (
                issuer.economy
                if not wrong_authority
                else next(e for e in ECONOMIES if e != issuer.economy)
            )
            allowed_from = {
                "suspend": {"active"},
                "reinstate": {"suspended"},
                "withdraw": {"active", "suspended"},
                "fraud": {"active", "suspended"},
            }[act]
            if wrong_authority:
                error = "IssuerRegistryNotAuthorityOf"
            elif issuer.status not in allowed_from:
                error = "IssuerRegistryInvalidStatus"
            else:
                error = None
            self._next_block()
            authority = world.authorities[economy]
            call = {
                "suspend": lambda: governance.suspend(c, authority, issuer.id),
                "reinstate": lambda: governance.reinstate(c, authority, issuer.id),
                "withdraw": lambda: governance.withdraw(c, authority, issuer.id, fraud=False),
                "fraud": lambda: governance.withdraw(c, authority, issuer.id, fraud=True),
            }[act]
            self._expect(error, call)
            if error is None:
                issuer.status = {
                    "suspend": "suspended",
                    "reinstate": "active",
                    "withdraw": "withdrawn",
                    "fraud": "fraud",
                }[act]

        @precondition(lambda self: self.issuers)
        @rule(i=st.integers(0, 50))
        def rotate(self, i: int) -> None:
            issuer = self.issuers[i % len(self.issuers)]
            self._next_block()
            new = test_account(f"model-key-{next(counter)}")
            governance.rotate_key(c, issuer.key, issuer.id, new.address)
            issuer.retired.append(issuer.key)
            issuer.key = new

        @rule(seconds=st.integers(1, 300))
        def advance(self, seconds: int) -> None:
            self._next_block(seconds)
            world.rpc("evm_mine")

        @precondition(lambda self: self.issuers)
        @rule(i=st.integers(0, 50), who=st.sampled_from(["current", "retired", "stranger"]))
        def anchor(self, i: int, who: str) -> None:
            issuer = self.issuers[i % len(self.issuers)]
            if who == "retired" and not issuer.retired:
                who = "current"
            key = {
                "current": issuer.key,
                "retired": (issuer.retired or [None])[-1],
                "stranger": test_account("model-stranger"),
            }[who]
            t = self._next_block()
            ok = who == "current" and issuer.standing(t) is Standing.ACCREDITED
            root = os.urandom(32)
            r, vs = eip712_anchor_signature(
                key, root, 1, c.chain_id, c.manifest.certificate_registry.address
            )
            self._expect(
                None if ok else "CertificateRegistryNotAccredited",
                lambda: c.send(
                    c.certificates.functions.anchor(root, 1, r, vs), relayer, gas=200_000
                ),
            )
            if ok:
                self.anchors[root] = issuer

        @precondition(lambda self: self.anchors)
        @rule(
            j=st.integers(0, 50),
            who=st.sampled_from(["issuer", "authority", "other-authority", "relayer"]),
        )
        def revoke(self, j: int, who: str) -> None:
            root = list(self.anchors)[j % len(self.anchors)]
            issuer = self.anchors[root]
            other = next(e for e in ECONOMIES if e != issuer.economy)
            actor = {
                "issuer": issuer.key,
                "authority": world.authorities[issuer.economy],
                "other-authority": world.authorities[other],
                "relayer": relayer,
            }[who]
            if who in ("other-authority", "relayer"):
                error = "CertificateRegistryNotAllowed"
            elif root in self.revoked:
                error = "CertificateRegistryAlreadyRevoked"
            else:
                error = None
            self._next_block()
            self._expect(
                error,
                lambda: c.send(c.certificates.functions.revokeRoot(root, 1), actor, gas=200_000),
            )
            if error is None:
                self.revoked.add(root)

        @invariant()
        def standings_agree(self) -> None:
            latest = world.now()
            for issuer in self.issuers:
                got = c.call(c.issuers.functions.standingOf(issuer.key.address))
                assert (got[0], Standing(got[1])) == (issuer.id, issuer.standing(latest))
                for old in issuer.retired:
                    assert (
                        Standing(c.call(c.issuers.functions.standingOf(old.address))[1])
                        is Standing.KEY_RETIRED
                    )

    return Rules


def test_contract_follows_the_model(world: World) -> None:
    run_state_machine_as_test(
        make_machine(world),
        settings=settings(
            max_examples=12,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
