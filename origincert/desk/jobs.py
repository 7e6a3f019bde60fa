"""The issuing worker's jobs, run by procrastinate (a PostgreSQL-backed job queue; README: why).

One periodic job, ``desk.issue_tick``, every second; procrastinate's ``lock`` runs the ticks of a
chamber one after the other even if several worker processes were started by mistake, and the
tick itself decides whether a batch is due (``BatchPolicy``), so batching is the same whatever
the tick rate. On PostgreSQL the jobs live in the desk's own database (``desk init`` applies
procrastinate's schema); the SQLite demo uses procrastinate's in-memory connector (the ticks are
periodic, nothing is lost with it: the truth is the desk database and the journal).
"""

from __future__ import annotations

from typing import Any

import procrastinate
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from origincert.desk.issuing import IssuingWorker

__all__ = ["CONTEXT_KEY", "connector_for", "queue_app"]

CONTEXT_KEY = "issuing_worker"
QUEUE = "issuing"

tasks = procrastinate.Blueprint()


@tasks.periodic(cron="* * * * * *", periodic_id="tick")
@tasks.task(name="issue_tick", queue=QUEUE, lock="issuing", pass_context=True)
def issue_tick(context: procrastinate.JobContext, timestamp: int) -> None:
    worker: IssuingWorker = context.additional_context[CONTEXT_KEY]
    worker.tick()


def connector_for(db_url: str) -> Any:
    """procrastinate's psycopg connector for a PostgreSQL desk, the in-memory one otherwise."""
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return procrastinate.PsycopgConnector(conninfo=conninfo)
    return InMemoryConnector()


def queue_app(db_url: str) -> procrastinate.App:
    app = procrastinate.App(connector=connector_for(db_url))
    app.add_tasks_from(tasks, namespace="desk")
    return app
