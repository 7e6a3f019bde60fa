"""Random sequences of governance and anchoring calls against a small Python model of the rules.

Each step predicts, from the model alone, whether the contract accepts the call and which custom
error it raises otherwise; after each step every key's standing, every body's epoch and every
revocation must agree with the model. v2 rules covered: anchors per (body, root), the signed
epoch (moved by suspend, reinstate, rotate, withdraw and the body's own bump) and deadline, a
signature for another body, powers of a body whose accreditation ended (revoke yes, rotate no),
and revocations that no other body's anchor of the same root can undo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from chainutil import World, anchor_tx, test_account
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
    epoch: int = 1

    def own_powers(self, now: int) -> bool:
        """May the body's own key rotate or bump its epoch? Not once withdrawn or expired."""
        return self.status in ("active", "suspended") and now < self.valid_until

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
            self.anchors: dict[tuple[int, bytes], ModelIssuer] = {}
            self.revoked: set[tuple[int, bytes]] = set()

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
                        key=key,
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
                issuer.epoch += 1

        @precondition(lambda self: self.issuers)
        @rule(i=st.integers(0, 50), by_authority=st.booleans())
        def rotate(self, i: int, by_authority: bool) -> None:
            issuer = self.issuers[i % len(self.issuers)]
            t = self._next_block()
            new = test_account(f"model-key-{next(counter)}")
            sender = world.authorities[issuer.economy] if by_authority else issuer.key
            error = None if by_authority or issuer.own_powers(t) else "IssuerRegistryKeyPowerEnded"
            self._expect(
                error, lambda: governance.rotate_key(c, sender, issuer.id, new.address, key=new)
            )
            if error is None:
                issuer.retired.append(issuer.key)
                issuer.key = new
                issuer.epoch += 1

        @precondition(lambda self: self.issuers)
        @rule(i=st.integers(0, 50))
        def bump_epoch(self, i: int) -> None:
            issuer = self.issuers[i % len(self.issuers)]
            t = self._next_block()
            error = None if issuer.own_powers(t) else "IssuerRegistryKeyPowerEnded"
            self._expect(error, lambda: governance.bump_epoch(c, issuer.key, issuer.id))
            if error is None:
                issuer.epoch += 1

        @rule(seconds=st.integers(1, 300))
        def advance(self, seconds: int) -> None:
            self._next_block(seconds)
            world.rpc("evm_mine")

        def _anchor(
            self, issuer: ModelIssuer, root: bytes, who: str, epoch: str, late: bool, other: bool
        ) -> bool:
            if who == "retired" and not issuer.retired:
                who = "current"
            key = {
                "current": issuer.key,
                "retired": (issuer.retired or [None])[-1],
                "stranger": test_account("model-stranger"),
            }[who]
            t = self._next_block()
            claimed = issuer.id
            if other:  # the signature names another body than the key's
                claimed = next((x.id for x in self.issuers if x.id != issuer.id), issuer.id + 1)
            signed_epoch = issuer.epoch if epoch == "current" else issuer.epoch - 1
            deadline = t - 1 if late else t + 600
            if late:
                error = "CertificateRegistrySignatureExpired"
            elif who == "stranger" or claimed != issuer.id:
                error = "CertificateRegistrySignerNotIssuer"
            elif who == "retired" or issuer.standing(t) is not Standing.ACCREDITED:
                error = "CertificateRegistryNotAccredited"
            elif signed_epoch != issuer.epoch:
                error = "CertificateRegistryStaleEpoch"
            elif (issuer.id, root) in self.anchors:
                error = "CertificateRegistryAlreadyAnchored"
            else:
                error = None
            fn = anchor_tx(
                world, key, root, 1, issuer_id=claimed, epoch=signed_epoch, deadline=deadline
            )
            self._expect(error, lambda: c.send(fn, relayer, gas=200_000))
            if error is None:
                self.anchors[(issuer.id, root)] = issuer
            return error is None

        @precondition(lambda self: self.issuers)
        @rule(
            i=st.integers(0, 50),
            who=st.sampled_from(["current", "current", "retired", "stranger"]),
            epoch=st.sampled_from(["current", "current", "stale"]),
            late=st.booleans(),
            other=st.booleans(),
        )
        def anchor(self, i: int, who: str, epoch: str, late: bool, other: bool) -> None:
            self._anchor(
                self.issuers[i % len(self.issuers)], os.urandom(32), who, epoch, late, other
            )

        @precondition(lambda self: self.anchors and len(self.issuers) > 1)
        @rule(j=st.integers(0, 50), i=st.integers(0, 50))
        def anchor_anothers_root(self, j: int, i: int) -> None:
            """A body anchors a root another body anchored (and maybe revoked): lawful for it,
            and nothing changes for the first body (the invariant checks its revocation)."""
            (_, root) = list(self.anchors)[j % len(self.anchors)]
            self._anchor(
                self.issuers[i % len(self.issuers)], root, "current", "current", False, False
            )

        @precondition(lambda self: self.anchors)
        @rule(
            j=st.integers(0, 50),
            who=st.sampled_from(["issuer", "authority", "other-authority", "relayer"]),
        )
        def revoke(self, j: int, who: str) -> None:
            key = list(self.anchors)[j % len(self.anchors)]
            issuer_id, root = key
            issuer = self.anchors[key]
            other = next(e for e in ECONOMIES if e != issuer.economy)
            actor = {
                "issuer": issuer.key,
                "authority": world.authorities[issuer.economy],
                "other-authority": world.authorities[other],
                "relayer": relayer,
            }[who]
            if who in ("other-authority", "relayer"):
                error = "CertificateRegistryNotAllowed"
            elif key in self.revoked:
                error = "CertificateRegistryAlreadyRevoked"
            else:
                error = None
            self._next_block()
            self._expect(
                error,
                lambda: c.send(
                    c.certificates.functions.revokeRoot(issuer_id, root, 1), actor, gas=200_000
                ),
            )
            if error is None:
                self.revoked.add(key)

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
                assert governance.epoch_of(c, issuer.id) == issuer.epoch

        @invariant()
        def revocations_stay(self) -> None:
            for issuer_id, root in self.anchors:
                anchor = c.call(c.certificates.functions.anchorOf(issuer_id, root))
                assert anchor[0] == issuer_id and anchor[2] != 0
                assert (anchor[4] != 0) == ((issuer_id, root) in self.revoked)

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
