"""The audit report: JSON for machines, CSV tables for spreadsheets, one HTML page for people.

The HTML page is self-contained (inline CSS and SVG charts, no JavaScript, nothing fetched) so it
can be mailed, archived and opened offline years later. Every finding shows its transaction hash;
``explorer_url`` (``https://explorer.example/tx/{tx}``) turns it into a link.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from origincert.audit import charts
from origincert.audit.desklog import DeskLog
from origincert.audit.findings import Finding, Severity
from origincert.audit.rules import REVOCATION_REASONS
from origincert.audit.run import AuditResult
from origincert.errors import OriginCertError

__all__ = [
    "FORMAT",
    "certificate_numbers",
    "check_explorer_url",
    "coverage",
    "render_html",
    "report_json",
    "write_report",
]

FORMAT = "urn:origincert:audit-report:1"
SEVERITY_COLOURS = {"critical": "#C0392B", "warning": "#E69F00", "info": "#0072B2"}
_TOP_ISSUERS = 7


def _day(day: int) -> str:
    """ISO date of a day number (days since the epoch, UTC)."""
    return datetime.fromtimestamp(day * 86_400, tz=UTC).strftime("%Y-%m-%d")


def _iso(ts: int | None) -> str | None:
    return (
        datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if ts is not None
        else None
    )


def check_explorer_url(template: str | None) -> str | None:
    """``http(s)://…{tx}…`` or None; anything else (``javascript:``) is refused."""
    if template is None:
        return None
    if not template.startswith(("https://", "http://")) or "{tx}" not in template:
        raise OriginCertError(
            "--explorer-url must be an http(s) URL containing {tx}", code="bad_explorer_url"
        )
    return template


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (-f.severity, f.block if f.block is not None else -1, f.code)
    )


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in findings:
        out[f.severity.label] += 1
    return out


