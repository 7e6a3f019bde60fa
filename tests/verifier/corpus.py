"""The adversarial corpus: every way we know to forge, alter or misuse a certificate file, each
with the verdict and the (check, reason code) it must produce. Built from a scene (conftest)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from origincert.fields import flatten
from verifier import builder

INVALID, REVOKED, REPLACED, EXPIRED, SUSPECT, MALFORMED = (
    "INVALID",
    "REVOKED",
    "REPLACED",
    "EXPIRED",
    "SUSPECT",
    "MALFORMED",
)


@dataclass(frozen=True)
class Case:
    label: str
    payload: dict[str, Any] | bytes  # a parsed file, or raw bytes (verify_bytes)
    verdict: str
    check: str
    code: str
    fields: tuple[str, ...] | None = None  # for integrity: the fields it must name


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    node: Any = doc
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value


def _delete(doc: dict[str, Any], path: str) -> None:
    node: Any = doc
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    del node[parts[-1]]


def altered(value: Any) -> Any:
    """A different value of the same JSON type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return value[:-1] + ("1" if value[-1:] != "1" else "2") if value else "X"


def _edit(f: dict[str, Any], fn: Any) -> dict[str, Any]:
    out = copy.deepcopy(f)
    fn(out)
    return out


def every_field_altered(f: dict[str, Any]) -> list[Case]:
    return [
        Case(
            f"field altered: {path}",
            _edit(f, lambda o, p=path, v=value: _set(o["document"], p, altered(v))),
            INVALID,
            "integrity",
            "field_altered",
            (path,),
        )
        for path, value in flatten(f["document"]).items()
    ]


def wrong_types(f: dict[str, Any]) -> list[Case]:
    cases = []
    flat = flatten(f["document"])
    for path, value in flat.items():
        if isinstance(value, bool):
            new: Any = "true" if value else "false"
        elif isinstance(value, int):
            new = str(value)
        elif value.replace(".", "", 1).isdigit() and len(value) < 15:
            new = int(float(value)) if "." not in value else float(value)
        else:
            continue
        if path == "issuing_body.ledger_id":  # the one reader refuses a mistyped ledger id
            cases.append(
                Case(
                    f"wrong type: {path}",
                    _edit(f, lambda o, p=path, v=new: _set(o["document"], p, v)),
                    MALFORMED,
                    "format",
                    "format_invalid",
                )
            )
            continue
        cases.append(Case(f"wrong type: {path}", _edit(f, lambda o, p=path, v=new: _set(o["document"], p, v)),
                          INVALID, "integrity", "field_altered" if not isinstance(new, float) else "content_unreadable",
                          (path,) if not isinstance(new, float) else None))  # fmt: skip
    return cases


def unicode_tricks(f: dict[str, Any]) -> list[Case]:
    doc = f["document"]
    name = doc["exporter"]["name"]
    latin = next(i for i, ch in enumerate(name) if ch in "aeopcxyAEOPCXY")
    homoglyphs = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
                  "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "Y": "У"}  # fmt: skip
    spoofed = name[:latin] + homoglyphs[name[latin]] + name[latin + 1 :]
    path = "exporter.name"
    variants = {
        "homoglyph (Cyrillic letter)": spoofed,
        "RTL override": "\u202e" + name,
        "NUL byte": name + "\x00",
        "zero-width space": name[:1] + "\u200b" + name[1:],
        "decomposed accent (NFD)": name + "e\u0301",
        "trailing space": name + " ",
    }
    cases = [
        Case(
            f"unicode: {label} in {path}",
            _edit(f, lambda o, v=v: _set(o["document"], path, v)),
            INVALID,
            "integrity",
            "field_altered",
            (path,),
        )
        for label, v in variants.items()
    ]

    # Keys: a homoglyph key, a key with an RTL override: not a field of any certificate.
    def rename(o: dict[str, Any], new: str) -> None:
        o["document"]["exporter"] = {
            new if k == "name" else k: v for k, v in o["document"]["exporter"].items()
        }

    for label, new in (
        ("homoglyph key", "nаme"),
        ("RTL override in key", "name\u202e"),
        ("NUL in key", "na\x00me"),
    ):
        cases.append(
            Case(
                f"unicode: {label}",
                _edit(f, lambda o, n=new: rename(o, n)),
                INVALID,
                "integrity",
                "content_unreadable",
            )
        )
    return cases


