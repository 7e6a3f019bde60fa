"""origincert: certificates of origin anchored on a permissioned EVM ledger."""

from origincert import _recursion

__version__ = "0.1.0"

_recursion.install()
