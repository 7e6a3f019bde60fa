"""The portal on PostgreSQL (a real server started for the tests) and its Alembic migrations:
the schema at the latest migration equals the models on both databases, a database made before
migrations is adopted, concurrent starts migrate once, and officers verify, log and look up
certificates on PostgreSQL as on SQLite."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from origincert.portal import db
from origincert.portal.db import Base, IndexedCertificate, Verification

from .pg import Postgres, needs_postgres, postgres  # noqa: F401
from .support import VALID_NUMBER, Scene, csrf_token, follow, login, make_app, upload


def head_differences(url: str) -> list[object]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_sqlite_at_head_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    db.migrate(db.make_engine(url))
    assert head_differences(url) == []


def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    with engine.begin() as connection:  # the tables as the portal made them before Alembic
        command.upgrade(db._alembic_config(connection), "0001")
        connection.execute(text("DROP TABLE alembic_version"))
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO offices (code, name) VALUES ('X-1', 'Kept')"))
    db.migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM offices")).scalar_one() == "Kept"
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert "language" in {c["name"] for c in inspect(engine).get_columns("officers")}  # 0002 ran
    db.migrate(engine)  # again: nothing to do


@needs_postgres
def test_postgres_at_head_matches_the_models(postgres: Postgres) -> None:  # noqa: F811
    url = postgres.new_database()
    engine = db.make_engine(url)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            db.migrate(engine)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=start) for _ in range(3)]  # three workers starting at once
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()
    assert head_differences(url) == []


@needs_postgres
def test_officers_verify_on_postgres(
    postgres: Postgres,  # noqa: F811
    scene: Scene,
    tmp_path: Path,
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.coo.json").write_bytes(scene.raw("valid"))
    app = make_app(
        tmp_path, scene, DATABASE_URL=postgres.new_database(), ARCHIVE_DIRS=[str(archive)]
    )
    client: FlaskClient = app.test_client()
    assert login(client).status_code == 302
    assert 'data-verdict="REVOKED"' in follow(client, upload(client, scene.raw("revoked")))
    token = csrf_token(client, "/")
    page = follow(
        client, client.post("/verify/number", data={"csrf_token": token, "number": VALID_NUMBER})
    )
    assert 'data-verdict="VALID"' in page
    unknown = client.post("/verify/number", data={"csrf_token": token, "number": "XX-9"})
    assert unknown.status_code == 404
    with app.app_context():
        dbs = db.session()
        entries = list(dbs.scalars(select(Verification).order_by(Verification.id)))
        assert [(e.verdict, e.channel) for e in entries] == [
            ("REVOKED", "file"),
            ("VALID", "number"),
            ("NOT_FOUND", "number"),
        ]
        indexed = dbs.scalar(
            select(IndexedCertificate).where(IndexedCertificate.source == "archive")
        )
        assert indexed is not None and indexed.mtime_ns > 2**31  # a 64-bit column on PostgreSQL
    assert "every check passed" in client.get("/log").get_data(as_text=True)
    # the app's pool would otherwise be closed by the garbage collector in some later test
    app.extensions["origincert_db"].kw["bind"].dispose()