def added_and_removed(f: dict[str, Any]) -> list[Case]:
    doc = f["document"]
    cases = [
        Case("field added: unknown top-level", _edit(f, lambda o: o["document"].__setitem__("discount", "10")),
             INVALID, "integrity", "field_added", ("discount",)),
        Case("field added: nested", _edit(f, lambda o: o["document"]["exporter"].__setitem__("vat_number", "DE123")),
             INVALID, "integrity", "field_added", ("exporter.vat_number",)),
        Case("field added: extra goods item", _edit(f, lambda o: o["document"]["goods"].append(copy.deepcopy(o["document"]["goods"][0]))),
             INVALID, "integrity", "shape_mismatch", ("goods",)),
        Case("field removed: required", _edit(f, lambda o: _delete(o["document"], "exporter.address")),
             INVALID, "integrity", "field_removed", ("exporter.address",)),
        Case("field removed: a flag", _edit(f, lambda o: _delete(o["document"], "flags.duplicate")),
             INVALID, "integrity", "field_removed", ("flags.duplicate",)),
        Case("field removed: together with its hash", _edit(f, lambda o: (_delete(o["document"], "issue_place"), o["proof"]["field_hashes"].pop("issue_place"))),
             INVALID, "integrity", "target_mismatch"),
        Case("field set to null", _edit(f, lambda o: _set(o["document"], "issue_place", None)),
             INVALID, "integrity", "field_removed", ("issue_place",)),
    ]  # fmt: skip
    if "remarks" not in doc:
        cases.append(Case("field added: remarks", _edit(f, lambda o: o["document"].__setitem__("remarks", "AMENDED")),
                          INVALID, "integrity", "field_added", ("remarks",)))  # fmt: skip
    return cases


