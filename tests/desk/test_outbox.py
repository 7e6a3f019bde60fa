"""The e-mail outbox: every status change queues its mail in the same transaction, and the sender
delivers it by SMTP (a local aiosmtpd server) with retries, never twice; the dashboard shows
each change."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from chainutil import free_port
from click.testing import CliRunner
from sqlalchemy import select

from origincert.cli import main
from origincert.desk import service
from origincert.desk.mailer import SmtpSettings, send_due
from origincert.desk.models import Application, OutboxMail, utcnow

from .support import Desk, fields


@dataclass
class Inbox:
    """What the test SMTP server received; ``refuse`` answers 550 to every recipient."""

    mails: list[tuple[list[str], Message]] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def settings(port: int, **extra: Any) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1", port=port, sender="desk@chamber.example",
        base_url="https://desk.chamber.example/", timeout=5, **extra,
    )  # fmt: skip


def submitted_and_approved(desk: Desk) -> str:
    """Alice creates, Aaron submits, Clara reviews and approves: three status changes."""
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(1))
        service.submit(db, desk.actor("aaron"), app, declaration=True)
        service.review(db, desk.actor("clara"), app)
        service.approve(db, desk.actor("clara"), app)
        return app.public_id


def outbox(desk: Desk) -> list[OutboxMail]:
    with desk.sessions() as db:
        return list(db.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_each_status_change_queues_a_mail_to_creator_and_submitter(desk: Desk) -> None:
    public_id = submitted_and_approved(desk)
    rows = outbox(desk)
    # submitted, in review, approved; each to alice (created) and aaron (submitted)
    assert [(r.subject.split(" ", 2)[2], r.to_addr) for r in rows] == [
        (subject, to)
        for subject in (
            "submitted: the chamber will review it",
            "is being reviewed",
            "approved: the certificate will be issued shortly",
        )
        for to in ("alice@example.org", "aaron@example.org")
    ]
    assert {r.link for r in rows} == {f"/exporter/a/{public_id}"}
    assert all(r.status == "pending" for r in rows)


def test_a_change_rolled_back_leaves_no_mail(desk: Desk) -> None:
    with desk.sessions() as db:
        app = service.create_application(db, desk.actor("alice"), fields(2))
        service.submit(db, desk.actor("alice"), app, declaration=True)
        assert db.scalars(select(OutboxMail)).all()  # queued in this transaction...
        db.rollback()  # ...and gone with it
    assert outbox(desk) == []


def test_a_rejection_mail_says_why(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(3))
        service.submit(db, desk.actor("alice"), app, declaration=True)
        service.reject(
            db, desk.actor("clara"), app, reason="documents_missing", comment="no invoice"
        )
    last = outbox(desk)[-1]
    assert last.subject == f"Application {app.number} rejected"
    assert "no invoice" in last.body and "documents_missing" in last.body


def test_the_sender_delivers_each_mail_once_with_subject_and_link(desk: Desk, smtp) -> None:
    inbox, port = smtp
    public_id = submitted_and_approved(desk)
    report = send_due(desk.sessions, settings(port))
    assert len(report.sent) == 6 and not report.failed
    assert send_due(desk.sessions, settings(port)).sent == []  # nothing is sent twice
    assert len(inbox.mails) == 6
    to, msg = inbox.mails[-1]
    assert to == ["aaron@example.org"]
    assert msg["Subject"].endswith("approved: the certificate will be issued shortly")
    assert msg["From"] == "desk@chamber.example"
    body = msg.get_payload(decode=True).decode()
    assert f"https://desk.chamber.example/exporter/a/{public_id}" in body
    assert "from in review to approved" in body
    assert len({m["Message-ID"] for _, m in inbox.mails}) == 6
    assert all(r.status == "sent" and r.sent_at is not None for r in outbox(desk))


def test_an_unreachable_server_is_retried_later_then_delivered(desk: Desk, smtp) -> None:
    inbox, port = smtp
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(4))
        service.submit(db, desk.actor("alice"), app, declaration=True)
    closed = free_port()  # nobody listens there
    report = send_due(desk.sessions, settings(closed))
    assert report.sent == [] and len(report.retrying) == 1
    [row] = outbox(desk)
    assert row.status == "pending" and row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    # not due yet: nothing happens even with the server back
    assert send_due(desk.sessions, settings(port)).sent == []
    later = send_due(desk.sessions, settings(port), now=lambda: utcnow() + timedelta(minutes=1))
    assert later.sent == [row.id]
    assert [to for to, _ in inbox.mails] == [["alice@example.org"]]


def test_a_refused_recipient_fails_at_once_and_the_last_attempt_gives_up(desk: Desk, smtp) -> None:
    inbox, port = smtp
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(5))
        service.submit(db, desk.actor("alice"), app, declaration=True)
        service.review(db, desk.actor("clara"), app)
    inbox.refuse = True
    report = send_due(desk.sessions, settings(port), limit=1)
    assert len(report.failed) == 1
    first = outbox(desk)[0]
    assert first.status == "failed" and "550" in first.last_error
    inbox.refuse = False
    closed = free_port()
    report = send_due(desk.sessions, settings(closed, max_attempts=1))
    assert len(report.failed) == 1 and outbox(desk)[1].status == "failed"
    assert inbox.mails == []


def test_two_senders_at_once_send_each_mail_once(desk: Desk, smtp) -> None:
    inbox, port = smtp
    for n in range(6):
        with desk.sessions.begin() as db:
            app = service.create_application(db, desk.actor("alice"), fields(10 + n))
            service.submit(db, desk.actor("alice"), app, declaration=True)
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(send_due(desk.sessions, settings(port))))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(i for r in reports for i in r.sent) == [r.id for r in outbox(desk)]
    assert len(inbox.mails) == 6


def test_a_mail_left_sending_by_a_crash_is_not_sent_again(desk: Desk, smtp, db_url: str) -> None:
    inbox, port = smtp
    with desk.sessions.begin() as db:
        app = service.create_application(db, desk.actor("alice"), fields(6))
        service.submit(db, desk.actor("alice"), app, declaration=True)
        db.flush()
        db.scalar(select(OutboxMail)).status = "sending"  # claimed, then the sender died
    result = CliRunner().invoke(
        main,
        ["desk", "send-mail", "--db", db_url, "--smtp", f"127.0.0.1:{port}",
         "--sender", "desk@chamber.example", "--base-url", "https://desk.example", "--once"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sent 0" in result.output and "1 mail(s) left sending" in result.output
    assert inbox.mails == []


def test_the_cli_sends_what_is_due(desk: Desk, smtp, db_url: str) -> None:
    inbox, port = smtp
    submitted_and_approved(desk)
    result = CliRunner().invoke(
        main,
        ["desk", "send-mail", "--db", db_url, "--smtp", f"127.0.0.1:{port}",
         "--sender", "desk@chamber.example", "--base-url", "https://desk.example", "--once"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sent 6, to retry 0, failed 0" in result.output
    assert len(inbox.mails) == 6


def test_the_dashboard_shows_each_change_and_not_another_companys(app, desk: Desk) -> None:
    submitted_and_approved(desk)
    with desk.sessions.begin() as db:
        other = service.create_application(db, desk.actor("bob"), fields(7))
        service.submit(db, desk.actor("bob"), other, declaration=True)
    client = app.test_client()
    client.post("/login", data={"email": "alice@example.org", "password": "a long enough password"})
    page = client.get("/exporter/").get_data(as_text=True)
    changes = page[page.index('id="changes"') :]
    assert changes.count("<li>") == 3
    assert "draft → <strong>submitted</strong>" in changes
    assert "in review → <strong>approved</strong>" in changes
    with desk.sessions() as db:
        assert db.get(Application, other.id).number not in changes


def test_revoked_and_replaced_certificates_are_mailed_too(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        apps = []
        for n in (20, 21):
            app = service.create_application(db, desk.actor("alice"), fields(n))
            service.submit(db, desk.actor("alice"), app, declaration=True)
            service.approve(db, desk.actor("clara"), app)
            service.transition(db, None, app, "issue", issued_file="{}")
            apps.append(app)
        service.transition(db, None, apps[0], "revoke")
        service.transition(db, None, apps[1], "replace")
    subjects = [r.subject for r in outbox(desk)]
    assert f"Certificate {apps[0].number} issued: ready to download" in subjects
    assert subjects[-2:] == [
        f"Certificate {apps[0].number} revoked",
        f"Certificate {apps[1].number} replaced",
    ]
