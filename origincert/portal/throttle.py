"""The officers' sign-in throttling: the web kit's counting (``origincert.webkit.throttle``) on
the portal's ``login_throttle`` table. Each key allows ``free`` attempts, then one per doubling
delay; an account is never locked for everybody, only for the (account, address) pair and the
address that guesses."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from origincert.portal.db import LoginThrottle
from origincert.webkit.throttle import Admission, Rule, Throttle, account_key, source_key

__all__ = ["Admission", "Rule", "account_key", "admit", "forget_account", "source_key", "succeeded"]

_THROTTLE = Throttle(cast(Table, LoginThrottle.__table__))  # a declarative class's table
admit = _THROTTLE.admit
succeeded = _THROTTLE.succeeded
forget_account = _THROTTLE.forget_account
