"""The certificate of origin data model (schema ``urn:origincert:schema:certificate:2``).

One pydantic model covers the non-preferential chamber certificate (ICC) and the preferential
forms (EUR.1, EUR-MED, GSP Form A, ATIGA Form D, ACFTA Form E, RCEP and the ASEAN+1 forms).
Validation is strict: a value is accepted only in its one canonical JSON shape (dates as
``"YYYY-MM-DD"``, decimals as strings, integers as integers), so ``to_json(parse(d))`` is ``d``
and every party hashes the same bytes. Nothing is stripped or coerced silently.

Validation runs in two phases: field shapes first (all problems at once), then the cross-field
rules of :data:`RULES` (run only when every field is well formed). The rules read the document
through a view that knows which fields a holder withheld, so on a redacted copy each rule still
runs whenever the fields it needs are shown (:func:`validate_shown`).

:data:`UNHIDEABLE` is the policy of fields that can never be withheld: what identifies the
certificate, its issuer and economy, its dates and validity, and what kind of document it is.
The verifier enforces it on every file (``origincert.issued``), not only ``redact``.

Default validity (``valid_until`` when absent), counted from ``issue_date`` to the same day N
months later (the month's last day if shorter):

=============================================  ======
form                                           months
=============================================  ======
ICC_CO (non-preferential)                      12
EUR1, EUR_MED                                  4
FORM_A (GSP)                                   10
FORM_D, FORM_E, RCEP, FORM_AK/AJ/AI/AHK, AANZ  12
=============================================  ======

Paths name fields as in :func:`origincert.fields.flatten`: keys joined by ``.``, list items as
``[i]`` counted from 0 (``goods[0]`` is item number 1).
"""

from __future__ import annotations

import calendar
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from origincert.errors import DocumentError
from origincert.safejson import load_json
from origincert.schema import codelists

__all__ = [
    "FORMS",
    "SCHEMA_ID",
    "SCHEMA_PATH",
    "UNHIDEABLE",
    "Certificate",
    "FormRule",
    "GoodsItem",
    "Party",
    "default_valid_until",
    "forbidden_withheld",
    "json_schema",
    "load_json",
    "parse_certificate",
    "validate_shown",
]

SCHEMA_ID = "urn:origincert:schema:certificate:2"
SCHEMA_PATH = Path(__file__).parent / "schema" / "certificate-2.json"
MAX_ITEMS = 50
MAX_LEDGER_ID = 2**32 - 1  # IssuerRegistry ids (signed as uint64, stored and checked as uint32)

# Never withheld (a path or anything under it): what the certificate is and which one, who issued
# it in which economy and under which ledger id, when, until when, and what it replaces or copies.
UNHIDEABLE = (
    "schema", "number", "kind", "form", "agreement", "issue_date", "valid_until",
    "issuing_body", "flags", "copy_of", "duplicate_of", "replaces",
)  # fmt: skip
RETROACTIVE_GRACE_DAYS = 3  # ATIGA: issued more than 3 days after departure is "retroactive"

# ---------------------------------------------------------------------------------------------
# Vocabulary

FormCode = Literal[
    "ICC_CO", "EUR1", "EUR_MED", "FORM_A", "FORM_D", "FORM_E", "RCEP",
    "FORM_AK", "FORM_AJ", "FORM_AI", "AANZ", "FORM_AHK",
]  # fmt: skip
CriterionCode = Literal[
    "WO", "PE", "CTH", "CTSH", "CC", "CTC", "RVC", "PSR", "SP", "PC", "CR", "P", "W", "F", "Y", "PK",
]  # fmt: skip
Kind = Literal["non_preferential", "preferential"]
TransportMode = Literal["sea", "air", "road", "rail", "multimodal"]
ProducerStatement = Literal["SAME", "UNKNOWN", "AVAILABLE_UPON_REQUEST"]

PERCENT_REQUIRED = frozenset({"RVC", "PC"})  # "RVC 40%": the value is part of the criterion
PERCENT_ALLOWED = PERCENT_REQUIRED | {"Y"}  # GSP "Y" may carry the donor's percentage
_ASEAN_PLUS = frozenset({"WO", "PE", "RVC", "CTH", "CTSH", "CC", "PSR", "SP", "PC"})


