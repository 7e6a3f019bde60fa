"""The exporter's side on PostgreSQL (a server started by the test): the same migration, the
outbox row written with the status change and claimed once by concurrent senders under real
row locking, and the product library's per-company names."""

from __future__ import annotations

import threading

import pytest
from aiosmtpd.controller import Controller
from chainutil import free_port
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from origincert.desk import products, service
from origincert.desk.db import migrate, session_factory
from origincert.desk.errors import Conflict
from origincert.desk.mailer import SmtpSettings, send_due
from origincert.desk.models import OutboxMail, Product

from .pg import postgres_server
from .support import Desk, fields, seed
from .test_outbox import Inbox


@pytest.fixture(scope="module")
def pg_desk():
    with postgres_server() as url:
        migrate(url)
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        yield seed(session_factory(engine))
        engine.dispose()


def test_mail_rows_and_concurrent_senders_on_postgres(pg_desk: Desk) -> None:
    desk = pg_desk
    with desk.sessions.begin() as db:
        for n in range(8):
            app = service.create_application(db, desk.actor("alice"), fields(n + 1))
            service.submit(db, desk.actor("alice"), app, declaration=True)
    with desk.sessions() as db:
        assert db.scalar(select(func.count(OutboxMail.id))) == 8
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = SmtpSettings(host="127.0.0.1", port=port, sender="desk@chamber.example",
                                base_url="https://desk.example", timeout=5)  # fmt: skip
        reports = []
        threads = [
            threading.Thread(target=lambda: reports.append(send_due(desk.sessions, settings)))
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        controller.stop()
    sent = [i for r in reports for i in r.sent]
    assert len(sent) == len(set(sent)) == 8  # each mail by exactly one sender
    assert len(inbox.mails) == 8


def test_product_names_per_company_on_postgres(pg_desk: Desk) -> None:
    desk = pg_desk
    item = {"hs_code": "940171", "description": "CHAIRS", "country_of_origin": "DE"}
    with desk.sessions.begin() as db:
        products.save_product(db, desk.actor("alice"), "Chair", item)
        products.save_product(db, desk.actor("bob"), "Chair", item)
    with desk.sessions.begin() as db, pytest.raises(Conflict):
        products.save_product(db, desk.actor("aaron"), "Chair", item)
    with desk.sessions() as db:
        assert db.scalar(select(func.count(Product.id))) == 2
