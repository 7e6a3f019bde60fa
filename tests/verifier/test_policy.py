"""The pure core: the runner's shared rules, the verdict, the file parser, safe display. No chain."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from origincert.verdict import Check, CheckStatus, Verdict, worst
from origincert.verifier.policy import MANDATORY, Context, Policy, run_policies, verdict_of
from origincert.verifier.subject import FormatProblem, Reference, parse_issued
from origincert.verifier.text import safe, safe_path

OK, FAILED, SKIPPED = CheckStatus.OK, CheckStatus.FAILED, CheckStatus.SKIPPED


def checks(**statuses: tuple[CheckStatus, str]) -> list[Check]:
    return [Check(name, st, code, "") for name, (st, code) in statuses.items()]


def all_ok(**override: tuple[CheckStatus, str]) -> list[Check]:
    return checks(**{n: override.get(n, (OK, "ok")) for n in MANDATORY})


def test_valid_needs_every_mandatory_check_to_pass() -> None:
    assert verdict_of(all_ok()) is Verdict.VALID
    assert verdict_of(all_ok()[:-1]) is Verdict.UNCONFIRMED  # one mandatory check missing
    assert verdict_of(all_ok(anchored=(SKIPPED, "offline"))) is Verdict.UNCONFIRMED


@pytest.mark.parametrize(
    ("failures", "verdict"),
    [
        ({"format": "input_too_large"}, Verdict.MALFORMED),
        ({"integrity": "field_altered"}, Verdict.INVALID),
        ({"not_revoked": "root_revoked"}, Verdict.REVOKED),
        ({"not_replaced": "replaced"}, Verdict.REPLACED),
        ({"validity": "expired"}, Verdict.EXPIRED),
        ({"issuer_accredited": "issuer_withdrawn_for_fraud"}, Verdict.SUSPECT),
        ({"issuer_accredited": "issuer_suspended"}, Verdict.SUSPECT),
        ({"issuer_accredited": "key_retired_at_issue"}, Verdict.INVALID),
        ({"not_revoked": "leaf_revoked", "validity": "expired"}, Verdict.REVOKED),
        ({"not_replaced": "replaced", "issuer_accredited": "issuer_suspended"}, Verdict.SUSPECT),
        ({"not_revoked": "leaf_revoked", "integrity": "field_altered"}, Verdict.INVALID),
        ({"validity": "expired", "not_replaced": "replaced"}, Verdict.REPLACED),
        ({"somebody_elses": "brand_new_code"}, Verdict.INVALID),  # an unknown failure is never soft
    ],
)
def test_the_worst_failure_decides(failures: dict[str, str], verdict: Verdict) -> None:
    got = all_ok(**{n: (FAILED, c) for n, c in failures.items() if n in MANDATORY})
    got += [Check(n, FAILED, c, "") for n, c in failures.items() if n not in MANDATORY]
    assert verdict_of(got) is verdict


def test_worst() -> None:
    assert worst([]) is Verdict.VALID
    assert worst([Verdict.UNCONFIRMED, Verdict.EXPIRED, Verdict.MALFORMED]) is Verdict.MALFORMED


class _Fixed(Policy):
    def __init__(
        self,
        name: str,
        status: CheckStatus,
        requires: tuple[str, ...] = (),
        *,
        ledger: bool = False,
        content: bool = True,
    ) -> None:
        self.name = name  # type: ignore[misc]
        self.requires = requires  # type: ignore[misc]
        self.needs_ledger = ledger  # type: ignore[misc]
        self.needs_content = content  # type: ignore[misc]
        self.status = status
        self.calls = 0

    def evaluate(self, ctx: Context) -> Check:
        self.calls += 1
        return Check(self.name, self.status, "x", f"saw {sorted(ctx.done)}")


def _ctx(subject: object = object(), ledger: object | None = None) -> Context:
    return Context(subject, None, None, ledger, date(2025, 1, 1), {})  # type: ignore[arg-type]


def test_an_empty_list_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one check"):
        run_policies([], _ctx())


def test_a_check_after_a_failed_prerequisite_is_skipped_and_not_run() -> None:
    a, b, c = _Fixed("a", FAILED), _Fixed("b", OK, ("a",)), _Fixed("c", OK, ("b",))
    out = run_policies([a, b, c], _ctx())
    assert [(x.status, x.code) for x in out] == [
        (FAILED, "x"),
        (SKIPPED, "not_checked"),
        (SKIPPED, "not_checked"),
    ]
    assert (b.calls, c.calls) == (0, 0)


def test_a_prerequisite_missing_from_the_list_is_unmet() -> None:
    assert run_policies([_Fixed("b", OK, ("a",))], _ctx())[0].code == "not_checked"


def test_each_check_sees_the_ones_before_it() -> None:
    out = run_policies([_Fixed("a", OK), _Fixed("b", OK), _Fixed("c", OK)], _ctx())
    assert out[2].message == "saw ['a', 'b']"


REF = Reference("N", b"\0" * 32, b"\0" * 32, b"\0" * 32, 1, "0x" + "00" * 20, 1, (), 0, 1)


def test_ledger_checks_are_skipped_offline_and_content_checks_for_references() -> None:
    out = run_policies(
        [
            _Fixed("merkle", OK, content=False),
            _Fixed("l", OK, ledger=True, content=False),
            _Fixed("c", OK),
            _Fixed("r", OK, content=False),
        ],
        _ctx(REF),
    )
    assert [(x.status, x.code) for x in out] == [
        (OK, "x"),
        (SKIPPED, "offline"),
        (SKIPPED, "reference_only"),
        (OK, "x"),
    ]


@pytest.mark.parametrize("merkle", [FAILED, None])
def test_a_reference_not_tied_to_its_batch_gets_no_ledger_word(merkle: Any) -> None:
    """Issue 9 item 6: no "not revoked" or "in good standing" for a fingerprint the verifier
    could not tie to the anchored batch (the anchored check still says whether the root exists)."""
    ledger_facts = object()
    policies = [] if merkle is None else [_Fixed("merkle", merkle, content=False)]
    policies += [
        _Fixed("anchored", OK, ledger=True, content=False),
        _Fixed("not_revoked", OK, ledger=True, content=False),
        _Fixed("issuer_accredited", OK, ledger=True, content=False),
    ]
    out = run_policies(policies, _ctx(REF, ledger=ledger_facts))
    assert [(x.name, x.status, x.code) for x in out[-2:]] == [
        ("not_revoked", SKIPPED, "not_checked"),
        ("issuer_accredited", SKIPPED, "not_checked"),
    ]
    assert out[-3].status is OK


def test_an_unparsed_input_runs_only_the_format_check() -> None:
    fmt, other = _Fixed("format", FAILED), _Fixed("schema", OK)
    fmt.needs_subject = False  # type: ignore[misc]
    out = run_policies(
        [fmt, other],
        Context(None, FormatProblem("format_invalid", "no"), None, None, date(2025, 1, 1), {}),
    )
    assert [x.status for x in out] == [FAILED, SKIPPED] and other.calls == 0


def test_parse_issued_accepts_checksummed_and_lowercase_addresses() -> None:
    proof = {
        "seed": "0x" + "11" * 32, "field_hashes": {"number": "0x" + "22" * 32}, "target_hash": "0x" + "33" * 32,
        "leaf": "0x" + "44" * 32, "merkle_proof": [], "root": "0x" + "44" * 32, "leaf_index": 0, "batch_size": 1,
        "signature": "0x" + "55" * 65, "signer": "0x" + "AB" * 20, "chain_id": 1, "registry": "0x" + "cd" * 20,
        "tx_hash": None, "shape": {}, "issuer_id": 1, "epoch": 0, "deadline": 0,
    }  # fmt: skip
    f = parse_issued(
        {
            "format": "urn:origincert:issued:2",
            "document": {"number": "X", "issuing_body": {"ledger_id": 1}},
            "proof": proof,
        }
    )
    assert (f.signer, f.registry, f.tx_hash, f.redacted) == (
        "0x" + "ab" * 20,
        "0x" + "cd" * 20,
        None,
        False,
    )
    redacted = {**proof, "seed": None, "salts": {}, "withheld": {"number\u202e": "0x" + "22" * 32}}
    with pytest.raises(
        FormatProblem, match="not a field path"
    ):  # withheld paths are shown as they are
        parse_issued({"format": "urn:origincert:issued:2", "document": {}, "proof": redacted})
    with pytest.raises(FormatProblem, match="hex digits"):  # fromhex alone would accept the spaces
        parse_issued(
            {
                "format": "urn:origincert:issued:2",
                "document": {},
                "proof": {**proof, "field_hashes": {"number": "0x" + "22 " * 21 + "2"}},
            }
        )


def test_a_version_1_file_is_refused_with_a_clear_message_and_its_own_code() -> None:
    with pytest.raises(FormatProblem, match="version 1 certificate file") as err:
        parse_issued({"format": "urn:origincert:issued:1", "document": {}, "proof": {}})
    assert err.value.code == "format_v1"


def test_safe_display_escapes_what_could_disguise_a_sentence() -> None:
    assert safe("Müller & Söhne GmbH") == "Müller & Söhne GmbH"
    assert safe("abc\u202edef") == "abc\\u202edef"
    assert safe("a\x00b\u200bc\nd") == "a\\u0000b\\u200bc\\u000ad"
    assert safe("x" * 200, limit=10) == "x" * 10 + "…"
    assert safe_path("goods[0].hs_code") == "goods[0].hs_code"
    assert safe_path("nаme") == "n\\u0430me"  # a Cyrillic а
