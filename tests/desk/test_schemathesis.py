"""Schemathesis against the OpenAPI document the desk serves: generated requests to every
operation, with a valid API key, get no server error and no response outside the schema.

Every check runs but ``positive_data_acceptance``: a body the schema allows may still be refused
with 422 on purpose (the certificate rules are richer than JSON Schema, and an Idempotency-Key
reused with another body is refused as the IETF idempotency draft says).

(Schemathesis' pytest loader does not run under pytest 9 yet, so each operation's strategy is
driven by Hypothesis here.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance


def test_every_operation_keeps_to_the_schema(app, keys) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {keys['alice']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