@dataclass(frozen=True, slots=True)
class FormRule:
    """What a form requires: its kind, agreement, validity, origin criteria and item limits.

    ``agreement`` None on a preferential form means any agreement code (EUR.1 serves many);
    ``criteria`` None means the form has no origin-criterion box.
    """

    kind: str
    agreement: str | None
    validity_months: int
    criteria: frozenset[str] | None
    max_items: int = MAX_ITEMS
    hs_digits: int | None = None  # Form E and RCEP print the 6-digit HS code


FORMS: dict[str, FormRule] = {
    "ICC_CO": FormRule("non_preferential", None, 12, None),
    "EUR1": FormRule("preferential", None, 4, None),
    "EUR_MED": FormRule("preferential", None, 4, None),
    "FORM_A": FormRule("preferential", "GSP", 10, frozenset({"P", "W", "F", "Y", "PK"})),
    "FORM_D": FormRule(
        "preferential", "ATIGA", 12, frozenset({"WO", "PE", "RVC", "CTH", "CTSH", "CC", "SP", "PC"})
    ),
    "FORM_E": FormRule(
        "preferential", "ACFTA", 12, frozenset({"WO", "PE", "RVC", "CTH", "PSR"}), 20, 6
    ),
    "RCEP": FormRule(
        "preferential", "RCEP", 12, frozenset({"WO", "PE", "CTC", "RVC", "CR"}), hs_digits=6
    ),
    "FORM_AK": FormRule("preferential", "AKFTA", 12, _ASEAN_PLUS),
    "FORM_AJ": FormRule("preferential", "AJCEP", 12, _ASEAN_PLUS),
    "FORM_AI": FormRule("preferential", "AIFTA", 12, _ASEAN_PLUS),
    "AANZ": FormRule("preferential", "AANZFTA", 12, _ASEAN_PLUS),
    "FORM_AHK": FormRule("preferential", "AHKFTA", 12, _ASEAN_PLUS),
}

