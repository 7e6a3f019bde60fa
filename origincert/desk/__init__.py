"""The chamber's e-CO desk: exporters apply, clerks review, the issuing worker issues in batches.

``create_app`` is the web application (as in Flask's tutorial): settings, resources, then one
blueprint per role: exporter, clerk, chamber admin, plus sign-in and the REST API. No web module
imports the signing key's code: ``desk.issuing`` (the worker) alone does.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from origincert.desk import admin, api, auth, clerk, config, corrections, exporter, i18n, web
from origincert.webkit import security

__all__ = ["create_app"]

DEFAULT_INSTANCE = ".origincert/desk"
# the desk's pages read at most MAX_CONTENT_LENGTH (attachments); sign-in far less. Its forms
# use no form library that would parse a JSON body, so its pages may take JSON (autosave).
POLICY = security.Policy(
    body_limits={"auth.login": 16 * 1024, "auth.logout": 4 * 1024},
    default_body_limit=None,
    form_only=False,
)


def create_app(
    test_config: dict[str, Any] | None = None,
    *,
    instance_path: str | os.PathLike[str] | None = None,
) -> Flask:
    if instance_path is None:
        instance_path = os.environ.get(f"{config.ENV_PREFIX}_INSTANCE", DEFAULT_INSTANCE)
    app = Flask(
        __name__, instance_path=os.path.abspath(instance_path), instance_relative_config=True
    )
    os.makedirs(app.instance_path, exist_ok=True)
    config.load(app, test_config)
    web.init_app(app)  # the signed-in user first: a refused upload is answered on its own page
    security.init_app(app, POLICY)
    i18n.init_app(app)
    for area in (auth, exporter, corrections, clerk, admin, api):
        area.init_app(app)
    return app
