"""The checks that need only the file: format, schema, integrity, merkle, signature, network, validity.

Pure functions of the parsed file (and, for network and validity, of the verifier's settings), so
an offline verifier runs every one of them.
"""

from __future__ import annotations

from datetime import date

from origincert import document as doc_model
from origincert.errors import OriginCertError
from origincert.issued import IssuedFile
from origincert.verdict import Check
from origincert.verifier.policy import Context, Policy
from origincert.verifier.recompute import in_batch, leaf_of, recompute_fields, recovered_signer
from origincert.verifier.subject import Reference
from origincert.verifier.text import field_list, safe

__all__ = [
    "FormatCheck",
    "IntegrityCheck",
    "MerkleCheck",
    "NetworkCheck",
    "SchemaCheck",
    "SignatureCheck",
    "ValidityCheck",
]


def _file(ctx: Context) -> IssuedFile:
    assert isinstance(ctx.subject, IssuedFile)  # the runner skips content checks for references
    return ctx.subject


class FormatCheck(Policy):
    """Is this a certificate file at all (or a readable QR reference)?"""

    name = "format"
    needs_subject = False
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        if ctx.problem is not None:
            return self.fail(ctx.problem.code, ctx.problem.message)
        if isinstance(ctx.subject, Reference):
            return self.ok(
                "reference", f"A QR reference to certificate {safe(ctx.subject.number)}."
            )
        f = _file(ctx)
        kind = "a redacted copy" if f.redacted else "a full copy"
        return self.ok("format_ok", f"A certificate file ({kind}) in the origincert format.")


class SchemaCheck(Policy):
    """Is the document a valid certificate of origin (the shown fields, for a redacted copy)?"""

    name = "schema"
    requires = ("format",)

    def evaluate(self, ctx: Context) -> Check:
        f = _file(ctx)
        try:
            if f.redacted:
                doc_model.validate_shown(f.document, f.withheld, f.shape)
            else:
                doc_model.parse_certificate(f.document)
        except OriginCertError as exc:
            problems = getattr(exc, "problems", [])
            paths = [p for p, _ in problems]
            detail = "; ".join(
                f"{field_list([p]) or 'the document'} {safe(m, 80)}" for p, m in problems[:3]
            )
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            return self.fail(
                "schema_invalid",
                f"The certificate is not a valid certificate of origin: {detail}{more}.",
                paths,
            )
        return self.ok(
            "schema_ok", "The certificate has every required box, each filled in correctly."
        )


class IntegrityCheck(Policy):
    """Does the content hash to the certificate's fingerprint (target hash), field by field?"""

    name = "integrity"
    requires = ("format",)

    def evaluate(self, ctx: Context) -> Check:
        f = _file(ctx)
        try:
            r = recompute_fields(f)
        except OriginCertError as exc:
            return self.fail(
                "content_unreadable",
                f"The certificate's content cannot be read: {safe(exc.message, 80)}.",
            )
        if r.reshaped:
            path, shown_n, committed_n = r.reshaped[0]
            return self.fail(
                "shape_mismatch",
                f"{field_list([path])} shows {shown_n} item(s), but the certificate was issued "
                f"with {committed_n}: items were added or dropped.",
                [p for p, _, _ in r.reshaped],
            )
        shown, stated = r.hashes, f.field_hashes
        if (
            r.target_hash == f.target_hash
            and shown == stated
            and not r.unsalted
            and not (f.salts.keys() - shown.keys())
        ):  # the common case, decided by C-level comparisons; the lists below name what differs
            return self._intact(shown, f.withheld)
        altered = sorted(p for p in shown if p in stated and shown[p] != stated[p])
        added = sorted({p for p in shown if p not in stated} | set(r.unsalted))
        removed = sorted(p for p in stated if p not in shown and p not in r.unsalted)
        stray_salts = sorted(p for p in f.salts if p not in shown and p not in stated)
        if r.target_hash == f.target_hash and not (altered or added or removed or stray_salts):
            return self._intact(shown, f.withheld)
        if r.target_hash == f.target_hash:
            return self.fail(
                "hash_list_mismatch",
                "The file's list of field hashes does not match its content: the file was edited.",
            )
        if altered:
            return self.fail(
                "field_altered",
                f"Altered after issue: {field_list(altered)}{self._also(added, removed)}.",
                altered,
            )
        if added:
            return self.fail(
                "field_added",
                f"Added after issue: {field_list(added)}{self._also([], removed)}.",
                added,
            )
        if removed:
            return self.fail(
                "field_removed", f"Removed after issue: {field_list(removed)}.", removed
            )
        return self.fail(
            "target_mismatch",
            "The content does not match the certificate's fingerprint: it was altered together with its field list.",
        )

    def _intact(self, shown: dict[str, bytes], withheld_hashes: dict[str, bytes]) -> Check:
        withheld = sorted(withheld_hashes)
        hidden = (
            f" {len(withheld)} field(s) withheld by the holder: {field_list(withheld)}."
            if withheld
            else ""
        )
        return self.ok(
            "integrity_ok",
            f"All {len(shown)} shown fields are exactly as issued.{hidden}",
            withheld,
        )

    @staticmethod
    def _also(added: list[str], removed: list[str]) -> str:
        parts = []
        if added:
            parts.append(f"added: {field_list(added)}")
        if removed:
            parts.append(f"removed: {field_list(removed)}")
        return f" (also {'; '.join(parts)})" if parts else ""


