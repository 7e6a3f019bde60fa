"""The officers' sign-in throttling: the web kit's counting (``origincert.webkit.throttle``) on
the portal's ``login_throttle`` table. Each key allows ``free`` attempts, then one per doubling
delay; an account is never locked for everybody, only for the (account, address) pair and the
address that guesses."""

from __future__ import annotations

from origincert.portal.db import LoginThrottle
from origincert.webkit.throttle import Admission, Rule, Throttle, account_key, source_key

__all__ = ["Admission", "Rule", "account_key", "admit", "forget_account", "source_key", "succeeded"]

_THROTTLE = Throttle(LoginThrottle.__table__)
admit = _THROTTLE.admit
succeeded = _THROTTLE.succeeded
forget_account = _THROTTLE.forget_account
