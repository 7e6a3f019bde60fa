"""Genesis documents and the Besu QBFT kit, checked against the engines' documented formats.

The QBFT vector is the example genesis of Besu's QBFT documentation (besu-docs,
docs/private-networks/how-to/configure/consensus/qbft.md, "Block header validator selection"):
its four validators and the extraData Besu documents for them.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import rlp
from click.testing import CliRunner
from eth_utils import to_checksum_address

from origincert.cli import main
from origincert.network.genesis import clique_extra_data, clique_genesis, qbft_extra_data

DOCS_VALIDATORS = [
    "0x64a702e6263b7297a96638cac6ae65e6541f4169",
    "0x3923390ad55e90c237593b3b0e401f3b08a03185",
    "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
    "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
]
DOCS_EXTRA_DATA = (
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b"
    "7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5"
    "b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0"
)


def test_qbft_extra_data_matches_besus_documented_example() -> None:
    assert qbft_extra_data(DOCS_VALIDATORS) == DOCS_EXTRA_DATA


def test_qbft_extra_data_structure() -> None:
    vanity, validators, vote, round_, seals = rlp.decode(bytes.fromhex(DOCS_EXTRA_DATA[2:]))
    assert vanity == b"\0" * 32 and vote == [] and round_ == b"" and seals == []
    assert ["0x" + v.hex() for v in validators] == DOCS_VALIDATORS


def test_clique_extra_data_is_vanity_sorted_signers_and_an_empty_seal() -> None:
    raw = bytes.fromhex(clique_extra_data(list(reversed(DOCS_VALIDATORS)))[2:])
    assert len(raw) == 32 + 4 * 20 + 65
    signers = ["0x" + raw[32 + 20 * i : 52 + 20 * i].hex() for i in range(4)]
    assert signers == sorted(DOCS_VALIDATORS)
    genesis = clique_genesis(DOCS_VALIDATORS, chain_id=7, period=1)
    assert genesis["config"]["clique"] == {"period": 1, "epoch": 30000}
    assert genesis["config"]["londonBlock"] == 0 and "shanghaiTime" not in genesis["config"]
    assert genesis["baseFeePerGas"] == "0x0"


def test_network_init_besu_writes_the_qbft_kit(tmp_path: Path) -> None:
    folder = tmp_path / "kit"
    result = CliRunner().invoke(
        main, ["network", "init", "--engine", "besu", "--dir", str(folder), "--chain-id", "4242"]
    )
    assert result.exit_code == 0, result.output
    spec = json.loads((folder / "network.json").read_text())
    nodes = spec["nodes"]
    assert spec["engine"] == "besu" and len(nodes) == 4

    genesis = json.loads((folder / "genesis.json").read_text())
    config = genesis["config"]
    assert config["chainId"] == 4242 and config["berlinBlock"] == 0 and config["londonBlock"] == 0
    assert config["zeroBaseFee"] is True and genesis["baseFeePerGas"] == "0x0"
    assert set(config["qbft"]) == {"epochlength", "blockperiodseconds", "requesttimeoutseconds"}
    assert genesis["difficulty"] == "0x1"
    assert genesis["mixHash"] == (
        "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
    )
    vanity, validators, vote, round_, seals = rlp.decode(bytes.fromhex(genesis["extraData"][2:]))
    assert (vanity, vote, round_, seals) == (b"\0" * 32, [], b"", [])
    assert [to_checksum_address(v) for v in validators] == [n["validator"] for n in nodes]

    enodes = json.loads((folder / "static-nodes.json").read_text())
    assert len(enodes) == 4 and all(e.startswith("enode://") for e in enodes)
    for node in nodes:
        d = folder / node["name"]
        key = (d / "key").read_text()
        assert key.startswith("0x") and len(key) == 66
        assert (d / "key").stat().st_mode & 0o777 == 0o600
        # In QBFT the node key is the validator key: its address is the listed validator.
        from eth_account import Account

        assert Account.from_key(key).address == node["validator"]
        config_toml = tomllib.loads((d / "config.toml").read_text())
        assert config_toml["min-gas-price"] == 0
        assert config_toml["permissions-nodes-config-file-enabled"] is True
        assert config_toml["discovery-enabled"] is False
        assert config_toml["rpc-http-host"] == "127.0.0.1"
        allow = tomllib.loads((d / "permissions_config.toml").read_text())
        assert allow["nodes-allowlist"] == enodes
    readme = (folder / "README.md").read_text()
    assert "besu --config-file=node-1/config.toml" in readme and "not installed" in readme

    up = CliRunner().invoke(main, ["network", "up", "--dir", str(folder)])
    assert up.exit_code == 1 and "[not_runnable]" in up.output


def test_init_refuses_to_overwrite_a_network(tmp_path: Path) -> None:
    args = ["network", "init", "--engine", "besu", "--dir", str(tmp_path / "kit")]
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "[network_exists]" in again.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


def test_the_validator_in_turn_for_block_1_starts_sealing_last(tmp_path: Path) -> None:
    from origincert.network import init
    from origincert.network.manage import _sealing_order

    spec = init(tmp_path / "kit", engine="besu")
    order = _sealing_order(spec, list(spec.nodes))
    in_turn = sorted(n.validator.lower() for n in spec.nodes)[1]
    assert order[-1].validator.lower() == in_turn
    assert {n.name for n in order} == {n.name for n in spec.nodes}


def test_network_commands_without_a_network_say_so(tmp_path: Path) -> None:
    for command in ("up", "status", "down"):
        result = CliRunner().invoke(main, ["network", command, "--dir", str(tmp_path / "none")])
        assert result.exit_code == 1 and "[network_missing]" in result.output, result.output
