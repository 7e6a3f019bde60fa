"""The group-committed log writer: one bad row never fails the others in its batch (finding 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from origincert.portal.db import Verification, create_schema, make_engine, utcnow
from origincert.portal.verification import _LogWriter


def entry(**changes: Any) -> dict[str, Any]:
    return {
        "created_at": utcnow(),
        "actor": "anna",
        "officer_id": None,
        "office_code": "DEHAM-1",
        "channel": "file",
        "certificate_number": "DE-1",
        "issuer": "IHK",
        "verdict": "VALID",
        "reason_code": "all_checks_passed",
        "result_json": "{}",
        **changes,
    }


def test_a_bad_row_is_recorded_apart_and_the_others_as_they_are(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    create_schema(engine)
    writer = _LogWriter(sessionmaker(engine))
    results = writer._insert(
        [
            entry(certificate_number="DE-2"),
            entry(certificate_number="DE\ud800X", issuer="bad \udfff"),  # not storable as UTF-8
            entry(verdict=None),  # refused by the database whatever is done to it
            entry(certificate_number="DE-4"),
        ]
    )
    assert isinstance(results[2], IntegrityError)
    ids = [r for r in results if isinstance(r, int)]
    assert len(ids) == 3
    with Session(engine) as s:
        numbers = [
            v.certificate_number for v in s.scalars(select(Verification).order_by(Verification.id))
        ]
        issuers = {v.issuer for v in s.scalars(select(Verification))}
    assert numbers == ["DE-2", "DE\ufffdX", "DE-4"]
    assert "bad \ufffd" in issuers
    engine.dispose()


def test_a_clean_batch_is_one_insert(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    create_schema(engine)
    writer = _LogWriter(sessionmaker(engine))
    ids = writer._insert([entry(), entry(), entry()])
    assert ids == sorted(ids) and len(set(ids)) == 3
    engine.dispose()