# ISO 3166-1 alpha-2 (officially assigned) plus XK (Kosovo, user-assigned but in customs use).
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW XK
    """.split()  # noqa: SIM905 - a table reads better than 250 quoted strings
)
ORIGINS = COUNTRIES | {"EU"}  # "European Union" is a lawful origin on EUR.1 and chamber COs

# ---------------------------------------------------------------------------------------------
# Constrained scalar types. Each pattern has one human message (see _PATTERN_MESSAGES).

_P_NUMBER = r"^[A-Z0-9](?:[A-Z0-9./-]{0,38}[A-Z0-9])?$"
_P_HS = r"^(?:0[1-9]|[1-6][0-9]|7[0-689]|8[0-9]|9[0-7])[0-9]{4,8}$"
_P_COUNTRY = r"^[A-Z]{2}$"
_P_CURRENCY = r"^[A-Z]{3}$"
_P_UNIT = r"^[A-Z0-9]{2,3}$"
_P_PACKAGE = r"^[A-Z0-9]{2}$"
_P_DECIMAL = r"^(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,6})?$"
_P_PERCENT = r"^(?:0|[1-9][0-9]?|100)$"
_P_AGREEMENT = r"^[A-Z0-9](?:[A-Z0-9-]{0,30}[A-Z0-9])?$"
_P_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_PATTERN_MESSAGES = {
    _P_NUMBER: "must be 1 to 40 characters of A-Z, 0-9, '.', '/', '-', starting and ending with a letter or digit",
    _P_HS: "must be 6 to 10 digits starting with an HS chapter 01 to 97",
    _P_COUNTRY: "must be an ISO 3166-1 alpha-2 code in capitals, like SG",
    _P_CURRENCY: "must be an ISO 4217 currency code in capitals, like USD",
    _P_UNIT: "must be a UN/ECE Rec. 20 unit code, like KGM or PCE",
    _P_PACKAGE: "must be a UN/ECE Rec. 21 package code, like CT or PK",
    _P_DECIMAL: 'must be a decimal string like "1250.50" (up to 15 digits, 6 decimals, no sign)',
    _P_PERCENT: 'must be a whole percentage 0 to 100 as a string, rounded down (40.6 % is "40")',
    _P_AGREEMENT: "must be an agreement code of A-Z, 0-9 and '-', like ATIGA or EU-CH",
}

# Characters never allowed in text: C0 controls (line feed only where multi-line), DEL, C1
# controls, bidirectional embeddings/overrides/isolates, and lone surrogates (not UTF-8).
_FORBIDDEN_MULTILINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_FORBIDDEN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _char_kind(ch: str) -> str:
    cp = ord(ch)
    if cp == 0:
        return "a NUL byte"
    if ch == "\n":
        return "a line break"
    if 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069:
        return "a bidirectional override"
    if 0xD800 <= cp <= 0xDFFF:
        return "a lone surrogate"
    return "a control character"


def _text_checker(forbidden: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        bad = forbidden.search(value)
        if bad is not None:
            ch = bad.group()
            raise PydanticCustomError(
                "text_forbidden_char",
                "contains {kind} (U+{cp}) at position {pos}",
                {"kind": _char_kind(ch), "cp": f"{ord(ch):04X}", "pos": bad.start()},
            )
        if value.strip() != value:
            raise PydanticCustomError("text_whitespace", "must not start or end with whitespace")
        return value

    return check


def _in_set(allowed: frozenset[str], code: str, message: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(code, message)
        return value

    return check


def _positive(value: str) -> str:
    if value.strip("0.") == "":
        raise PydanticCustomError("decimal_not_positive", "must be greater than zero")
    return value


_DATE_SHAPE = re.compile(_P_DATE)


def _iso_date(value: Any) -> date:
    if not isinstance(value, str) or _DATE_SHAPE.fullmatch(value) is None:
        raise PydanticCustomError("date_format", 'must be a date as a string "YYYY-MM-DD"')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "is not a real calendar date") from None


_SINGLE_LINE = AfterValidator(_text_checker(_FORBIDDEN_LINE))
_MULTI_LINE = AfterValidator(_text_checker(_FORBIDDEN_MULTILINE))
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), _SINGLE_LINE]
Line = Annotated[str, StringConstraints(min_length=1, max_length=200), _SINGLE_LINE]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=60), _SINGLE_LINE]
Address = Annotated[str, StringConstraints(min_length=1, max_length=500), _MULTI_LINE]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000), _MULTI_LINE]
CertNumber = Annotated[str, StringConstraints(pattern=_P_NUMBER)]
HsCode = Annotated[str, StringConstraints(pattern=_P_HS)]
Country = Annotated[
    str,
    StringConstraints(pattern=_P_COUNTRY),
    AfterValidator(
        _in_set(COUNTRIES, "country_unknown", "is not an assigned ISO 3166-1 alpha-2 country code")
    ),
]
Origin = Annotated[
    str,
    StringConstraints(pattern=_P_COUNTRY),
    AfterValidator(
        _in_set(ORIGINS, "origin_unknown", "is not an ISO 3166-1 alpha-2 country code or EU")
    ),
]
Currency = Annotated[str, StringConstraints(pattern=_P_CURRENCY)]
Unit = Annotated[
    str,
    StringConstraints(pattern=_P_UNIT),
    Field(
        description=codelists.describe(
            "A UN/ECE Recommendation 20 unit of measure code (any code of 2 or 3 letters and "
            "digits is accepted). Common ones:",
            codelists.UNITS,
        ),
        examples=["KGM", "C62", "LTR"],
    ),
]
PackageKind = Annotated[
    str,
    StringConstraints(pattern=_P_PACKAGE),
    Field(
        description=codelists.describe(
            "A UN/ECE Recommendation 21 code for the kind of package (any code of 2 letters "
            "and digits is accepted). Common ones:",
            codelists.PACKAGES,
        ),
        examples=["CT", "PX", "BG"],
    ),
]
PositiveDecimal = Annotated[str, StringConstraints(pattern=_P_DECIMAL), AfterValidator(_positive)]
Percentage = Annotated[str, StringConstraints(pattern=_P_PERCENT)]
AgreementCode = Annotated[str, StringConstraints(pattern=_P_AGREEMENT)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# ---------------------------------------------------------------------------------------------
# Models


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Party(_Model):
    """A trader named on the certificate: exporter, producer, invoicer."""

    name: Name
    address: Address
    country: Country


class Consignee(_Model):
    """Box "consigned to". ``name`` may be "TO ORDER" (then the address may be left out)."""

    name: Name
    address: Address | None = None
    country: Country


class IssuingBody(_Model):
    """The chamber or authority that certifies; ``accreditation_ref`` is e.g. the ICC WCF number.

    ``ledger_id`` is the body's id in the IssuerRegistry: the verifier asks the ledger with it
    and refuses a certificate anchored by another body. Every issued document carries it (the
    issued-file reader refuses one without); an input to the issuer may leave it out, and the
    issuer then writes the signing body's id and its name as the ledger records them.
    """

    name: Name
    economy: Country
    ledger_id: Annotated[int, Field(ge=1, le=MAX_LEDGER_ID)] | None = None
    accreditation_ref: Ref | None = None


class Transport(_Model):
    """Means of transport and route; ``departure_date`` also decides retroactive issuance."""

    departure_date: IsoDate
    mode: TransportMode
    vessel_or_flight: Line | None = None
    port_of_loading: Line | None = None
    port_of_discharge: Line | None = None
    route: Line | None = None


class Packages(_Model):
    count: Annotated[int, Field(ge=1, le=10**9)]
    kind: PackageKind


class Quantity(_Model):
    value: PositiveDecimal
    unit: Unit


class Invoice(_Model):
    number: Ref
    date: IsoDate


class OriginCriterion(_Model):
    """Box "origin criterion"; ``percentage`` is rounded down to a whole number (40.6 % is "40")."""

    code: Annotated[
        CriterionCode,
        Field(
            description=codelists.describe(
                "The origin criterion, one the form takes ("
                + "; ".join(
                    f"{form}: {' '.join(sorted(rule.criteria))}"
                    for form, rule in FORMS.items()
                    if rule.criteria is not None
                )
                + "; "
                + ", ".join(form for form, rule in FORMS.items() if rule.criteria is None)
                + " have no criterion box). Codes:",
                codelists.CRITERIA,
            ),
            examples=["WO", "RVC", "CTH"],
        ),
    ]
    percentage: Percentage | None = None


class Money(_Model):
    amount: PositiveDecimal
    currency: Currency


class GoodsItem(_Model):
    item_number: Annotated[int, Field(ge=1, le=MAX_ITEMS)]
    hs_code: HsCode
    description: Text
    marks_and_numbers: Address
    packages: Packages
    quantity: Quantity
    gross_weight_kg: PositiveDecimal
    invoice: Invoice
    origin_criterion: OriginCriterion | None = None
    fob_value: Money | None = None
    country_of_origin: Origin


class Declaration(_Model):
    """The exporter's declaration: made before (or on) the day of certification."""

    place: Line
    date: IsoDate
    signatory: Name
    statement: Text


