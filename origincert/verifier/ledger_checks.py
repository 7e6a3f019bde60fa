"""The checks that judge what the ledger says: anchored, issuer known and accredited, not revoked,
not replaced. Pure functions of the facts read at the edge (``ledger.py``)."""

from __future__ import annotations

from origincert.binding import same_name
from origincert.governance import IssuerStatus, Standing
from origincert.verdict import Check
from origincert.verifier.facts import LedgerFacts
from origincert.verifier.policy import Context, Policy
from origincert.verifier.subject import IssuedFile, Reference
from origincert.verifier.text import STANDING_WORDS, describe_issuer, revocation_reason, safe, when

__all__ = [
    "AnchoredCheck",
    "IssuerAccreditedCheck",
    "IssuerKnownCheck",
    "NotReplacedCheck",
    "NotRevokedCheck",
]


def _facts(ctx: Context) -> LedgerFacts:
    assert ctx.ledger is not None  # the runner skips ledger checks offline
    return ctx.ledger


class AnchoredCheck(Policy):
    """Was the batch root recorded on the ledger, and with this batch size?"""

    name = "anchored"
    requires = ("network",)
    needs_ledger = True
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        a = _facts(ctx).anchor
        if a is None:
            return self.fail(
                "not_anchored",
                "The ledger has no record of this certificate: it was never anchored.",
            )
        s = ctx.subject
        if isinstance(s, Reference) and a.leaf_count == 1 and s.leaf != s.root:
            return self.fail(
                "not_in_batch",
                "The ledger's record is of another certificate: the reference's fingerprint does not match it.",
            )
        if isinstance(s, IssuedFile) and a.leaf_count != s.batch_size:
            return self.fail(
                "batch_size_mismatch",
                f"The ledger records a batch of {a.leaf_count}, the file claims {s.batch_size}: the file was edited.",
            )
        if isinstance(s, IssuedFile) and s.issuer_id != a.issuer_id:
            return self.fail(
                "issuer_binding_mismatch",
                f"The signature speaks for issuing body #{s.issuer_id}, but the certificate names issuing body #{a.issuer_id}: "
                "it was not issued by the body it names.",
            )
        if isinstance(s, IssuedFile) and s.epoch != a.epoch:
            return self.fail(
                "anchor_epoch_mismatch",
                "The file's signature is not the one the ledger anchored (another epoch of the issuing body): the file was edited.",
            )
        if isinstance(s, IssuedFile) and s.tx_hash and a.tx_hash and s.tx_hash != a.tx_hash.lower():
            return self.fail(
                "anchor_tx_mismatch",
                f"The file names transaction {s.tx_hash}, but the ledger anchored it in {a.tx_hash}: the file was edited.",
            )
        tx = f", transaction {a.tx_hash}" if a.tx_hash else ""
        return self.ok(
            "anchored",
            f"Recorded on the ledger on {when(a.anchored_at)} in block {a.anchored_block}{tx}.",
        )


class IssuerKnownCheck(Policy):
    """Does the signing key belong to the issuing body that anchored the batch, of the economy named?"""

    name = "issuer_known"
    requires = ("signature", "anchored")
    needs_ledger = True
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        facts = _facts(ctx)
        a = facts.anchor
        assert a is not None  # required: anchored
        if facts.standing_issuer_id == 0:
            return self.fail(
                "signer_unknown",
                f"The key {facts.signer} that signed it belongs to no issuing body on the ledger.",
            )
        if facts.standing_issuer_id != a.issuer_id:
            signed_by = (
                describe_issuer(facts.signer_issuer)
                if facts.signer_issuer
                else f"issuing body #{facts.standing_issuer_id}"
            )
            anchored_by = (
                describe_issuer(facts.issuer) if facts.issuer else f"issuing body #{a.issuer_id}"
            )
            return self.fail(
                "issuer_mismatch",
                f"Signed with a key of {signed_by}, but the ledger records {anchored_by} as its issuer.",
            )
        if a.signer is not None and facts.signer is not None and a.signer != facts.signer:
            return self.fail(
                "signer_not_anchorer",
                f"Signed with key {facts.signer}, but the batch was anchored with the issuing body's key {a.signer}.",
            )
        issuer = facts.issuer
        assert issuer is not None
        s = ctx.subject
        body = s.document.get("issuing_body") if isinstance(s, IssuedFile) else None
        if isinstance(body, dict) and body.get("ledger_id") is not None:
            # v2: the body the document names is the ledger's, by id (asked with it) and by name
            if body.get("ledger_id") != issuer.id:
                return self.fail(
                    "issuer_ledger_id_mismatch",
                    f"The certificate names issuing body #{safe(str(body.get('ledger_id')))}, but {describe_issuer(issuer)} anchored it.",
                    ["issuing_body.ledger_id"],
                )
            name = body.get("name")
            if not isinstance(name, str) or not same_name(name, issuer.name):
                return self.fail(
                    "issuer_name_mismatch",
                    f"The certificate is headed {safe(str(name))}, but the ledger names issuing body #{issuer.id} {describe_issuer(issuer)}.",
                    ["issuing_body.name"],
                )
        if isinstance(s, IssuedFile) and "issuing_body.economy" not in s.withheld:
            body = s.document.get("issuing_body")
            claimed = body.get("economy") if isinstance(body, dict) else None
            if claimed != issuer.economy:
                return self.fail(
                    "issuer_economy_mismatch",
                    f"The certificate names an issuing body of {safe(str(claimed))}, but it was issued by {describe_issuer(issuer)}.",
                    ["issuing_body.economy"],
                )
        return self.ok(
            "issuer_known",
            f"Issued by {describe_issuer(issuer)}, issuing body #{issuer.id}, with key {facts.signer}.",
        )


