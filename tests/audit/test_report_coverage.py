"""The auditor's report shows coverage (which issuing bodies were reconciled against an archive
or a journal, and which were not), names certificate numbers in findings, and reads on a phone:
at 390 px nothing is wider than the screen and no chart's text runs off its chart (issue 11)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from chainutil import World
from portal.browser import chrome, needs_chromium, screenshot

from audit.auditkit import audit, single
from origincert.audit.report import write_report
from origincert.devtools.samples import sample_certificate
from origincert.issuer import Journal, issue_batch, issue_documents


def _docs(n: int, prefix: str) -> list[dict]:
    return [
        sample_certificate(random.Random(i), number=f"{prefix}-{i:04d}", economy="DE")
        for i in range(n)
    ]


@pytest.fixture
def report(world: World, berlin_signer, journal: Journal, tmp_path: Path) -> Path:
    """Berlin's two folders (one number used twice), and Hamburg's anchors with no archive."""
    first, second = tmp_path / "berlin" / "issued", tmp_path / "berlin" / "issued2"
    issue_batch(world.client, berlin_signer, _docs(3, "DE-MUC"), journal=journal, out_dir=first)
    again = sample_certificate(random.Random(77), number="DE-MUC-0001", economy="DE")
    with Journal.open(tmp_path / "workstation-2.sqlite") as other:
        issue_documents(world.client, berlin_signer, [again], journal=other, out_dir=second)
    for _ in range(2):
        single(world, world.chambers["DE-hamburg"])
    out = tmp_path / "report"
    with audit(world, archives=(first, second)) as r:
        write_report(r, out, formats=("json", "html"))
    return out


def test_coverage_and_numbers_in_the_json(world: World, report: Path) -> None:
    data = json.loads((report / "report.json").read_text())
    by_id = {c["issuer_id"]: c for c in data["coverage"]}
    berlin, hamburg = world.chamber_ids["DE-berlin"], world.chamber_ids["DE-hamburg"]
    assert by_id[berlin]["reconciled"] and len(by_id[berlin]["sources"]) == 2
    assert not by_id[hamburg]["reconciled"] and by_id[hamburg]["anchors"] >= 2
    [duplicate] = [f for f in data["findings"] if f["code"] == "reconciliation.duplicate_number"]
    assert duplicate["certificates"] == ["DE-MUC-0001"]
    page = (report / "report.html").read_text()
    assert 'data-reconciled="no"' in page and "not reconciled" in page
    assert "were <b>not</b> reconciled" in page


@needs_chromium
@pytest.mark.parametrize(("width", "height", "mobile"), [(1366, 900, False), (390, 844, True)])
def test_the_report_reads_on_a_phone(
    report: Path, tmp_path: Path, width: int, height: int, mobile: bool
) -> None:
    driver = chrome(tmp_path / "profile", width=width, height=height, mobile=mobile)
    try:
        driver.get((report / "report.html").as_uri())
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        overflow = driver.execute_script(
            """
            const out = [];
            for (const svg of document.querySelectorAll('svg')) {
              const box = svg.getBoundingClientRect();
              if (box.right > window.innerWidth + 0.5) out.push('svg wider than the screen');
              const view = svg.viewBox.baseVal;
              for (const t of svg.querySelectorAll('text')) {
                const b = t.getBBox();
                if (b.x < -0.5 || b.x + b.width > view.width + 0.5)
                  out.push(t.textContent + ' runs off its chart');
              }
              if (box.width < Math.min(window.innerWidth - 40, view.width) - 1)
                out.push('a chart drawn smaller than the screen allows');
            }
            return out;
            """
        )
        assert overflow == []
        charts = driver.execute_script("return document.querySelectorAll('svg').length")
        assert charts == 3
        # a chart's text is at least 9 px on the screen (13 units scaled to the width shown)
        smallest = driver.execute_script(
            "const t = document.querySelector('svg text'); return t.getBoundingClientRect().height"
        )
        assert smallest >= 9
        shot = screenshot(driver, f"audit-report-{'phone' if mobile else 'desktop'}")
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()