def proof_tampering(
    f: dict[str, Any], other: dict[str, Any], redacted: dict[str, Any]
) -> list[Case]:
    """``other`` is another certificate of the same batch; ``redacted`` a redacted copy of ``f``."""
    first, second = sorted(redacted["proof"]["salts"])[:2]

    def swap_salts(o: dict[str, Any]) -> None:
        s = o["proof"]["salts"]
        s[first], s[second] = s[second], s[first]

    def seed_of_other(o: dict[str, Any]) -> None:
        o["proof"]["seed"] = other["proof"]["seed"]

    def bump(hexstr: str) -> str:
        return hexstr[:-1] + ("0" if hexstr[-1] != "0" else "1")

    mine, theirs = flatten(f["document"]), flatten(other["document"])
    differing = sorted(p for p, v in mine.items() if p in theirs and theirs[p] != v)
    # another certificate with another number of goods items first fails on the list's length
    mixed: tuple[str, tuple[str, ...]] = (
        ("field_altered", tuple(differing))
        if f["proof"]["shape"] == other["proof"]["shape"]
        else ("shape_mismatch", ("goods",))
    )
    return [
        Case("salts swapped (redacted copy)", _edit(redacted, swap_salts), INVALID, "integrity", "field_altered", (first, second)),
        Case("seed of another certificate", _edit(f, seed_of_other), INVALID, "integrity", "field_altered"),
        Case("proof section of another certificate", {**copy.deepcopy(f), "proof": copy.deepcopy(other["proof"])},
             INVALID, "integrity", *mixed),
        Case("document of another certificate", {**copy.deepcopy(f), "document": copy.deepcopy(other["document"])},
             INVALID, "integrity", *mixed),
        Case("merkle proof of another certificate", _edit(f, lambda o: o["proof"].__setitem__("merkle_proof", other["proof"]["merkle_proof"])),
             INVALID, "merkle", "proof_invalid"),
        Case("target and leaf of another certificate", _edit(f, lambda o: o["proof"].update(target_hash=other["proof"]["target_hash"], leaf=other["proof"]["leaf"])),
             INVALID, "integrity", "target_mismatch"),
        Case("leaf edited", _edit(f, lambda o: o["proof"].__setitem__("leaf", bump(o["proof"]["leaf"]))), INVALID, "merkle", "leaf_mismatch"),
        Case("root edited", _edit(f, lambda o: o["proof"].__setitem__("root", bump(o["proof"]["root"]))), INVALID, "merkle", "proof_invalid"),
        Case("field hash edited", _edit(f, lambda o: o["proof"]["field_hashes"].__setitem__("number", bump(o["proof"]["field_hashes"]["number"]))),
             INVALID, "integrity", "hash_list_mismatch"),
        Case("batch size edited", _edit(f, lambda o: o["proof"].__setitem__("batch_size", o["proof"]["batch_size"] + 1)),
             INVALID, "signature", "signer_mismatch"),
        Case("signature edited", _edit(f, lambda o: o["proof"].__setitem__("signature", bump(o["proof"]["signature"][:-2]) + o["proof"]["signature"][-2:])),
             INVALID, "signature", "signer_mismatch"),
        Case("signature not a signature", _edit(f, lambda o: o["proof"].__setitem__("signature", "0x" + "00" * 64 + "1b")),
             INVALID, "signature", "signature_invalid"),
        Case("signature in malleable form (high s)", _edit(f, lambda o: o["proof"].__setitem__("signature", _high_s(o["proof"]["signature"]))),
             INVALID, "signature", "signature_invalid"),
    ]  # fmt: skip


def _high_s(sig_hex: str) -> str:
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    sig = bytes.fromhex(sig_hex[2:])
    s = n - int.from_bytes(sig[32:64], "big")
    return "0x" + (sig[:32] + s.to_bytes(32, "big") + bytes([55 - sig[64]])).hex()


def redacted_then_altered(redacted: dict[str, Any], full: dict[str, Any]) -> list[Case]:
    shown = sorted(redacted["proof"]["salts"])
    withheld = sorted(redacted["proof"]["withheld"])
    target = next(
        p for p in shown if isinstance(flatten(redacted["document"])[p], str) and p != "schema"
    )
    revealed = withheld[0]
    real = flatten(full["document"])[revealed]

    def reveal_fake(o: dict[str, Any], keep_hash: bool) -> None:
        _set_deep(o["document"], revealed, altered(real))
        h = o["proof"]["withheld"].pop(revealed)
        o["proof"]["salts"][revealed] = "0x" + "11" * 16
        if keep_hash:
            o["proof"]["field_hashes"][revealed] = h

    return [
        Case("redacted, then a shown field altered", _edit(redacted, lambda o: _set(o["document"], target, altered(flatten(o["document"])[target]))),
             INVALID, "integrity", "field_altered", (target,)),
        Case("redacted, then a withheld field revealed with a false value", _edit(redacted, lambda o: reveal_fake(o, True)),
             INVALID, "integrity", "field_altered", (revealed,)),
        Case("redacted, then a false field added without its hash", _edit(redacted, lambda o: reveal_fake(o, False)),
             INVALID, "integrity", "field_added", (revealed,)),
        Case("redacted, then a withheld hash dropped", _edit(redacted, lambda o: o["proof"]["withheld"].pop(revealed)),
             INVALID, "integrity", "target_mismatch"),
        Case("redacted, then a shown field removed", _edit(redacted, lambda o: _delete(o["document"], target)),
             INVALID, "integrity", "field_removed", (target,)),
        Case("redacted copy given a seed back", _edit(redacted, lambda o: o["proof"].__setitem__("seed", full["proof"]["seed"])),
             MALFORMED, "format", "format_invalid"),
    ]  # fmt: skip