_AT_ISSUE_CODES: dict[Standing, str] = {
    Standing.UNKNOWN: "signer_unknown",
    Standing.NOT_YET_VALID: "issuer_not_yet_valid_at_issue",
    Standing.EXPIRED: "issuer_expired_at_issue",
    Standing.SUSPENDED: "issuer_suspended_at_issue",
    Standing.WITHDRAWN: "issuer_withdrawn_at_issue",
    Standing.WITHDRAWN_FOR_FRAUD: "issuer_fraud_at_issue",
    Standing.KEY_NOT_YET_ACTIVE: "key_not_yet_active_at_issue",
    Standing.KEY_RETIRED: "key_retired_at_issue",
}


class IssuerAccreditedCheck(Policy):
    """Was the key accredited when the batch was anchored, and what has happened to its body since?

    A later ordinary withdrawal or an expired window leaves earlier certificates lawful; a later
    withdrawal for fraud taints them, and a current suspension casts doubt: both SUSPECT.
    """

    name = "issuer_accredited"
    requires = ("issuer_known",)
    needs_ledger = True
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        facts = _facts(ctx)
        a, issuer, standing = facts.anchor, facts.issuer, facts.standing
        assert a is not None and issuer is not None and standing is not None
        at = when(a.anchored_at)
        if standing is not Standing.ACCREDITED:
            return self.fail(
                _AT_ISSUE_CODES[standing],
                f"When it was anchored ({at}), the signing key of {describe_issuer(issuer)} was {STANDING_WORDS[standing]}.",
            )
        since = when(issuer.status_since)
        if issuer.status is IssuerStatus.WITHDRAWN_FOR_FRAUD:
            return self.fail(
                "issuer_withdrawn_for_fraud",
                f"{describe_issuer(issuer)} was accredited when it issued this, but was withdrawn for fraud on {since}: "
                "ask its competent authority before accepting it.",
            )
        if issuer.status is IssuerStatus.SUSPENDED:
            return self.fail(
                "issuer_suspended",
                f"{describe_issuer(issuer)} was accredited when it issued this, but is suspended since {since}: "
                "ask its competent authority before accepting it.",
            )
        note = ""
        if issuer.status is IssuerStatus.WITHDRAWN:
            note = f" Its accreditation was withdrawn on {since} (an ordinary end: earlier certificates stay valid)."
        elif issuer.valid_until <= facts.block_time:
            note = f" Its accreditation ended on {when(issuer.valid_until)} (earlier certificates stay valid)."
        return self.ok(
            "accredited_at_issue",
            f"{describe_issuer(issuer)} was accredited when it anchored this on {at}.{note}",
        )


class NotRevokedCheck(Policy):
    """Has the issuing body or its authority revoked the certificate or its whole batch?"""

    name = "not_revoked"
    requires = ("anchored",)
    needs_ledger = True
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        r = _facts(ctx).revocation
        if r is None:
            return self.ok("not_revoked", "Not revoked.")
        what = (
            "The certificate's whole batch was revoked"
            if r.scope == "root"
            else "The certificate was revoked"
        )
        by = f" by {r.by_role} {r.by}" if r.by_role and r.by else ""
        return self.fail(
            f"{r.scope}_revoked", f"{what} on {when(r.at)}{by}: {revocation_reason(r.reason)}."
        )


class NotReplacedCheck(Policy):
    """Has the certificate been replaced by another (lost certificate, amendment)?"""

    name = "not_replaced"
    requires = ("anchored",)
    needs_ledger = True
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        r = _facts(ctx).replacement
        if r is None:
            return self.ok("not_replaced", "Not replaced by another certificate.")
        return self.fail(
            "replaced",
            f"Replaced on {when(r.at)} by another certificate (leaf {r.leaf} of batch {r.root}): ask for the new one.",
        )
