"""Patterns worth a human look: lawful acts that, together, do not look like business as usual.

From the rebuilt aggregates (per issuer and UTC day, hour of day, clock hour of revocation) and
from an archive's documents: an issuing body's day far above its usual volume, a burst of
revocations, anchoring at hours the body never works, a high share of certificates issued
retroactively. Only periods that overlap the replayed range are judged, and each is reported
once across incremental runs (``reported`` keys live in the checkpoint).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from origincert.audit.findings import Finding, finding, utc
from origincert.audit.state import DAY, HOUR, LedgerState

__all__ = ["DEFAULT_POLICY", "PatternPolicy", "find_patterns", "retroactive_shares"]


@dataclass(frozen=True)
class PatternPolicy:
    """Thresholds; the defaults flag what a chamber's compliance officer would want to see."""

    spike_factor: float = 5.0  # a day with more than 5x the usual certificates...
    spike_min: int = 50  # ...and at least this many
    spike_history_days: int = 28  # usual = median of up to 28 previous active days
    spike_min_history: int = 7  # judged only with at least a week of history
    burst_per_hour: int = 10  # revocations of one issuer's certificates in one clock hour
    off_hours_min_anchors: int = 200  # hours are "usual" only after this many anchors
    off_hours_share: float = (
        0.01  # an hour of day holding under 1 % of an issuer's anchors is unusual
    )
    retro_share: float = 0.25  # over a quarter of an archive's certificates issued retroactively...
    retro_min: int = 20  # ...among at least this many


DEFAULT_POLICY = PatternPolicy()


def _once(reported: set[str], key: str) -> bool:
    if key in reported:
        return False
    reported.add(key)
    return True


def find_patterns(
    state: LedgerState,
    reported: set[str],
    since: int,
    until: int,
    policy: PatternPolicy = DEFAULT_POLICY,
) -> list[Finding]:
    """Pattern findings for periods overlapping ``[since, until]`` (block timestamps)."""
    return [
        *_volume_spikes(state, reported, since, until, policy),
        *_revocation_bursts(state, reported, since, until, policy),
        *_off_hours(state, reported, since, until, policy),
    ]


def _name(state: LedgerState, issuer_id: int) -> str:
    issuer = state.issuers.get(issuer_id)
    return f"issuer {issuer_id} ({issuer.name})" if issuer else f"issuer {issuer_id}"


def _volume_spikes(
    state: LedgerState, reported: set[str], since: int, until: int, p: PatternPolicy
) -> list[Finding]:
    out = []
    for issuer_id, days in state.daily.items():
        ordered = sorted(days)
        for i, day in enumerate(ordered):
            if not since // DAY <= day <= until // DAY:
                continue
            history = [days[d][1] for d in ordered[max(0, i - p.spike_history_days) : i]]
            count = days[day][1]
            if len(history) < p.spike_min_history or count < p.spike_min:
                continue
            usual = statistics.median(history)
            if count <= p.spike_factor * usual or not _once(reported, f"spike:{issuer_id}:{day}"):
                continue
            first = state.store.first_in("anchors", issuer_id, day * DAY, (day + 1) * DAY)
            out.append(
                finding(
                    "pattern.volume_spike",
                    f"{_name(state, issuer_id)} issued {count} certificates on {utc(day * DAY)[:10]}, "
                    f"{count / max(usual, 1):.0f}x its usual {usual:g} a day",
                    tx_hash=first[0] if first else None,
                    block=first[1] if first else None,
                    issuer_id=issuer_id,
                    subject=None,
                    details={"day": utc(day * DAY)[:10], "certificates": count, "usual": usual},
                )
            )
    return out


def _revocation_bursts(
    state: LedgerState, reported: set[str], since: int, until: int, p: PatternPolicy
) -> list[Finding]:
    out = []
    for issuer_id, hours in state.revocation_hours.items():
        for hour, count in sorted(hours.items()):
            if not since // HOUR <= hour <= until // HOUR or count < p.burst_per_hour:
                continue
            if not _once(reported, f"burst:{issuer_id}:{hour}"):
                continue
            first = state.store.first_in("revocations", issuer_id, hour * HOUR, (hour + 1) * HOUR)
            out.append(
                finding(
                    "pattern.revocation_burst",
                    f"{count} certificates of {_name(state, issuer_id)} were revoked within the hour from {utc(hour * HOUR)}",
                    tx_hash=first[0] if first else None,
                    block=first[1] if first else None,
                    issuer_id=issuer_id,
                    subject=None,
                    details={"hour": utc(hour * HOUR), "revocations": count},
                )
            )
    return out


def _off_hours(
    state: LedgerState, reported: set[str], since: int, until: int, p: PatternPolicy
) -> list[Finding]:
    out = []
    for issuer_id, hours in state.hours.items():
        total = sum(hours)
        if total < p.off_hours_min_anchors:
            continue
        unusual = {h for h, n in enumerate(hours) if n / total < p.off_hours_share}
        if not unusual:
            continue
        by_day: dict[int, list] = {}
        for a in state.store.anchors_at_hours(issuer_id, unusual, since_ts=since, until_ts=until):
            entry = by_day.setdefault(a.timestamp // DAY, [0, a.tx_hash, a.block, a.timestamp])
            entry[0] += 1
        for day, (count, tx, block, first_ts) in sorted(by_day.items()):
            if _once(reported, f"offhours:{issuer_id}:{day}"):
                out.append(
                    finding(
                        "pattern.off_hours",
                        f"{_name(state, issuer_id)} anchored {count} time(s) on {utc(day * DAY)[:10]} at hours it "
                        f"almost never works (first at {utc(first_ts)[11:]})",
                        tx_hash=tx,
                        block=block,
                        issuer_id=issuer_id,
                        subject=None,
                        details={
                            "day": utc(day * DAY)[:10],
                            "anchors": count,
                            "usual_hours": sorted(set(range(24)) - unusual),
                        },
                    )
                )
    return out


def retroactive_shares(
    counts: Mapping[int, tuple[int, int, str]],
    state: LedgerState,
    policy: PatternPolicy = DEFAULT_POLICY,
) -> list[Finding]:
    """From an archive: ``issuer_id -> (certificates, issued retroactively, an example number)``."""
    out = []
    for issuer_id, (total, retro, example) in sorted(counts.items()):
        if total >= policy.retro_min and retro / total > policy.retro_share:
            out.append(
                finding(
                    "pattern.retroactive_share",
                    f"{retro} of {total} archived certificates of {_name(state, issuer_id)} ({retro / total:.0%}) were "
                    f"issued retroactively (e.g. {example})",
                    tx_hash=None,
                    block=None,
                    issuer_id=issuer_id,
                    subject=example,
                    details={"certificates": total, "retroactive": retro},
                )
            )
    return out