def _set_deep(doc: dict[str, Any], path: str, value: Any) -> None:
    """Like _set, creating missing objects on the way (a withheld object may be gone entirely)."""
    node: Any = doc
    parts = path.split(".")
    for part in parts[:-1]:
        name, _, index = part.partition("[")
        if index:
            node = node[name][int(index[:-1])]
        else:
            node = node.setdefault(name, {})
    node[parts[-1]] = value


def resigned(
    f: dict[str, Any], account: Any, chain_id: int, registry: str, *, update_signer: bool = True
) -> dict[str, Any]:
    out = copy.deepcopy(f)
    p = out["proof"]
    sig = builder.signature65(
        account, bytes.fromhex(p["root"][2:]), p["batch_size"], chain_id, registry,
        (p["issuer_id"], p["epoch"], p["deadline"]),
    )  # fmt: skip
    p["signature"] = "0x" + sig.hex()
    if update_signer:
        p["signer"] = account.address
    return out


def malformed(f: dict[str, Any]) -> list[Case]:
    raw = json.dumps(f).encode()
    big = (
        b'{"format": "urn:origincert:issued:2", "document": {"remarks": "'
        + b"A" * (50 * 1024 * 1024)
        + b'"}}'
    )

    def proof_edit(**kw: Any) -> dict[str, Any]:
        return _edit(f, lambda o: o["proof"].update(kw))

    cases = [
        Case("empty file", b"", MALFORMED, "format", "input_empty"),
        Case("whitespace only", b"  \n\t ", MALFORMED, "format", "input_empty"),
        Case("truncated", raw[: len(raw) // 2], MALFORMED, "format", "input_not_json"),
        Case("truncated by one byte", raw[:-1], MALFORMED, "format", "input_not_json"),
        Case("50 MB", big, MALFORMED, "format", "input_too_large"),
        Case("not UTF-8", raw.replace(b'"format"', b'"f\xffrmat"'), MALFORMED, "format", "input_not_utf8"),
        Case("a JSON array", b"[" + raw + b"]", MALFORMED, "format", "format_invalid"),
        Case("duplicate key", raw[:-1] + b', "format": "urn:origincert:issued:2"}', MALFORMED, "format", "input_duplicate_key"),
        Case("NaN", raw.replace(b'"leaf_index": ' + str(f["proof"]["leaf_index"]).encode(), b'"leaf_index": NaN'), MALFORMED, "format", "input_not_json"),
        Case("deeply nested", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, MALFORMED, "format", "input_too_deep"),
        Case("PNG bytes", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, MALFORMED, "format", "input_not_utf8"),
        Case("no format marker", _edit(f, lambda o: o.pop("format")), MALFORMED, "format", "format_unknown"),
        Case("another format version", _edit(f, lambda o: o.__setitem__("format", "urn:origincert:issued:3")), MALFORMED, "format", "format_unknown"),
        Case("a version 1 file", _edit(f, lambda o: o.__setitem__("format", "urn:origincert:issued:1")), MALFORMED, "format", "format_v1"),
        Case("proof lacks its shape", _edit(f, lambda o: o["proof"].pop("shape")), MALFORMED, "format", "format_invalid"),
        Case("shape count negative", _edit(f, lambda o: o["proof"]["shape"].__setitem__("goods", -1)), MALFORMED, "format", "format_invalid"),
        Case("issuer id zero", proof_edit(issuer_id=0), MALFORMED, "format", "format_invalid"),
        Case("epoch as a string", proof_edit(epoch="0"), MALFORMED, "format", "format_invalid"),
        Case("no proof", _edit(f, lambda o: o.pop("proof")), MALFORMED, "format", "format_invalid"),
        Case("document is a list", _edit(f, lambda o: o.__setitem__("document", [o["document"]])), MALFORMED, "format", "format_invalid"),
        Case("unknown top-level entry", _edit(f, lambda o: o.__setitem__("note", "x")), MALFORMED, "format", "format_invalid"),
        Case("unknown proof entry", proof_edit(valid="yes"), MALFORMED, "format", "format_invalid"),
        Case("proof lacks a root", _edit(f, lambda o: o["proof"].pop("root")), MALFORMED, "format", "format_invalid"),
        Case("batch size as a string", proof_edit(batch_size=str(f["proof"]["batch_size"])), MALFORMED, "format", "format_invalid"),
        Case("leaf index as a boolean", proof_edit(leaf_index=False), MALFORMED, "format", "format_invalid"),
        Case("leaf index beyond the batch", proof_edit(leaf_index=f["proof"]["batch_size"]), MALFORMED, "format", "format_invalid"),
        Case("batch size zero", proof_edit(batch_size=0), MALFORMED, "format", "format_invalid"),
        Case("chain id negative", proof_edit(chain_id=-1), MALFORMED, "format", "format_invalid"),
        Case("chain id float", proof_edit(chain_id=31337.0), MALFORMED, "format", "format_invalid"),
        Case("root without 0x", proof_edit(root=f["proof"]["root"][2:]), MALFORMED, "format", "format_invalid"),
        Case("root too short", proof_edit(root=f["proof"]["root"][:-2]), MALFORMED, "format", "format_invalid"),
        Case("root not hex", proof_edit(root="0x" + "zz" * 32), MALFORMED, "format", "format_invalid"),
        Case("signature 64 bytes", proof_edit(signature=f["proof"]["signature"][:-2]), MALFORMED, "format", "format_invalid"),
        Case("signer not an address", proof_edit(signer="Chamber DE-berlin"), MALFORMED, "format", "format_invalid"),
        Case("merkle proof not a list", proof_edit(merkle_proof="0x" + "00" * 32), MALFORMED, "format", "format_invalid"),
        Case("merkle proof too long", proof_edit(merkle_proof=["0x" + "00" * 32] * 65), MALFORMED, "format", "format_invalid"),
        Case("field hash not hex", _edit(f, lambda o: o["proof"]["field_hashes"].__setitem__("number", "0xnope")), MALFORMED, "format", "format_invalid"),
        Case("seed and salts", proof_edit(salts={}), MALFORMED, "format", "format_invalid"),
        Case("neither seed nor salts", _edit(f, lambda o: o["proof"].pop("seed")), MALFORMED, "format", "format_invalid"),
        Case("unicode digits in the batch size", raw.replace(b'"batch_size": ' + str(f["proof"]["batch_size"]).encode(), '"batch_size": "\u0661"'.encode()), MALFORMED, "format", "format_invalid"),
    ]  # fmt: skip
    return cases


# ---------------------------------------------------------------------------------------------
# Format v2: the certificate holder as adversary (docs/THREATS.md section 1, issue 9 classes 1-2)


def _relabel(o: dict[str, Any], old: str, new: str) -> None:
    w = o["proof"]["withheld"]
    w[new] = w.pop(old)


def _hand_redacted(full: dict[str, Any], hide: list[str]) -> dict[str, Any]:
    """A redaction ``origincert.redact`` refuses to make (an unhideable field): the holder's own."""
    return builder.redact(full, hide)


def holder_attacks(
    f: dict[str, Any],
    redacted: dict[str, Any],
    other: dict[str, Any],
    expired: dict[str, Any],
    economy_mismatch: dict[str, Any],
) -> list[Case]:
    """``f`` a full copy with at least two goods items, ``redacted`` a redacted copy of ``f``
    (from ``origincert.redact``), ``other`` another certificate of the same batch, ``expired``
    a full copy that is out of validity, ``economy_mismatch`` one naming another economy."""
    withheld = sorted(redacted["proof"]["withheld"])
    victim = withheld[0]
    label = _free_label(redacted)
    exp_label = _free_label(expired)
    n_goods = len(f["document"]["goods"])
    last = n_goods - 1
    cases = [
        # class 1: withheld hashes bound to their path
        Case("withheld hash relabelled as another field", _edit(redacted, lambda o: _relabel(o, victim, label)),
             INVALID, "integrity", "target_mismatch"),
        Case("two withheld hashes swapped", _edit(redacted, lambda o: o["proof"]["withheld"].update(
                 {withheld[0]: redacted["proof"]["withheld"][withheld[1]], withheld[1]: redacted["proof"]["withheld"][withheld[0]]})),
             INVALID, "integrity", "target_mismatch"),
        Case("expired: valid_until withheld", _hand_redacted(expired, ["valid_until"]),
             INVALID, "format", "withheld_forbidden"),
        Case("expired: valid_until hidden under another label", _edit(_hand_redacted(expired, ["valid_until"]), lambda o: _relabel(o, "valid_until", exp_label)),
             INVALID, "integrity", "target_mismatch"),
        Case("expired: valid_until hidden as a goods item", _edit(_hand_redacted(expired, ["valid_until"]), lambda o: _relabel(o, "valid_until", f"goods[{len(expired['document']['goods'])}].description")),
             INVALID, "integrity", "target_mismatch"),
        Case("null goods item appended, excused by a relabelled hash", _edit(redacted, lambda o: (o["document"]["goods"].append(None), _relabel(o, victim, f"goods[{n_goods}].hs_code"))),
             INVALID, "integrity", "shape_mismatch", ("goods",)),
        Case("null goods item appended and the shape raised to match", _edit(redacted, lambda o: (o["document"]["goods"].append(None), o["proof"]["shape"].__setitem__("goods", n_goods + 1), _relabel(o, victim, f"goods[{n_goods}].hs_code"))),
             INVALID, "integrity", "target_mismatch"),
        Case("a copied goods item appended with the shape raised", _edit(f, lambda o: (o["document"]["goods"].append(copy.deepcopy(o["document"]["goods"][0])), o["proof"]["shape"].__setitem__("goods", n_goods + 1))),
             INVALID, "integrity", "field_added"),
        Case("last goods item dropped (full copy)", _edit(f, lambda o: o["document"]["goods"].pop()),
             INVALID, "integrity", "shape_mismatch", ("goods",)),
        Case("last goods item dropped with its hashes and the shape lowered", _edit(f, lambda o: _drop_item(o, last)),
             INVALID, "integrity", "target_mismatch"),
        Case("hidden goods item's placeholder dropped", _edit(_hand_redacted(f, _item_paths(f, last)), lambda o: o["document"]["goods"].pop()),
             INVALID, "integrity", "shape_mismatch", ("goods",)),
        Case("goods items reordered", _edit(f, lambda o: _swap_items(o, 0, 1)),
             INVALID, "integrity", "field_altered"),
        Case("goods items reordered with their salts and hashes", _edit(redacted, lambda o: _swap_items(o, 0, 1, with_proof=True)),
             INVALID, "integrity", "field_altered"),
        Case("shape edited (full copy)", _edit(f, lambda o: o["proof"]["shape"].__setitem__("goods", n_goods + 1)),
             INVALID, "integrity", "shape_mismatch", ("goods",)),
        Case("withheld hashes of another certificate", _edit(redacted, lambda o: o["proof"]["withheld"].update(
                 {p: other["proof"]["field_hashes"][p] for p in withheld if p in other["proof"]["field_hashes"]})),
             INVALID, "integrity", "target_mismatch"),
        Case("salts of another certificate", _edit(redacted, lambda o: o["proof"].__setitem__("salts", _salts_of(other, o))),
             INVALID, "integrity", "field_altered"),
        # the unhideable policy, enforced by the verifier (not only by redact)
        *(Case(f"unhideable field withheld: {p}", _hand_redacted(f, [p]), INVALID, "format", "withheld_forbidden")
          for p in ("schema", "number", "kind", "form", "issue_date", "valid_until", "issuing_body.name",
                    "issuing_body.economy", "issuing_body.ledger_id", "flags.duplicate")),
        Case("economy check dodged by withholding the economy", _hand_redacted(economy_mismatch, ["issuing_body.economy"]),
             INVALID, "format", "withheld_forbidden"),
        # the signed issuer id, epoch and deadline
        Case("issuer id edited", _edit(f, lambda o: o["proof"].__setitem__("issuer_id", o["proof"]["issuer_id"] + 1)),
             INVALID, "signature", "issuer_id_mismatch", ("issuing_body.ledger_id",)),
        Case("issuer id and ledger id edited together", _edit(f, lambda o: (o["proof"].__setitem__("issuer_id", o["proof"]["issuer_id"] + 1),
                 o["document"]["issuing_body"].__setitem__("ledger_id", o["proof"]["issuer_id"]))),
             INVALID, "integrity", "field_altered", ("issuing_body.ledger_id",)),
        Case("epoch edited", _edit(f, lambda o: o["proof"].__setitem__("epoch", o["proof"]["epoch"] + 1)),
             INVALID, "signature", "signer_mismatch"),
        Case("deadline edited", _edit(f, lambda o: o["proof"].__setitem__("deadline", o["proof"]["deadline"] + 10**6)),
             INVALID, "signature", "signer_mismatch"),
    ]  # fmt: skip
    return cases


def _free_label(f: dict[str, Any]) -> str:
    """A field path this certificate does not have: where a holder would file a hash."""
    taken = set(flatten(f["document"])) | set(f["proof"].get("withheld", {}))
    return next(
        p
        for p in ("remarks", "third_party_invoicer.name", "original_proof.number", "copy_of.number")
        if p not in taken
    )


def _item_paths(f: dict[str, Any], i: int) -> list[str]:
    return [p for p in flatten(f["document"]) if p.startswith(f"goods[{i}].")]


def _drop_item(o: dict[str, Any], i: int) -> None:
    o["document"]["goods"].pop(i)
    for p in [p for p in o["proof"]["field_hashes"] if p.startswith(f"goods[{i}].")]:
        del o["proof"]["field_hashes"][p]
    o["proof"]["shape"]["goods"] = len(o["document"]["goods"])


def _swap_items(o: dict[str, Any], a: int, b: int, *, with_proof: bool = False) -> None:
    goods = o["document"]["goods"]
    goods[a], goods[b] = goods[b], goods[a]
    if not with_proof:
        return
    pa, pb = f"goods[{a}]", f"goods[{b}]"

    def swap_key(p: str) -> str:
        if p.startswith(pa + "."):
            return pb + p[len(pa) :]
        if p.startswith(pb + "."):
            return pa + p[len(pb) :]
        return p

    for key in ("salts", "field_hashes", "withheld"):
        o["proof"][key] = {swap_key(p): h for p, h in o["proof"][key].items()}


def _salts_of(other: dict[str, Any], o: dict[str, Any]) -> dict[str, str]:
    seed = bytes.fromhex(other["proof"]["seed"][2:])
    from origincert.fields import derive_salt

    return {p: "0x" + derive_salt(seed, p).hex() for p in o["proof"]["salts"]}


def rule_invalid_redacted(rule_invalid: dict[str, Any]) -> list[Case]:
    """Issue 9 class 2: an anchored certificate that breaks a cross-field rule on shown fields
    stays INVALID when a holder withholds some unrelated field."""
    return [
        Case("breaks a cross-field rule (full copy)", rule_invalid, INVALID, "schema", "schema_invalid", ("goods[1].item_number",)),
        Case("breaks a cross-field rule, an unrelated field withheld", builder.redact(rule_invalid, ["exporter.address"]),
             INVALID, "schema", "schema_invalid", ("goods[1].item_number",)),
    ]  # fmt: skip
