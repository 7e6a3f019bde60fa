"""The customs portal: officers verify certificates of origin by file, QR code or number.

``create_app`` is the application factory (as in Flask's tutorial): settings, then each
resource's ``init_app``, then one blueprint per area: auth, verify, log, admin, api.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from origincert.portal import (
    admin,
    api,
    auth,
    config,
    credentials,
    db,
    errors,
    log,
    render,
    seclog,
    security,
    verification,
    verify,
)

__all__ = ["DEFAULT_INSTANCE", "create_app"]

DEFAULT_INSTANCE = ".origincert/portal"  # database, secret key and portal.cfg live here


def create_app(
    test_config: dict[str, Any] | None = None,
    *,
    instance_path: str | os.PathLike[str] | None = None,
) -> Flask:
    """The portal app. Settings: defaults, ``<instance>/portal.cfg``, ``ORIGINCERT_PORTAL_*``
    environment variables, then ``test_config`` (see :mod:`origincert.portal.config`).

    ``instance_path`` defaults to ``$ORIGINCERT_PORTAL_INSTANCE`` or ``.origincert/portal``.
    """
    if instance_path is None:
        instance_path = os.environ.get(f"{config.ENV_PREFIX}_INSTANCE", DEFAULT_INSTANCE)
    app = Flask(
        __name__, instance_path=os.path.abspath(instance_path), instance_relative_config=True
    )
    config.make_private_instance(Path(app.instance_path))
    config.load(app, test_config)
    seclog.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    # auth first: the officer is known before any body is read, so even a 413 page has the menu
    auth.init_app(app)
    security.init_app(app)
    verification.init_app(app)
    for area in (verify, log, admin, api, credentials):
        area.init_app(app)
    app.add_template_filter(render.when, "when")
    app.add_template_global(db.utcnow, "now_utc")
    return app