class Flags(_Model):
    """Tick boxes. Each one that needs data has its companion field (see the rules)."""

    issued_retroactively: bool = False
    back_to_back: bool = False
    third_party_invoicing: bool = False
    certified_true_copy: bool = False
    duplicate: bool = False
    exhibition: bool = False
    de_minimis: bool = False
    accumulation: bool = False
    partial_cumulation: bool = False


class OriginalProof(_Model):
    """The first proof of origin a back-to-back certificate relies on."""

    number: Ref
    issue_date: IsoDate
    issuing_country: Country
    country_of_origin: Origin
    approved_exporter: Ref | None = None


class ThirdPartyInvoicer(_Model):
    name: Name
    country: Country
    invoice: Invoice | None = None


class CertificateRef(_Model):
    """Another certificate: the original of a certified true copy or a duplicate."""

    number: Ref
    issue_date: IsoDate


class Replacement(_Model):
    """ "This certificate cancels and replaces certificate <number> issued on <date>"."""

    number: Ref
    issue_date: IsoDate
    reason: Line


def _producer_tag(value: Any) -> str | None:
    if isinstance(value, (dict, Party)):  # a dict when validating, a Party when serialising
        return "Party"
    if isinstance(value, str):
        return "Statement"
    return None


Producer = Annotated[
    Annotated[Party, Tag("Party")] | Annotated[ProducerStatement, Tag("Statement")],
    Discriminator(
        _producer_tag,
        custom_error_type="producer_kind",
        custom_error_message="must be a party object or one of SAME, UNKNOWN, AVAILABLE_UPON_REQUEST",
    ),
]
_UNION_TAGS = {"producer": {"Party", "Statement"}}


