"""``origincert verify``: the same verdicts as the library, a readable report, JSON, exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from origincert.cli import main
from origincert.qr import encode_payload, qr_png
from origincert.verifier import Verifier
from verifier.conftest import DAY, Scene


@pytest.fixture(scope="module")
def manifest_file(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "manifest.json"
    scene.manifest.save(path)
    return path


def run(scene: Scene, manifest: Path, *args: str, rpc: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["--rpc-url", rpc or scene.client.url, "--manifest", str(manifest), "verify", *args]
    )
    return result.exit_code, result.output


def write(tmp_path: Path, name: str, data: dict | bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(p)


def test_cli_and_library_give_the_same_verdicts(
    scene: Scene, manifest_file: Path, verifier: Verifier, tmp_path: Path
) -> None:
    tampered = copy.deepcopy(scene.files["batch"][1])
    tampered["document"]["exporter"]["name"] += " GmbH"
    inputs = {
        "good.coo.json": scene.files["batch"][0],
        "redacted.coo.json": scene.files["redacted"][1],
        "revoked.coo.json": scene.files["root_revoked"][0],
        "replaced.coo.json": scene.files["replaced"][0],
        "suspect.coo.json": scene.files["fraud"][0],
        "tampered.coo.json": tampered,
        "expired.coo.json": scene.files["expired"][0],
        "broken.coo.json": b'{"format": ',
    }
    paths = [write(tmp_path, n, d) for n, d in inputs.items()]
    code, out = run(scene, manifest_file, "--json", "--on", DAY.isoformat(), *paths)
    assert code == 1
    listed = json.loads(out)["results"]
    library = verifier.verify_many_bytes([Path(p).read_bytes() for p in paths], on=DAY)
    assert [x["verdict"] for x in listed] == [r.verdict.value for r in library]
    assert [x["verdict"] for x in listed] == [
        "VALID",
        "VALID",
        "REVOKED",
        "REPLACED",
        "SUSPECT",
        "INVALID",
        "EXPIRED",
        "MALFORMED",
    ]
    for x, r in zip(listed, library, strict=False):
        assert {k: x[k] for k in ("verdict", "checks", "evidence")} == {
            k: r.to_json()[k] for k in ("verdict", "checks", "evidence")
        }
        assert set(x["checks"][0]) >= {"name", "status", "code", "message"}


def test_exit_code_zero_only_when_every_file_is_valid(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    good = [write(tmp_path, f"{i}.coo.json", f) for i, f in enumerate(scene.files["batch"])]
    code, out = run(scene, manifest_file, "--on", DAY.isoformat(), *good)
    assert code == 0, out
    code, _ = run(
        scene,
        manifest_file,
        "--on",
        DAY.isoformat(),
        *good,
        write(tmp_path, "x.coo.json", scene.files["replaced"][0]),
    )
    assert code == 1


def test_the_human_report_says_verdict_checks_and_evidence(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    path = write(tmp_path, "revoked.coo.json", scene.files["root_revoked"][0])
    code, out = run(scene, manifest_file, "--on", DAY.isoformat(), path)
    assert code == 1
    assert out.startswith(f"{path}: REVOKED\n")
    assert "[ FAILED] not_revoked" in out and "[     ok] integrity" in out
    assert "issuing body: Chamber DE-berlin (DE)" in out
    assert "anchored: " in out and "transaction 0x" in out


def test_one_input_gives_one_json_object(scene: Scene, manifest_file: Path, tmp_path: Path) -> None:
    code, out = run(
        scene,
        manifest_file,
        "--json",
        "--on",
        DAY.isoformat(),
        write(tmp_path, "a.json", scene.files["single"][0]),
    )
    assert code == 0
    data = json.loads(out)["results"][0]
    assert data["verdict"] == "VALID" and data["evidence"]["issuer"]["name"] == "Chamber DE-hamburg"


def test_offline_is_unconfirmed_and_exits_one(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    code, out = run(
        scene,
        manifest_file,
        "--offline",
        "--json",
        "--on",
        DAY.isoformat(),
        write(tmp_path, "a.json", scene.files["single"][0]),
        rpc="http://127.0.0.1:9",
    )
    assert code == 1
    data = json.loads(out)["results"][0]
    assert data["verdict"] == "UNCONFIRMED"
    assert {c["name"]: c["status"] for c in data["checks"]}[
        "network"
    ] == "ok"  # the manifest was read


def test_node_down_exits_four_not_a_verdict(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    code, out = run(
        scene,
        manifest_file,
        write(tmp_path, "a.json", scene.files["single"][0]),
        rpc="http://127.0.0.1:9",
    )
    assert code == 4
    assert "node_unreachable" in out and "INVALID" not in out


def test_usage_errors_exit_two(scene: Scene, manifest_file: Path, tmp_path: Path) -> None:
    assert run(scene, manifest_file)[0] == 2
    assert run(scene, manifest_file, str(tmp_path / "missing.json"))[0] == 2
    code, out = run(
        scene, tmp_path / "no-manifest.json", write(tmp_path, "a.json", scene.files["single"][0])
    )
    assert code == 2 and "manifest" in out


def test_qr_text_and_image(scene: Scene, manifest_file: Path, tmp_path: Path) -> None:
    text = encode_payload(scene.files["single"][0])
    image = tmp_path / "qr.png"
    image.write_bytes(qr_png(text))
    code, out = run(
        scene,
        manifest_file,
        "--json",
        "--on",
        DAY.isoformat(),
        "--qr",
        text,
        "--qr-image",
        str(image),
    )
    assert code == 0, out
    assert [x["verdict"] for x in json.loads(out)["results"]] == ["VALID", "VALID"]


def test_a_folder_is_verified_file_by_file_with_a_summary_line(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write(folder, "a.coo.json", scene.files["batch"][0])
    write(folder, "b.coo.json", scene.files["batch"][1])
    write(folder, "c.coo.json", scene.files["root_revoked"][0])
    write(folder, "notes.txt", b"not a certificate")  # not an issued file: left alone
    code, out = run(scene, manifest_file, "--on", DAY.isoformat(), "--quiet", str(folder))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[:3] == [
        f"VALID        {folder / 'a.coo.json'}",
        f"VALID        {folder / 'b.coo.json'}",
        f"REVOKED      {folder / 'c.coo.json'}",
    ]
    assert lines[-1] == "3 certificates: 2 VALID, 1 REVOKED"
    code, out = run(scene, manifest_file, "--on", DAY.isoformat(), "--json", str(folder))
    data = json.loads(out)
    assert data["summary"] == {"total": 3, "verdicts": {"VALID": 2, "REVOKED": 1}}
    assert data["ok"] is False and [r["verdict"] for r in data["results"]] == [
        "VALID",
        "VALID",
        "REVOKED",
    ]


def test_global_options_work_after_the_subcommand(
    scene: Scene, manifest_file: Path, tmp_path: Path
) -> None:
    path = write(tmp_path, "a.coo.json", scene.files["single"][0])
    result = CliRunner().invoke(
        main,
        ["verify", path, "--on", DAY.isoformat(), "--manifest", str(manifest_file)]
        + ["--rpc-url", scene.client.url, "--timeout", "5"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 certificate: 1 VALID")
