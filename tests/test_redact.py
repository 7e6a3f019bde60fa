"""Redaction: hidden fields leave the document, their hashes stay, the target hash never moves."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from origincert.cli.redact import default_output, register
from origincert.devtools.samples import sample_certificate
from origincert.document import forbidden_withheld, validate_shown
from origincert.errors import DocumentError
from origincert.fields import commit, flatten, is_path
from origincert.redact import ISSUED_FORMAT, redact, reveal_commitment


def issued_file(doc: dict[str, Any], seed: bytes = bytes(range(32))) -> dict[str, Any]:
    """A full copy as the issuer writes it (the chain part is opaque to redaction)."""
    doc["issuing_body"].setdefault("ledger_id", 1)
    c = commit(doc, seed)
    return {
        "format": ISSUED_FORMAT,
        "document": doc,
        "proof": {
            "seed": "0x" + seed.hex(),
            "field_hashes": {p: "0x" + h.hex() for p, h in c.field_hashes.items()},
            "shape": dict(c.shape),
            "target_hash": "0x" + c.target_hash.hex(),
            "leaf": "0x" + "11" * 32,
            "merkle_proof": ["0x" + "22" * 32],
            "root": "0x" + "33" * 32,
            "leaf_index": 0,
            "batch_size": 2,
            "signature": "0x" + "44" * 65,
            "signer": "0x" + "55" * 20,
            "chain_id": 31337,
            "registry": "0x" + "66" * 20,
            "issuer_id": doc["issuing_body"]["ledger_id"],
            "epoch": 0,
            "deadline": 0,
            "tx_hash": None,
        },
    }


@pytest.fixture
def full() -> dict[str, Any]:
    doc = sample_certificate(random.Random(42), items=3, economy="VN")
    return issued_file(json.loads(json.dumps(doc)))


def target(issued: dict[str, Any]) -> bytes:
    return reveal_commitment(issued).commitment.target_hash


def original_target(issued: dict[str, Any]) -> bytes:
    return bytes.fromhex(issued["proof"]["target_hash"][2:])


def test_hiding_an_object_withholds_all_its_fields(full: dict[str, Any]) -> None:
    out = redact(full, ["exporter"])
    assert "exporter" not in out["document"]
    proof = out["proof"]
    assert list(proof["withheld"]) == ["exporter.name", "exporter.address", "exporter.country"]
    assert proof["withheld"]["exporter.name"] == full["proof"]["field_hashes"]["exporter.name"]
    assert "seed" not in proof
    assert set(proof["salts"]) == set(flatten(out["document"])) == set(proof["field_hashes"])
    assert target(out) == original_target(full)
    for key in (
        "target_hash",
        "leaf",
        "merkle_proof",
        "root",
        "leaf_index",
        "batch_size",
        "signature",
        "chain_id",
    ):
        assert proof[key] == full["proof"][key]


def test_hiding_a_goods_item_keeps_the_other_items_paths(full: dict[str, Any]) -> None:
    out = redact(full, ["goods[1]"])
    goods = out["document"]["goods"]
    assert (
        goods[1] is None
        and goods[0] == full["document"]["goods"][0]
        and goods[2] == full["document"]["goods"][2]
    )
    assert all(p.startswith("goods[1].") for p in out["proof"]["withheld"])
    assert target(out) == original_target(full)


def test_hiding_single_fields_prunes_emptied_objects(full: dict[str, Any]) -> None:
    out = redact(
        full,
        ["goods[0].quantity.value", "goods[0].quantity.unit", "consignee.address", "transport"],
    )
    item = out["document"]["goods"][0]
    assert "quantity" not in item and "packages" in item
    assert "address" not in out["document"]["consignee"] and "name" in out["document"]["consignee"]
    assert "transport" not in out["document"]
    assert target(out) == original_target(full)


def test_hiding_every_item_removes_the_list(full: dict[str, Any]) -> None:
    out = redact(full, ["goods[0]", "goods[1]", "goods[2]"])
    assert "goods" not in out["document"]
    assert target(out) == original_target(full)


def test_redacted_copy_can_be_redacted_again(full: dict[str, Any]) -> None:
    once = redact(full, ["exporter"])
    twice = redact(
        once, ["goods[2].invoice", "exporter.name"]
    )  # exporter.name is already withheld: fine
    assert set(twice["proof"]["withheld"]) == set(once["proof"]["withheld"]) | {
        "goods[2].invoice.number",
        "goods[2].invoice.date",
    }
    assert target(twice) == original_target(full)
    assert redact(twice, ["exporter"]) == twice  # nothing new to hide


def test_redact_leaves_the_input_untouched(full: dict[str, Any]) -> None:
    before = copy.deepcopy(full)
    out = redact(full, ["goods", "exporter"])
    assert full == before
    out["proof"]["merkle_proof"].append("x")
    assert full == before


def test_redacted_document_still_passes_shape_validation(full: dict[str, Any]) -> None:
    out = redact(full, ["exporter", "goods[1]", "producer", "declaration.date"])
    validate_shown(out["document"], out["proof"]["withheld"])


@pytest.mark.parametrize(
    "entry", ["goods[7]", "exporter.nam", "exporter.name.first", "colour", "goods[0].fob"]
)
def test_unknown_path_is_named(full: dict[str, Any], entry: str) -> None:
    with pytest.raises(DocumentError) as err:
        redact(full, ["exporter", entry])
    assert err.value.code == "redact_unknown_path"
    assert err.value.problems == [(entry, "names no field of this certificate")]


@pytest.mark.parametrize(
    "entry", ["exporter..name", "goods[-1]", "Exporter", "", "goods[01]", "a b"]
)
def test_malformed_path_is_named(full: dict[str, Any], entry: str) -> None:
    with pytest.raises(DocumentError) as err:
        redact(full, [entry])
    assert err.value.code == "redact_bad_path"
    assert err.value.problems[0][0] == entry


def test_a_single_string_is_not_a_list_of_paths(full: dict[str, Any]) -> None:
    with pytest.raises(DocumentError) as err:
        redact(full, "exporter")
    assert err.value.code == "redact_bad_path"


@pytest.mark.parametrize(
    "entry",
    ["number", "schema", "issuing_body", "issuing_body.ledger_id", "valid_until", "form", "flags"],
)
def test_unhideable_fields_cannot_be_hidden(full: dict[str, Any], entry: str) -> None:
    with pytest.raises(DocumentError) as err:
        redact(full, ["exporter", entry])
    assert err.value.code == "redact_forbidden"
    assert entry in err.value.message


def test_a_tampered_file_is_not_redacted(full: dict[str, Any]) -> None:
    tampered = copy.deepcopy(full)
    tampered["document"]["goods"][0]["gross_weight_kg"] = "1.00"
    with pytest.raises(DocumentError) as err:
        redact(tampered, ["goods[0]"])  # hiding it must not launder the change
    assert err.value.code == "redact_integrity" and "goods[0].gross_weight_kg" in err.value.message
    bad_target = copy.deepcopy(full)
    bad_target["proof"]["target_hash"] = "0x" + "00" * 32
    with pytest.raises(DocumentError) as err:
        redact(bad_target, ["exporter"])
    assert err.value.code == "redact_integrity"


# --- reveal_commitment ------------------------------------------------------------------------


def test_reveal_full_and_redacted_agree(full: dict[str, Any]) -> None:
    whole = reveal_commitment(full)
    part = reveal_commitment(redact(full, ["consignee", "goods[2]"]))
    assert whole.full and not part.full
    assert whole.commitment == part.commitment
    assert whole.altered_fields() == part.altered_fields() == ()
    assert set(part.withheld) == {
        p for p in whole.shown if p.startswith(("consignee.", "goods[2]."))
    }


def test_altered_fields_names_changed_added_and_removed_fields(full: dict[str, Any]) -> None:
    doc = full["document"]
    doc["exporter"]["name"] = "Someone Else Ltd"
    doc["remarks_extra"] = "x"
    del doc["goods"][1]["hs_code"]
    d = reveal_commitment(full)
    assert set(d.altered_fields()) == {"exporter.name", "remarks_extra", "goods[1].hs_code"}
    assert d.commitment.target_hash != original_target(full)


def test_altered_field_in_a_redacted_copy(full: dict[str, Any]) -> None:
    out = redact(full, ["exporter"])
    out["document"]["goods"][0]["description"] = "GOLD BARS"
    d = reveal_commitment(out)
    assert d.altered_fields() == ("goods[0].description",)
    assert d.commitment.target_hash != original_target(full)


def mangle(issued: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(issued)
    node = out
    *parents, last = path.split("/")
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("format", "urn:origincert:issued:1", "format_v1"),
        ("format", "urn:origincert:issued:3", "format_unknown"),
        ("document", [], "format_invalid"),
        ("proof", None, "format_invalid"),
        ("proof/seed", "0x1234", "format_invalid"),
        ("proof/seed", "ab" * 32, "format_invalid"),
        ("proof/seed", "0x" + "zz" * 32, "format_invalid"),
        ("proof/seed", ..., "format_invalid"),
        ("proof/field_hashes", ..., "format_invalid"),
        ("proof/shape", ..., "format_invalid"),
        ("proof/shape", {"goods": -1}, "format_invalid"),
        ("proof/withheld", {"exporter.name": "0x" + "00" * 32}, "format_invalid"),
    ],
)
def test_malformed_files_are_refused_by_the_one_model(
    full: dict[str, Any], path: str, value: Any, code: str
) -> None:
    with pytest.raises(DocumentError) as err:
        reveal_commitment(mangle(full, path, value))
    assert err.value.code == code


def test_redacted_proof_shape_errors(full: dict[str, Any]) -> None:
    out = redact(full, ["exporter"])
    with pytest.raises(DocumentError) as err:
        reveal_commitment(mangle(out, "proof/seed", full["proof"]["seed"]))  # seed and salts
    assert err.value.code == "format_invalid"
    first = next(iter(out["proof"]["salts"]))
    with pytest.raises(DocumentError) as err:
        reveal_commitment(mangle(out, f"proof/salts/{first}", "0x00"))
    assert err.value.code == "format_invalid" and "salts" in err.value.message
    with pytest.raises(DocumentError) as err:
        reveal_commitment(mangle(out, "proof/withheld/replaces.number", "0x" + "00" * 32))
    assert err.value.code == "withheld_forbidden"
    salts = dict(out["proof"]["salts"])
    del salts[first]
    with pytest.raises(DocumentError) as err:
        reveal_commitment(mangle(out, "proof/salts", salts))
    assert err.value.code == "proof_salt_missing"


# --- property: any choice of hidden fields keeps the target -------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_any_redaction_keeps_the_target_hash(seed: int, data: st.DataObject) -> None:
    doc = sample_certificate(random.Random(seed))
    issued = issued_file(doc, seed=seed.to_bytes(32, "big"))
    leaves = [p for p in flatten(doc) if not forbidden_withheld([p])]
    prefixes = sorted(
        {p.split(".")[0] for p in leaves}
        | {p.split(".")[0] + "." + p.split(".")[1] for p in leaves if "." in p}
    )
    hide = data.draw(st.lists(st.sampled_from(leaves + prefixes), max_size=8))
    once = redact(issued, hide)
    assert target(once) == original_target(issued)
    assert reveal_commitment(once).altered_fields() == ()
    more = data.draw(st.lists(st.sampled_from(leaves + prefixes), max_size=4))
    twice = redact(once, more)
    assert target(twice) == original_target(issued)
    assert set(flatten(twice["document"])) | set(twice["proof"]["withheld"]) == set(flatten(doc))
    assert all(is_path(p) for p in twice["proof"]["withheld"])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_no_relabelling_or_reshaping_of_a_redacted_copy_keeps_the_target(
    seed: int, data: st.DataObject
) -> None:
    """Format v2 (issue 9 class 1): a withheld hash is bound to its path, a list to its length."""
    doc = sample_certificate(random.Random(seed))
    issued = issued_file(doc, seed=seed.to_bytes(32, "big"))
    hideable = sorted(p for p in flatten(doc) if not forbidden_withheld([p]))
    hide = data.draw(st.lists(st.sampled_from(hideable), min_size=1, max_size=6, unique=True))
    out = redact(issued, hide)
    withheld = out["proof"]["withheld"]
    victim = data.draw(st.sampled_from(sorted(withheld)))
    taken = set(flatten(doc))
    label = data.draw(
        st.sampled_from(["remarks", "goods[60].hs_code", "producer.name", "exporter.vat", victim])
    )
    shape_delta = data.draw(st.integers(-1, 2))
    if label == victim or label in taken:
        label = "goods[99].description"
    edited = copy.deepcopy(out)
    edited["proof"]["withheld"][label] = edited["proof"]["withheld"].pop(victim)
    assert target(edited) != original_target(issued)
    if shape_delta:
        reshaped = copy.deepcopy(out)
        reshaped["proof"]["shape"]["goods"] += shape_delta
        assert target(reshaped) != original_target(issued)


# --- CLI --------------------------------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # default outputs go to the current folder
    return CliRunner()


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("origincert")
    register(group)
    return group


def write(path: Path, issued: dict[str, Any]) -> Path:
    path.write_text(json.dumps(issued, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_writes_the_redacted_copy(
    tmp_path: Path, full: dict[str, Any], runner: CliRunner, cli: click.Group
) -> None:
    src = write(tmp_path / "SG-1.coo.json", full)
    result = runner.invoke(
        cli, ["redact", str(src), "--hide", "exporter", "--hide", "goods[0].fob_value"]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "SG-1.redacted.coo.json"
    assert (
        "withheld" in result.output
        and "exporter.name" in result.output
        and str(out) in result.output
    )
    copy_ = json.loads(out.read_text(encoding="utf-8"))
    assert copy_ == redact(full, ["exporter", "goods[0].fob_value"])
    again = runner.invoke(
        cli, ["redact", str(out), "--hide", "exporter", "-o", str(tmp_path / "x.json")]
    )
    assert again.exit_code == 0 and "nothing new withheld" in again.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--hide", "goods[9]"], "[redact_unknown_path]"),
        (["--hide", "number"], "[redact_forbidden]"),
    ],
)
def test_cli_refusals_are_clear(
    tmp_path: Path,
    full: dict[str, Any],
    runner: CliRunner,
    cli: click.Group,
    args: list[str],
    fragment: str,
) -> None:
    src = write(tmp_path / "a.coo.json", full)
    result = runner.invoke(cli, ["redact", str(src), *args])
    assert result.exit_code == 1 and fragment in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_bad_files(
    tmp_path: Path, runner: CliRunner, cli: click.Group, full: dict[str, Any]
) -> None:
    (tmp_path / "bad.coo.json").write_bytes(b'{"format": ')
    result = runner.invoke(cli, ["redact", str(tmp_path / "bad.coo.json"), "--hide", "exporter"])
    assert (
        result.exit_code == 1 and "[json_malformed]" in result.output and "line 1" in result.output
    )
    result = runner.invoke(
        cli, ["redact", str(tmp_path / "missing.coo.json"), "--hide", "exporter"]
    )
    assert result.exit_code == 1 and "[file_unreadable]" in result.output
    src = write(tmp_path / "a.coo.json", full)
    result = runner.invoke(cli, ["redact", str(src), "--hide", "exporter", "-o", str(src)])
    assert result.exit_code == 1 and "[redact_overwrite]" in result.output
    result = runner.invoke(cli, ["redact", str(src)])
    assert result.exit_code == 2  # --hide is required: a usage error


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.coo.json", "a.redacted.coo.json"),
        ("cert.json", "cert.redacted.coo.json"),
        ("x", "x.redacted.coo.json"),
    ],
)
def test_default_output_name(name: str, expected: str) -> None:
    assert default_output(Path("/d") / name) == Path.cwd() / expected  # not in /d