def report_json(result: AuditResult, *, generated_at: datetime | None = None) -> dict[str, Any]:
    """Everything the run found and rebuilt, anchors excepted (they are in anchors.csv)."""
    s = result.state
    m = result.manifest
    findings = _ordered(result.findings)
    named = certificate_numbers(result, findings)
    worst = result.worst
    return {
        "format": FORMAT,
        "generated_at": (generated_at or datetime.now(tz=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "network": {
            "chain_id": m.chain_id,
            "issuer_registry": m.issuer_registry.address,
            "certificate_registry": m.certificate_registry.address,
        },
        "range": {
            "first_block": result.first_block,
            "last_block": result.last_block,
            "last_block_time": _iso(result.last_timestamp),
            "resumed_from_checkpoint": result.resumed,
        },
        "summary": {
            "worst": worst.label if worst is not None else None,
            "findings": _counts(findings),
            "issuers": len(s.issuers),
            "anchors": s.anchors,
            "certificates": s.certificates,
            "revocations": s.revocations,
            "replacements": s.replacements,
            "events": dict(sorted(s.event_counts.items())),
        },
        "stats": result.stats,
        "council": {
            "members": s.council,
            "threshold": s.threshold,
            "proposals": [dict(p.__dict__) for p in s.proposals.values()],
        },
        "authorities": s.authority_history,
        "issuers": [_issuer_json(i) for i in s.issuers.values()],
        "crosscheck": {"block": result.crosscheck.block, "compared": result.crosscheck.compared}
        if result.crosscheck
        else None,
        "reconciliations": [{"archive": a, **r.to_json()} for a, r in result.reconciliations],
        "coverage": coverage(result),
        "charts": {
            "daily_certificates": {
                str(i): {_day(d): v[1] for d, v in sorted(days.items())}
                for i, days in s.daily.items()
            },
            "revocation_reasons": {str(r): n for r, n in sorted(s.revocation_reasons.items())},
            "findings_by_kind": _by_kind(findings),
        },
        "findings": [{**f.to_json(), "certificates": named.get(id(f), [])} for f in findings],
    }


def coverage(result: AuditResult) -> list[dict[str, Any]]:
    """Each issuing body with anchors: reconciled against which archives and journals, or not at
    all (then its anchors were checked against the ledger's own rules only)."""
    sources: dict[int, list[str]] = {}
    for _, summary in result.reconciliations:
        for issuer_id, names in summary.sources.items():
            sources.setdefault(issuer_id, []).extend(n for n in names if n)
    return [
        {
            "issuer_id": i.id,
            "name": i.name,
            "anchors": i.anchors,
            "certificates": i.certificates,
            "reconciled": i.id in sources,
            "sources": sources.get(i.id, []),
        }
        for i in sorted(result.state.issuers.values(), key=lambda i: i.id)
        if i.anchors or i.id in sources
    ]


def certificate_numbers(result: AuditResult, findings: Iterable[Finding]) -> dict[int, list[str]]:
    """The certificate numbers each finding is about, where an archive or journal knows them:
    its own subject for a file's finding, the numbers archived under the root it names."""
    roots: dict[str, list[str]] = {}
    for _, summary in result.reconciliations:
        for root, numbers in summary.root_numbers.items():
            merged = roots.setdefault(root, [])
            merged.extend(n for n in numbers if n not in merged)
    out: dict[int, list[str]] = {}
    for f in findings:
        if f.code == "reconciliation.duplicate_number" and f.subject:
            out[id(f)] = [f.subject]
            continue
        named = f.subject if f.subject in roots else f.details.get("root")
        if isinstance(named, str) and named in roots:
            out[id(f)] = roots[named]
        elif f.kind == "reconciliation" and f.subject and not f.subject.startswith("0x"):
            out[id(f)] = [f.subject]
    return out


def _issuer_json(i: Any) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "economy": i.economy,
        "status": i.status.name.lower(),
        "valid_from": _iso(i.valid_from),
        "valid_until": _iso(i.valid_until),
        "status_since": _iso(i.status_since),
        "signing_key": i.signing_key,
        "keys": i.keys,
        "metadata_hash": i.metadata_hash,
        "anchors": i.anchors,
        "certificates": i.certificates,
        "revocations": i.revocations,
        "accredited_block": i.accredited_block,
        "accredited_tx": i.accredited_tx,
        "history": i.events,
    }


def _by_kind(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for f in findings:
        kind = out.setdefault(f.kind, {})
        kind[f.severity.label] = kind.get(f.severity.label, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -sum(kv[1].values())))


# ---------------------------------------------------------------------- CSV


def _write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _inert(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs: a desk's log holds what its users typed."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(result: AuditResult, out: Path) -> list[Path]:
    """issuers.csv, anchors.csv, revocations.csv, replacements.csv, anomalies.csv (anchors streamed from the store)."""
    s = result.state
    store = s.store
    return [
        _write_csv(
            out / "issuers.csv",
            [
                "issuer_id",
                "name",
                "economy",
                "status",
                "valid_from",
                "valid_until",
                "signing_key",
                "keys",
                "anchors",
                "certificates",
                "revocations",
                "accredited_block",
                "accredited_tx",
            ],
            (
                [
                    i.id,
                    i.name,
                    i.economy,
                    i.status.name.lower(),
                    _iso(i.valid_from),
                    _iso(i.valid_until),
                    i.signing_key,
                    " ".join(i.keys),
                    i.anchors,
                    i.certificates,
                    i.revocations,
                    i.accredited_block,
                    i.accredited_tx,
                ]
                for i in s.issuers.values()
            ),
        ),
        _write_csv(
            out / "anchors.csv",
            ["root", "issuer_id", "signer", "leaf_count", "block", "time", "tx_hash"],
            (
                [a.root, a.issuer_id, a.signer, a.leaf_count, a.block, _iso(a.timestamp), a.tx_hash]
                for a in store.iter_anchors()
            ),
        ),
        _write_csv(
            out / "revocations.csv",
            [
                "root",
                "leaf",
                "issuer_id",
                "by",
                "reason",
                "reason_text",
                "block",
                "time",
                "tx_hash",
            ],
            (
                [
                    r.root,
                    r.leaf or "",
                    r.issuer_id,
                    r.by,
                    r.reason,
                    REVOCATION_REASONS.get(r.reason, "agreement-specific"),
                    r.block,
                    _iso(r.timestamp),
                    r.tx_hash,
                ]
                for r in store.iter_revocations()
            ),
        ),
        _write_csv(
            out / "replacements.csv",
            [
                "old_root",
                "old_leaf",
                "new_root",
                "new_leaf",
                "issuer_id",
                "by",
                "block",
                "time",
                "tx_hash",
            ],
            (
                [
                    r.old_root,
                    r.old_leaf,
                    r.new_root,
                    r.new_leaf,
                    r.issuer_id,
                    r.by,
                    r.block,
                    _iso(r.timestamp),
                    r.tx_hash,
                ]
                for r in store.iter_replacements()
            ),
        ),
        _write_csv(
            out / "anomalies.csv",
            [
                "severity",
                "code",
                "kind",
                "message",
                "issuer_id",
                "subject",
                "block",
                "tx_hash",
                "details",
            ],
            (
                [
                    f.severity.label,
                    f.code,
                    f.kind,
                    f.message,
                    f.issuer_id,
                    f.subject,
                    f.block,
                    f.tx_hash,
                    json.dumps(dict(f.details), sort_keys=True, default=str),
                ]
                for f in _ordered(result.findings)
            ),
        ),
    ]


# ---------------------------------------------------------------------- HTML


def _issuance_chart(result: AuditResult) -> str:
    s = result.state
    totals = sorted(s.daily, key=lambda i: -sum(v[1] for v in s.daily[i].values()))
    series: dict[str, dict[int, int]] = {}
    for i in totals[:_TOP_ISSUERS]:
        issuer = s.issuers.get(i)
        series[f"{i} {issuer.name}" if issuer else str(i)] = {
            d: v[1] for d, v in s.daily[i].items()
        }
    if len(totals) > _TOP_ISSUERS:
        others: dict[int, int] = {}
        for i in totals[_TOP_ISSUERS:]:
            for d, v in s.daily[i].items():
                others[d] = others.get(d, 0) + v[1]
        series["all others"] = others
    return charts.line_chart(series, title="Certificates issued per day, by issuing body")


def _reasons_chart(result: AuditResult) -> str:
    bars = [
        (f"{r} {REVOCATION_REASONS.get(r, 'agreement-specific')}", {"revocations": n})
        for r, n in sorted(result.state.revocation_reasons.items())
    ]
    return charts.bar_chart(
        bars, title="Revocations by reason", colours={"revocations": charts.PALETTE[3]}
    )


def _kinds_chart(findings: list[Finding]) -> str:
    bars = list(_by_kind(findings).items())
    return charts.bar_chart(bars, title="Anomalies by kind", colours=SEVERITY_COLOURS)


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ledger audit, chain {{ r.network.chain_id }}, blocks {{ r.range.first_block }}–{{ r.range.last_block }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6}code,.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.sev{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px}
.critical{background:#C0392B}.warning{background:#B9770E}.info{background:#0072B2}
.verdict{font-size:1.2em;padding:.6em 1em;border-radius:6px;background:#EAF7EE;border:1px solid #7BC58C}
.verdict.critical{background:#FBEAEA;border-color:#E08080}.verdict.warning{background:#FDF3E1;border-color:#E6B35C}
.verdict.info{background:#EAF2FB;border-color:#7FA8D6}.cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;min-width:8em}.card b{display:block;font-size:1.4em}
.muted{color:#666}svg{max-width:100%;height:auto;display:block;margin:1em 0}
.wide{overflow-x:auto;max-width:100%}.numbers{font-size:12px}
.uncovered{background:#FDF3E1}
@media (max-width:640px){body{margin:1em auto;padding:0 .6em;font-size:15px}h1{font-size:1.35em}
.cards{gap:.5em}.card{min-width:6.5em;padding:.4em .6em}
table.findings tr{display:block;border-bottom:1px solid #ddd;padding:.4em 0}
table.findings th{display:none}table.findings td{display:block;border:0;padding:2px 0}
table.findings td[data-label]:not(:empty)::before{content:attr(data-label) ": ";color:#666}}
</style></head><body>
<h1>Ledger audit</h1>
<p class="muted">Chain {{ r.network.chain_id }} · IssuerRegistry <code>{{ r.network.issuer_registry }}</code> ·
CertificateRegistry <code>{{ r.network.certificate_registry }}</code><br>
Blocks {{ r.range.first_block }}–{{ r.range.last_block }} (last block {{ r.range.last_block_time or "–" }}){% if r.range.resumed_from_checkpoint %}, continued from a checkpoint{% endif %} · generated {{ r.generated_at }}</p>

{% set c = r.summary.findings %}
<p class="verdict {{ r.summary.worst or '' }}">{% if not r.summary.worst %}No anomalies found.{% else %}
{{ c.critical }} critical, {{ c.warning }} warning{{ 's' if c.warning != 1 }}, {{ c.info }} for information.{% endif %}</p>
<div class="cards">
<div class="card"><b>{{ r.summary.issuers }}</b>issuing bodies</div>
<div class="card"><b>{{ r.summary.anchors }}</b>anchors</div>
<div class="card"><b>{{ r.summary.certificates }}</b>certificates</div>
<div class="card"><b>{{ r.summary.revocations }}</b>revocations</div>
<div class="card"><b>{{ r.summary.replacements }}</b>replacements</div>
<div class="card"><b>{{ r.stats.events }}</b>events replayed</div>
</div>

<h2>Coverage</h2>
{% set uncovered = r.coverage | rejectattr("reconciled") | list %}
<p id="coverage-summary">{% if not r.coverage %}No issuing body has anchored anything.{% elif not uncovered %}Every issuing body with anchors was reconciled against an archive or a journal.{% else %}{{ uncovered | length }} of {{ r.coverage | length }} issuing bodies with anchors were <b>not</b> reconciled against an archive or a journal: their anchors were checked against the ledger's rules only, and an anchor made outside their own process would not be seen.{% endif %}</p>
{% if r.coverage %}<div class="wide"><table id="coverage"><tr><th>issuing body</th><th>anchors</th><th>certificates</th><th>reconciled against</th></tr>
{% for c in r.coverage %}<tr class="{{ '' if c.reconciled else 'uncovered' }}" data-reconciled="{{ 'yes' if c.reconciled else 'no' }}"><td>{{ c.issuer_id }} {{ c.name }}</td><td>{{ c.anchors }}</td><td>{{ c.certificates }}</td>
<td class="mono">{% if c.reconciled %}{{ c.sources | join(", ") }}{% else %}<b>not reconciled</b>{% endif %}</td></tr>{% endfor %}</table></div>{% endif %}

<h2>Anomalies</h2>
{% if findings %}<div class="wide"><table class="findings"><tr><th>severity</th><th>what</th><th>certificates</th><th>issuer</th><th>block</th><th>transaction</th></tr>
{% for f in findings %}<tr><td><span class="sev {{ f.severity.label }}">{{ f.severity.label }}</span></td>
<td><strong>{{ f.title }}</strong> <code>{{ f.code }}</code><br>{{ f.message }}</td>
<td class="numbers" data-label="certificates">{{ numbers[loop.index0] | join(", ") }}</td>
<td data-label="issuer">{% if f.issuer_id is not none %}{{ f.issuer_id }} {{ issuer_names.get(f.issuer_id, "") }}{% endif %}</td>
<td data-label="block">{{ f.block if f.block is not none else "" }}</td>
<td class="mono" data-label="transaction">{% if f.tx_hash and explorer %}<a href="{{ explorer.replace('{tx}', f.tx_hash) }}">{{ f.tx_hash }}</a>{% else %}{{ f.tx_hash or "" }}{% endif %}</td></tr>
{% endfor %}</table></div>{% else %}<p>None.</p>{% endif %}

<h2>Charts</h2>
{{ issuance }}
{{ reasons }}
{{ kinds }}

<h2>Issuing bodies</h2>
<div class="wide"><table><tr><th>id</th><th>name</th><th>economy</th><th>status</th><th>window (UTC)</th><th>anchors</th><th>certificates</th><th>revocations</th><th>history</th></tr>
{% for i in r.issuers %}<tr><td>{{ i.id }}</td><td>{{ i.name }}<br><span class="mono">{{ i.signing_key }}</span></td><td>{{ i.economy }}</td>
<td>{{ i.status }}</td><td>{{ i.valid_from }} – {{ i.valid_until }}</td><td>{{ i.anchors }}</td><td>{{ i.certificates }}</td><td>{{ i.revocations }}</td>
<td>{% for h in i.history %}{{ h.what }} (block {{ h.block }}){{ ", " if not loop.last }}{% endfor %}</td></tr>
{% endfor %}</table></div>

<h2>Council and competent authorities</h2>
<p>Council of {{ r.council.members|length }}, threshold {{ r.council.threshold }}:
{% for m in r.council.members %}<code>{{ m }}</code>{{ ", " if not loop.last }}{% endfor %}</p>
<div class="wide"><table><tr><th>proposal</th><th>act</th><th>approvals</th><th>executed</th></tr>
{% for p in r.council.proposals %}<tr><td>{{ p.id }}</td><td><code>{{ p.act }}</code></td><td>{{ p.approvers|length }}</td>
<td>{{ "block %d"|format(p.executed_block) if p.executed else "pending" }}</td></tr>{% endfor %}</table></div>
<div class="wide"><table><tr><th>economy</th><th>authority</th><th>name</th><th>registered</th><th>removed</th></tr>
{% for a in r.authorities %}<tr><td>{{ a.economy }}</td><td class="mono">{{ a.account }}</td><td>{{ a.name }}</td>
<td>block {{ a.registered_block }}</td><td>{{ "block %d"|format(a.removed_block) if a.removed_block is not none else "" }}</td></tr>{% endfor %}</table></div>

{% if r.desk_events %}<h2>Chamber desks' event logs</h2>
<table><tr><th>log</th><th>chamber</th><th>events</th><th>from</th><th>to</th><th>revoked by the desk</th><th>replaced by the desk</th><th>actions</th></tr>
{% for d in r.desk_events %}<tr><td class="mono">{{ d.source }}</td><td>{{ d.chamber }}</td><td>{{ d.events }}</td><td>{{ d.first_at }}</td><td>{{ d.last_at }}</td>
<td>{{ d.revoked|length }}</td><td>{{ d.replaced|length }}</td><td>{% for a, n in d.by_action|dictsort %}{{ a }} {{ n }}{{ ", " if not loop.last }}{% endfor %}</td></tr>{% endfor %}</table>{% endif %}

{% if r.reconciliations %}<h2>Archives reconciled</h2>
<div class="wide"><table><tr><th>archive</th><th>files</th><th>anchored</th><th>issuers</th><th>their anchors</th><th>accounted for</th><th>retroactive</th></tr>
{% for a in r.reconciliations %}<tr><td class="mono">{{ a.archive }}</td><td>{{ a.files }}</td><td>{{ a.anchored }}</td>
<td>{{ a.issuers|join(", ") }}</td><td>{{ a.issuer_anchors }}</td><td>{{ a.accounted }}</td><td>{{ a.retroactive }}</td></tr>{% endfor %}</table></div>{% endif %}

<h2>How this audit was made</h2>
<p>{{ "Every event since the last checkpoint" if r.range.resumed_from_checkpoint else "Every event of both registries since their deployment" }}
was replayed and the state rebuilt without asking the contracts; every rule the contracts enforce was checked again; the ledger's
block links and timestamps were checked{% if r.crosscheck %}; the rebuilt state was compared with the contracts' own views
at block {{ r.crosscheck.block }} ({% for k, v in r.crosscheck.compared.items() %}{{ v }} {{ k }}{{ ", " if not loop.last }}{% endfor %}){% endif %}.
{{ r.stats.events }} events in {{ r.stats.replay_seconds }} s.</p>
</body></html>
"""


def render_html(
    result: AuditResult, *, explorer_url: str | None = None, data: dict[str, Any] | None = None
) -> str:
    """The report page for people."""
    explorer = check_explorer_url(explorer_url)
    data = data or report_json(result)
    findings = _ordered(result.findings)
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    named = certificate_numbers(result, findings)
    return env.from_string(_TEMPLATE).render(
        r=data,
        findings=findings,
        numbers=[named.get(id(f), []) for f in findings],
        explorer=explorer,
        issuer_names={i.id: i.name for i in result.state.issuers.values()},
        issuance=Markup(_issuance_chart(result)),
        reasons=Markup(_reasons_chart(result)),
        kinds=Markup(_kinds_chart(findings)),
    )


def write_report(
    result: AuditResult,
    out: str | Path,
    *,
    formats: Iterable[str] = ("json", "csv", "html"),
    explorer_url: str | None = None,
    desk_logs: Sequence[DeskLog] = (),
) -> list[Path]:
    """Write the chosen formats into folder ``out``: report.json, the CSV tables, report.html.
    ``desk_logs`` (chambers' desk event logs) are summarised in the report and copied as
    ``desk-events.csv``."""
    check_explorer_url(explorer_url)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    data = report_json(result)
    if desk_logs:
        data["desk_events"] = [log.to_json() for log in desk_logs]
    written = []
    formats = set(formats)
    if "json" in formats:
        path = folder / "report.json"
        path.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
        written.append(path)
    if "csv" in formats:
        written.extend(write_csv(result, folder))
        if desk_logs:
            written.append(
                _write_csv(
                    folder / "desk-events.csv",
                    ["chamber", "id", "at", "actor", "action", "application", "before", "after"],
                    (
                        [
                            log.chamber,
                            r.get("id"),
                            r["at"],
                            _inert(r.get("actor")),
                            _inert(r["action"]),
                            _inert(r.get("application")),
                            json.dumps(r.get("before")),
                            json.dumps(r.get("after")),
                        ]
                        for log in desk_logs
                        for r in log.rows
                    ),
                )
            )
    if "html" in formats:
        path = folder / "report.html"
        path.write_text(render_html(result, explorer_url=explorer_url, data=data), encoding="utf-8")
        written.append(path)
    return written
