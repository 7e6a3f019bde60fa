"""Status e-mails into the outbox: one row per recipient, written by the very transaction that
changes the status, so a change is never mailed without happening nor happens without a mail.

``desk.mailer`` sends the rows. No Flask, no SMTP here.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from origincert.desk.models import Application, OutboxMail, Status, User, utcnow

__all__ = ["SUBJECTS", "status_changed"]

# what each status means to an exporter, as the mail's subject says it ({n}: the number)
SUBJECTS: dict[str, str] = {
    Status.SUBMITTED: "Application {n} submitted: the chamber will review it",
    Status.IN_REVIEW: "Application {n} is being reviewed",
    Status.AMENDMENT_REQUESTED: "Application {n} needs an amendment",
    Status.APPROVED: "Application {n} approved: the certificate will be issued shortly",
    Status.ISSUED: "Certificate {n} issued: ready to download",
    Status.REJECTED: "Application {n} rejected",
    Status.REVOKED: "Certificate {n} revoked",
    Status.REPLACED: "Certificate {n} replaced",
}


def _body(app: Application, before: str) -> str:
    was, now = before.replace("_", " "), app.status.replace("_", " ")
    lines = [f"The status of {app.number} changed from {was} to {now}."]
    if app.status in (Status.AMENDMENT_REQUESTED, Status.REJECTED) and app.comment:
        field = f" (field {app.comment_field})" if app.comment_field else ""
        lines.append(f"The chamber says{field}: {app.comment}")
    if app.status == Status.REJECTED and app.reason_code:
        lines.append(f"Reason code: {app.reason_code}")
    lines.append("Open the application:")
    return "\n".join(lines)


def _recipients(app: Application) -> list[int]:
    return sorted({i for i in (app.created_by, app.submitted_by) if i is not None})


def _user(session: Session, user_id: int) -> User | None:
    """The user, kept for the session's life (a bulk import mails the same few users)."""
    cache: dict[int, User | None] = session.info.setdefault("desk_mail_users", {})
    if user_id not in cache:
        cache[user_id] = session.get(User, user_id)
    return cache[user_id]


def status_changed(session: Session, app: Application, before: str) -> list[OutboxMail]:
    """Queue the mail telling the application's creator and submitter of its new status (in the
    caller's transaction; nothing is sent here). No mail when the status did not change."""
    if app.status == before or app.status not in SUBJECTS:
        return []
    users = [u for u in (_user(session, i) for i in _recipients(app)) if u and u.active]
    now = utcnow()
    mails = [
        OutboxMail(
            application_id=app.id,
            to_addr=user.email,
            subject=SUBJECTS[app.status].format(n=app.number),
            body=_body(app, before),
            link=f"/exporter/a/{app.public_id}",
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for user in users
    ]
    session.add_all(mails)
    return mails
