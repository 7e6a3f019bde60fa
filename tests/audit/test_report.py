"""The report: JSON for machines, CSV tables, one self-contained HTML page where nothing on the ledger can inject markup."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from chainutil import YEAR, World, test_account
from markupsafe import escape

from audit.auditkit import audit, revoke_root, single
from origincert import governance
from origincert.audit.report import FORMAT, check_explorer_url, write_report
from origincert.errors import OriginCertError

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _ledger_with_one_anomaly(world: World, tmp_path: Path):
    """A hostile issuer name, some anchors, a revocation, and an anchor missing from an archive."""
    now = world.now()
    key = test_account("chamber-hostile")
    governance.accredit(
        world.client,
        world.authorities["DE"],
        name=HOSTILE,
        signing_key=key.address,
        key=key,
        valid_from=now - 5,
        valid_until=now + YEAR,
    )
    roots = [single(world, key)[1] for _ in range(3)]
    revoke_root(world, key, roots[0], 4)
    archive = tmp_path / "archive"
    archive.mkdir()
    return audit(world, archives=(archive,), archive_issuers=frozenset({4}))


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_json_and_csv_say_everything_the_run_found(world: World, tmp_path: Path) -> None:
    with _ledger_with_one_anomaly(world, tmp_path) as r:
        written = write_report(r, tmp_path / "out")
        assert sorted(p.name for p in written) == sorted(
            [
                "report.json",
                "issuers.csv",
                "anchors.csv",
                "revocations.csv",
                "replacements.csv",
                "anomalies.csv",
                "report.html",
            ]
        )
        data = json.loads((tmp_path / "out" / "report.json").read_text())
        assert data["format"] == FORMAT and data["network"]["chain_id"] == world.client.chain_id
        assert data["summary"]["worst"] == "critical"
        assert data["summary"]["findings"] == {"critical": 3, "warning": 0, "info": 0}
        assert [f["code"] for f in data["findings"]] == ["reconciliation.anchor_not_archived"] * 3
        assert data["charts"]["revocation_reasons"] == {"4": 1}
        hostile = next(i for i in data["issuers"] if i["id"] == 4)
        assert (
            hostile["name"] == HOSTILE and hostile["anchors"] == 3 and hostile["revocations"] == 1
        )

        anchors = _rows(tmp_path / "out" / "anchors.csv")
        assert len(anchors) == r.state.anchors == 3
        assert {a["tx_hash"] for a in anchors} == {f.tx_hash for f in r.findings}
        assert [
            (x["reason"], x["reason_text"]) for x in _rows(tmp_path / "out" / "revocations.csv")
        ] == [("4", "lost")]
        anomalies = _rows(tmp_path / "out" / "anomalies.csv")
        assert [(a["severity"], a["code"], a["kind"]) for a in anomalies] == [
            ("critical", "reconciliation.anchor_not_archived", "reconciliation")
        ] * 3
        assert [i["name"] for i in _rows(tmp_path / "out" / "issuers.csv")][-1] == HOSTILE


def test_the_html_page_is_self_contained_escaped_and_links_transactions(
    world: World, tmp_path: Path
) -> None:
    with _ledger_with_one_anomaly(world, tmp_path) as r:
        write_report(
            r, tmp_path / "out", formats=("html",), explorer_url="https://explorer.example/tx/{tx}"
        )
        page = (tmp_path / "out" / "report.html").read_text()
        tx_hashes = {f.tx_hash for f in r.findings}
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page  # the hostile name is shown, as text
    assert not re.search(
        r"<[a-z][^>]*\s(src|srcset|xlink:href)=|<link|@import|url\(", page
    )  # nothing fetched
    links = re.findall(r'<a href="([^"]*)"', page)
    assert len(links) == len(re.findall(r"href=", page))
    assert links and all(link.startswith("https://explorer.example/tx/0x") for link in links)
    assert {link.rsplit("/", 1)[1] for link in links} == tx_hashes
    assert (
        page.count("<svg") == 3 and "Revocations by reason" in page and "Anomalies by kind" in page
    )
    for f in r.findings:  # each anomaly under its title from the code table
        assert f"<strong>{escape(f.title)}</strong> <code>{f.code}</code>" in page


def test_without_an_explorer_hashes_are_text_and_a_bad_template_is_refused(
    world: World, tmp_path: Path
) -> None:
    with audit(world) as r:
        write_report(r, tmp_path / "out", formats=("html", "json"))
        page = (tmp_path / "out" / "report.html").read_text()
        assert "href=" not in page and "No anomalies found." in page
        assert not (tmp_path / "out" / "anchors.csv").exists()
        with pytest.raises(OriginCertError, match="http"):
            write_report(r, tmp_path / "x", explorer_url="javascript:alert(1)//{tx}")
    assert check_explorer_url(None) is None
    with pytest.raises(OriginCertError):
        check_explorer_url("https://explorer.example/tx/")  # no {tx}
