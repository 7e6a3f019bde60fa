"""Sending the outbox by SMTP: each row is claimed (one conditional UPDATE) before it is sent, so
two senders, or a sender restarted after a crash, never send a mail twice.

A temporary failure (no connection, a 4xx answer) puts the row back with a later attempt time,
doubling the wait each time; a permanent one (a 5xx answer, a refused recipient) or the last
attempt marks it ``failed`` with the reason. A row left ``sending`` by a crash between the SMTP
answer and the commit is not sent again (at most once): ``origincert desk send-mail`` lists it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from origincert.desk.models import OutboxMail, utcnow

__all__ = ["SendReport", "SmtpSettings", "message_for", "send_due"]


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # the From address
    base_url: str  # the desk's address, put before each mail's link
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    max_attempts: int = 5
    first_retry: timedelta = timedelta(seconds=30)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def message_for(mail: OutboxMail, settings: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = mail.to_addr
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.created_at)
    # one Message-ID per row: a receiving system can drop a copy even if one ever went twice
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain="desk.origincert")
    msg.set_content(f"{mail.body}\n{settings.base_url.rstrip('/')}{mail.link}\n")
    return msg


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _claim(db: Session, mail_id: int) -> bool:
    result = db.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == "pending")
        .values(status="sending", attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _settle(db: Session, mail_id: int, **values: object) -> None:
    db.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def send_due(
    sessions: sessionmaker[Session],
    settings: SmtpSettings,
    *,
    limit: int = 100,
    now: Callable[[], datetime] = utcnow,
    connect: Callable[[SmtpSettings], smtplib.SMTP] | None = None,
) -> SendReport:
    """Send up to ``limit`` pending mails whose time has come, over one SMTP connection."""
    report = SendReport()
    with sessions() as db:
        due = list(
            db.scalars(
                select(OutboxMail)
                .where(OutboxMail.status == "pending", OutboxMail.next_attempt_at <= now())
                .order_by(OutboxMail.id)
                .limit(limit)
            )
        )
        if not due:
            return report
        smtp: smtplib.SMTP | None = None
        try:
            for mail in due:
                if not _claim(db, mail.id):
                    continue  # another sender took it
                try:
                    if smtp is None:
                        smtp = (connect or _connect)(settings)
                    smtp.send_message(message_for(mail, settings))
                except (smtplib.SMTPException, OSError) as exc:
                    attempts = mail.attempts + 1
                    reason = f"{type(exc).__name__}: {exc}"[:300]
                    if _permanent(exc) or attempts >= settings.max_attempts:
                        _settle(db, mail.id, status="failed", last_error=reason)
                        report.failed.append(mail.id)
                    else:
                        wait = settings.first_retry * 2 ** (attempts - 1)
                        _settle(
                            db, mail.id, status="pending", last_error=reason,
                            next_attempt_at=now() + wait,
                        )  # fmt: skip
                        report.retrying.append(mail.id)
                    if not _permanent(exc):
                        _quit(smtp)
                        smtp = None  # the connection may be gone: a fresh one for the next
                    continue
                _settle(db, mail.id, status="sent", sent_at=now(), last_error=None)
                report.sent.append(mail.id)
        finally:
            _quit(smtp)
    return report


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.starttls:
        smtp.starttls()
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