class Certificate(_Model):
    """A certificate of origin, as issued and as hashed field by field."""

    model_config = ConfigDict(title="Certificate of origin")

    schema_id: Literal["urn:origincert:schema:certificate:2"] = Field(alias="schema")
    number: CertNumber
    kind: Kind
    form: FormCode
    agreement: AgreementCode | None = None
    issue_date: IsoDate
    issue_place: Line
    valid_until: IsoDate | None = Field(
        default=None, description="Defaults to issue_date plus the form's validity period."
    )
    issuing_body: IssuingBody
    exporter: Party
    producer: Producer
    consignee: Consignee
    importing_country: Country
    transport: Transport
    goods: Annotated[list[GoodsItem], Field(min_length=1, max_length=MAX_ITEMS)]
    declaration: Declaration
    remarks: Text | None = None
    flags: Flags = Field(default_factory=Flags)
    original_proof: OriginalProof | None = None
    third_party_invoicer: ThirdPartyInvoicer | None = None
    copy_of: CertificateRef | None = None
    duplicate_of: CertificateRef | None = None
    replaces: Replacement | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_valid_until(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("valid_until") is None:
            form, issued = data.get("form"), data.get("issue_date")
            if (
                isinstance(form, str)
                and form in FORMS
                and isinstance(issued, str)
                and _DATE_SHAPE.fullmatch(issued)
            ):
                try:
                    until = default_valid_until(date.fromisoformat(issued), form)
                except ValueError:
                    return data  # the field check names the bad date
                return {**data, "valid_until": until.isoformat()}
        return data

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> Certificate:
        if info.context and info.context.get("fields_only"):
            return self  # validate_shown runs the rules itself, knowing what was withheld
        problems = run_rules(self.to_json())
        if problems:
            raise _error(problems)  # not a ValueError: pydantic lets it through unchanged
        return self

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON-able dict (absent fields omitted): what gets hashed and shipped."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# ---------------------------------------------------------------------------------------------
# Cross-field rules. Each is one small check reading the document through a _View and yielding
# (path, message) problems. A check that reads a withheld field raises _Withheld and is skipped
# on its own: every other check still runs (a redacted copy is judged on all it shows).

Problem = tuple[str, str]


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def default_valid_until(issue_date: date, form: str) -> date:
    """The end of validity a form gives by default (see the table in the module docstring)."""
    return _add_months(issue_date, FORMS[form].validity_months)


_MISS = object()


@functools.lru_cache(maxsize=1024)
def _day(value: str) -> date:
    return date.fromisoformat(value)


class _Withheld(Exception):
    """A check needs a field the holder withheld: that check is not run."""


_TOKEN = re.compile(r"([a-z_][a-z0-9_]*)|\[([0-9]+)\]")


@functools.lru_cache(maxsize=4096)
def _tokens(path: str) -> tuple[str | int, ...]:
    return tuple(name if name else int(index) for name, index in _TOKEN.findall(path))


def _covers(prefix: str, path: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


class _View:
    """The document's fields by path. ``get`` returns None for an absent field and raises
    _Withheld for one that is (or holds something) withheld; list lengths come from the
    committed shape when there is one (a hidden item stays counted)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        withheld: Iterable[str] = (),
        shape: Mapping[str, int] | None = None,
    ) -> None:
        self._data = data
        self._withheld = tuple(withheld)
        self.withheld = self._withheld
        self._shape = shape
        self._seen: dict[str, Any] = {}

    def _hidden(self, path: str) -> bool:
        return any(_covers(path, h) or _covers(h, path) for h in self._withheld)

    def get(self, path: str) -> Any:
        node: Any = self._seen.get(path, _MISS)
        if node is not _MISS:
            return node
        node = self._data
        for token in _tokens(path):
            if type(token) is int:
                node = node[token] if type(node) is list and token < len(node) else None
            else:
                node = node.get(token) if isinstance(node, dict) else None
            if node is None:
                break
        if node is None and self._withheld:
            self._check_hidden(path)
        self._seen[path] = node
        return node

    def _check_hidden(self, path: str) -> None:
        """Raise _Withheld when anything withheld lies at or under the first missing step of
        ``path`` (a hidden list item is a null that holds withheld fields)."""
        node: Any = self._data
        step = ""
        for token in _tokens(path):
            if isinstance(token, int):
                node = node[token] if isinstance(node, list) and token < len(node) else None
                step = f"{step}[{token}]"
            else:
                node = node.get(token) if isinstance(node, dict) else None
                step = f"{step}.{token}" if step else token
            if node is None:
                if self._hidden(step):
                    raise _Withheld(path)
                return

    def day(self, path: str) -> date:
        """A date the check needs (required where its parent is present)."""
        return _day(self.need(path))

    def need(self, path: str) -> Any:
        """A field the check cannot do without (required by the model, so present unless withheld)."""
        value = self.get(path)
        if value is None:
            raise _Withheld(path)
        return value

    def count(self, path: str) -> int:
        if self._shape is not None and path in self._shape:
            return self._shape[path]
        value = self.get(path)
        return len(value) if isinstance(value, list) else 0


Check = Callable[[_View], Iterator[Problem]]


def _rule_kind(v: _View) -> Iterator[Problem]:
    form, kind = v.need("form"), v.need("kind")
    if kind != FORMS[form].kind:
        yield "kind", f"must be {FORMS[form].kind} for form {form}"


def _rule_agreement(v: _View) -> Iterator[Problem]:
    form = v.need("form")
    rule, agreement = FORMS[form], v.get("agreement")
    if rule.kind == "preferential" and agreement is None:
        yield "agreement", "is required on a preferential certificate"
    elif rule.kind == "non_preferential" and agreement is not None:
        yield "agreement", "is only used on preferential certificates"
    elif rule.agreement is not None and agreement != rule.agreement:
        yield "agreement", f"must be {rule.agreement} for form {form}"


def _rule_item_count(v: _View) -> Iterator[Problem]:
    form = v.need("form")
    if v.count("goods") > FORMS[form].max_items:
        yield "goods", f"has more than {FORMS[form].max_items} items, the limit of form {form}"


def _rule_valid_until(v: _View) -> Iterator[Problem]:
    if v.get("valid_until") is not None and v.day("valid_until") <= v.day("issue_date"):
        yield "valid_until", "must be after issue_date"


def _rule_declaration_date(v: _View) -> Iterator[Problem]:
    if v.day("declaration.date") > v.day("issue_date"):
        yield (
            "declaration.date",
            "must not be after issue_date (the exporter declares before certification)",
        )


def _rule_retroactive(v: _View) -> Iterator[Problem]:
    late = (v.day("issue_date") - v.day("transport.departure_date")).days
    ticked = v.get("flags.issued_retroactively") is True
    if late > RETROACTIVE_GRACE_DAYS and not ticked:
        yield "flags.issued_retroactively", f"must be true: issued {late} days after departure"
    elif late <= RETROACTIVE_GRACE_DAYS and ticked:
        yield (
            "flags.issued_retroactively",
            f"must be false: issued within {RETROACTIVE_GRACE_DAYS} days of departure or before it",
        )


def _rule_invoicer_date(v: _View) -> Iterator[Problem]:
    if v.get("third_party_invoicer") is None or v.get("third_party_invoicer.invoice") is None:
        return
    if v.day("third_party_invoicer.invoice.date") > v.day("issue_date"):
        yield "third_party_invoicer.invoice.date", "must not be after issue_date"


def _companion(flag: str, field: str) -> Check:
    """Each tick box that needs data has it, and data never comes without its tick box."""

    def check(v: _View) -> Iterator[Problem]:
        ticked, data = v.get(f"flags.{flag}") is True, v.get(field)
        if ticked and data is None:
            yield field, f"is required when flags.{flag} is true"
        elif data is not None and not ticked:
            yield f"flags.{flag}", f"must be true when {field} is given"

    check.__name__ = f"_rule_companion_{flag}"
    return check


def _not_after_issue(field: str) -> Check:
    def check(v: _View) -> Iterator[Problem]:
        if v.get(field) is not None and v.day(f"{field}.issue_date") > v.day("issue_date"):
            yield f"{field}.issue_date", "must not be after issue_date"

    check.__name__ = f"_rule_{field}_date"
    return check


def _rule_back_to_back_economy(v: _View) -> Iterator[Problem]:
    if v.get("original_proof") is None:
        return
    if v.need("original_proof.issuing_country") == v.need("issuing_body.economy"):
        yield (
            "original_proof.issuing_country",
            "must differ from issuing_body.economy (back-to-back is issued elsewhere)",
        )


def _rule_replaces(v: _View) -> Iterator[Problem]:
    if v.get("replaces") is None:
        return
    if v.need("replaces.number") == v.need("number"):
        yield "replaces.number", "must differ from this certificate's number"
    if v.day("replaces.issue_date") > v.day("issue_date"):
        yield "replaces.issue_date", "must not be after issue_date"


def _rule_consignee(v: _View) -> Iterator[Problem]:
    if v.get("consignee.address") is None and not v.need("consignee.name").upper().startswith(
        "TO ORDER"
    ):
        yield "consignee.address", "is required unless the consignee is TO ORDER"


# Item checks read the item through its own view (paths relative to ``goods[i]``): one short
# path per field instead of one per item, which keeps a 50-item certificate cheap to validate.
ItemCheck = Callable[[_View, _View, int], Iterator[Problem]]


def _item_number(v: _View, item: _View, i: int) -> Iterator[Problem]:
    if item.need("item_number") != i + 1:
        yield f"goods[{i}].item_number", f"must be {i + 1} (items are numbered 1 to n in order)"


def _item_hs(v: _View, item: _View, i: int) -> Iterator[Problem]:
    form = v.need("form")
    digits = FORMS[form].hs_digits
    if digits is not None and len(item.need("hs_code")) != digits:
        yield f"goods[{i}].hs_code", f"must be {digits} digits on form {form}"


def _item_invoice(v: _View, item: _View, i: int) -> Iterator[Problem]:
    if item.day("invoice.date") > v.day("issue_date"):
        yield f"goods[{i}].invoice.date", "must not be after issue_date"


def _item_criterion(v: _View, item: _View, i: int) -> Iterator[Problem]:
    form = v.need("form")
    criteria = FORMS[form].criteria
    criterion = item.get("origin_criterion")
    if criteria is None:
        if criterion is not None:
            yield f"goods[{i}].origin_criterion", f"is not used on form {form}"
        return
    if criterion is None:
        yield f"goods[{i}].origin_criterion", f"is required on form {form}"
        return
    code = item.need("origin_criterion.code")
    if code not in criteria:
        yield (
            f"goods[{i}].origin_criterion.code",
            f"must be one of {', '.join(sorted(criteria))} on form {form}",
        )


def _item_percentage(v: _View, item: _View, i: int) -> Iterator[Problem]:
    if item.get("origin_criterion") is None:
        return
    code, percentage = item.need("origin_criterion.code"), item.get("origin_criterion.percentage")
    if code in PERCENT_REQUIRED and percentage is None:
        yield f"goods[{i}].origin_criterion.percentage", f"is required with criterion {code}"
    elif code not in PERCENT_ALLOWED and percentage is not None:
        yield f"goods[{i}].origin_criterion.percentage", f"is not used with criterion {code}"


def _item_fob(v: _View, item: _View, i: int) -> Iterator[Problem]:
    if item.get("origin_criterion") is None:
        return
    if item.need("origin_criterion.code") == "RVC" and item.get("fob_value") is None:
        yield f"goods[{i}].fob_value", "is required when the origin criterion is RVC"


RULES: tuple[Check, ...] = (
    _rule_kind,
    _rule_agreement,
    _rule_item_count,
    _rule_valid_until,
    _rule_declaration_date,
    _rule_retroactive,
    _rule_invoicer_date,
    _companion("back_to_back", "original_proof"),
    _companion("third_party_invoicing", "third_party_invoicer"),
    _companion("certified_true_copy", "copy_of"),
    _companion("duplicate", "duplicate_of"),
    _not_after_issue("original_proof"),
    _not_after_issue("copy_of"),
    _not_after_issue("duplicate_of"),
    _rule_back_to_back_economy,
    _rule_replaces,
    _rule_consignee,
)
ITEM_RULES: tuple[ItemCheck, ...] = (
    _item_number,
    _item_hs,
    _item_invoice,
    _item_criterion,
    _item_percentage,
    _item_fob,
)


def run_rules(
    data: Mapping[str, Any],
    withheld: Iterable[str] = (),
    shape: Mapping[str, int] | None = None,
) -> list[Problem]:
    """Every cross-field problem of a field-valid document; with ``withheld``, each check that
    needs a withheld field is skipped on its own, and every other check runs."""
    view = _View(data, withheld, shape)
    problems: list[Problem] = []
    for rule in RULES:
        try:
            problems.extend(rule(view))
        except _Withheld:
            pass
    goods = data.get("goods")
    if not isinstance(goods, list):
        return problems
    hidden = view.withheld
    for i, item in enumerate(goods):  # the items the document has
        prefix = f"goods[{i}]."
        mine = tuple(h[len(prefix) :] for h in hidden if h.startswith(prefix))
        if not isinstance(item, dict):
            continue  # a hidden item's placeholder (an unexcused null fails the field checks)
        item_view = _View(item, mine)
        for item_rule in ITEM_RULES:
            try:
                problems.extend(item_rule(view, item_view, i))
            except _Withheld:
                pass
    return problems


def forbidden_withheld(withheld: Iterable[str]) -> list[str]:
    """The withheld paths that :data:`UNHIDEABLE` forbids withholding, sorted."""
    return sorted(p for p in withheld if any(_covers(u, p) for u in UNHIDEABLE))


# ---------------------------------------------------------------------------------------------
# Errors: pydantic's report turned into (path, short human message)


def _path(loc: tuple[int | str, ...]) -> str:
    out: list[str] = []
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif isinstance(previous, str) and part in _UNION_TAGS.get(previous, ()):
            pass  # the union member pydantic tried, not a field
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part)}]")  # an unexpected key, shown escaped
        previous = part
    return "".join(out)


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not an allowed field"
    if kind == "string_type":
        return "must be a string"
    if kind == "string_unicode":
        return "contains a lone surrogate (not valid Unicode text)"
    if kind == "int_type":
        return "must be a whole number"
    if kind == "bool_type":
        return "must be true or false"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be an object"
    if kind == "list_type":
        return "must be a list"
    if kind == "literal_error":
        return f"must be {ctx['expected']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {ctx['max_length']} characters)"
    if kind == "string_pattern_mismatch":
        return _PATTERN_MESSAGES.get(ctx.get("pattern", ""), "has the wrong format")
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} item(s)"
    if kind == "too_long":
        return f"has more than {ctx['max_length']} items"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    return str(err["msg"])


def _problems(exc: ValidationError) -> list[Problem]:
    return [(_path(err["loc"]), _message(err)) for err in exc.errors(include_url=False)]


def _error(problems: list[Problem]) -> DocumentError:
    shown = "; ".join(f"{path or '(document)'} {message}" for path, message in problems[:5])
    more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return DocumentError(
        f"certificate is invalid ({len(problems)} {noun}): {shown}{more}", problems=problems
    )


# ---------------------------------------------------------------------------------------------
# Public entry points


_FIELDS_ONLY = {"fields_only": True}


def parse_certificate(data: dict[str, Any]) -> Certificate:
    """Validate a certificate dict; raise DocumentError listing every problem as (path, message).

    The same as ``Certificate.model_validate(data)`` (which runs the rules on the model's
    ``to_json()``), with the rules run on ``data`` itself and its default ``valid_until``: once
    every field is valid (strict: one JSON shape per value, no coercion, no extra key) each value
    a rule reads is the same in both, and an absent optional field reads as None in both (as for
    a redacted copy, :func:`validate_shown`). Saves the dump: 72 µs instead of 85 µs per
    certificate (``scripts/bench/native.py``, load 6); ``tests/test_document.py`` compares them.
    """
    if not isinstance(data, dict):
        raise DocumentError("a certificate must be a JSON object", code="document_not_object")
    try:
        cert = Certificate.model_validate(data, context=_FIELDS_ONLY)
    except ValidationError as exc:
        raise _error(_problems(exc)) from None
    if data.get("valid_until") is None and cert.valid_until is not None:
        data = {**data, "valid_until": cert.valid_until.isoformat()}
    problems = run_rules(data)
    if problems:
        raise _error(problems)
    return cert


def validate_shown(
    data: dict[str, Any], withheld: Iterable[str], shape: Mapping[str, int] | None = None
) -> None:
    """Check a redacted certificate: its shown fields, and every cross-field rule whose inputs
    are shown.

    ``withheld`` holds the withheld paths; a missing (or null) value is excused only when a
    withheld path is that value or lies under it. ``shape`` is the committed length of each list
    (a hidden item still counts). Raises DocumentError listing every problem.
    """
    if not isinstance(data, dict):
        raise DocumentError("a certificate must be a JSON object", code="document_not_object")
    hidden = tuple(withheld)
    if not hidden:
        parse_certificate(data)
        return
    problems: list[Problem] = []
    try:
        Certificate.model_validate(data, context={"fields_only": True})
    except ValidationError as exc:
        problems = [
            problem
            for err, problem in zip(exc.errors(include_url=False), _problems(exc), strict=True)
            if not _excused(err, problem[0], hidden)
        ]
    if not problems:  # the rules read well-formed values only
        problems = run_rules(data, hidden, shape)
    if problems:
        raise _error(problems)


def _excused(err: Any, path: str, hidden: tuple[str, ...]) -> bool:
    if err["type"] != "missing" and err["input"] is not None:
        return False
    return any(h == path or h.startswith((f"{path}.", f"{path}[")) for h in hidden)


def json_schema() -> dict[str, Any]:
    """The JSON Schema shipped as ``origincert/schema/certificate-2.json``."""
    body = Certificate.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **body}


def _schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _main(argv: list[str]) -> int:
    if argv == ["--write-schema"]:
        SCHEMA_PATH.write_text(_schema_text(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
        return 0
    print("usage: python -m origincert.document --write-schema", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