class MerkleCheck(Policy):
    """Is the certificate in the anchored batch (its leaf under the batch root)?"""

    name = "merkle"
    requires = ("format",)
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        s = ctx.subject
        if isinstance(s, Reference):
            if not in_batch(s.leaf, s.merkle_proof, s.root):
                return self.fail(
                    "proof_invalid",
                    "The reference's fingerprint is not in the batch it names: the QR code was altered.",
                )
            return self.ok(
                "merkle_ok",
                "The reference's fingerprint is part of the anchored batch (the paper's content "
                "is not in the QR code, so it was not checked).",
            )
        f = _file(ctx)
        leaf = leaf_of(f.target_hash)
        if leaf != f.leaf:
            return self.fail(
                "leaf_mismatch",
                "The file's leaf does not belong to its fingerprint: the file was edited.",
            )
        if not in_batch(leaf, f.merkle_proof, f.root):
            return self.fail(
                "proof_invalid",
                "The proof does not show that this certificate is in the anchored batch.",
            )
        where = "on its own" if f.batch_size == 1 else f"in a batch of {f.batch_size}"
        return self.ok(
            "merkle_ok", f"The certificate is part of the anchored batch (issued {where})."
        )


class SignatureCheck(Policy):
    """Which key signed the batch root (EIP-712, bound to the file's chain and registry)?"""

    name = "signature"
    requires = ("format",)

    def evaluate(self, ctx: Context) -> Check:
        f = _file(ctx)
        if f.ledger_id is not None and f.ledger_id != f.issuer_id:
            return self.fail(
                "issuer_id_mismatch",
                f"The certificate names issuing body #{f.ledger_id}, but its batch was signed "
                f"for issuing body #{f.issuer_id}: the file was edited.",
                ["issuing_body.ledger_id"],
            )
        signer = recovered_signer(f)
        if signer is None:
            return self.fail(
                "signature_invalid", "The issuing body's signature is not a valid signature."
            )
        if signer != f.signer:
            return self.fail(
                "signer_mismatch",
                f"The signature was made by key {signer}, not by the key {f.signer} the file names.",
            )
        return self.ok("signature_ok", f"Signed by key {signer}.")


class NetworkCheck(Policy):
    """Does the file name the ledger this verifier trusts (chain id and registry address)?"""

    name = "network"
    requires = ("format",)
    needs_content = False

    def evaluate(self, ctx: Context) -> Check:
        s = ctx.subject
        assert s is not None
        if ctx.network is None:
            return self.skip(
                "no_manifest", "Not checked: no deployment manifest names the trusted ledger."
            )
        if s.chain_id != ctx.network.chain_id:
            return self.fail(
                "wrong_chain",
                f"The certificate names ledger {s.chain_id}, not the consortium ledger {ctx.network.chain_id}.",
            )
        if s.registry != ctx.network.registry:
            return self.fail(
                "wrong_registry",
                f"The certificate names the registry {s.registry}, not the consortium's {ctx.network.registry}.",
            )
        # says what this check saw (the file's claim), never that the ledger holds the anchor
        return self.ok(
            "network_ok",
            f"The file names the consortium's ledger (chain {s.chain_id}) and registry.",
        )


class ValidityCheck(Policy):
    """Is the day of the check within the certificate's validity (issue date to valid until)?"""

    name = "validity"
    requires = ("schema",)

    def evaluate(self, ctx: Context) -> Check:
        f = _file(ctx)
        raw_issued, raw_until = f.document.get("issue_date"), f.document.get("valid_until")
        if not isinstance(raw_issued, str) or not isinstance(raw_until, str):
            # never withheld (UNHIDEABLE) and always written by the issuer: absent is an edit
            return self.fail(
                "validity_missing",
                "The certificate does not show its issue date and its end of validity.",
                ["issue_date", "valid_until"],
            )
        issued, until = date.fromisoformat(raw_issued), date.fromisoformat(raw_until)
        on = ctx.on
        if on < issued:
            return self.fail(
                "before_issue_date",
                f"Checked for {on}, before the certificate's issue date {issued}.",
            )
        if on > until:
            return self.fail(
                "expired", f"Expired: valid from {issued} until {until}, checked for {on}."
            )
        return self.ok("within_validity", f"Valid from {issued} until {until} (checked for {on}).")
