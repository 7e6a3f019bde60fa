"""A consortium network of validator nodes: geth Clique to run here, Besu QBFT as a kit.

``origincert network init | up | down | status`` (see :mod:`origincert.network.manage`).
"""

from origincert.network.layout import NetworkError, NetworkSpec, NodeSpec
from origincert.network.layout import load as load_spec
from origincert.network.manage import Status, down, init, status, up

__all__ = [
    "NetworkError",
    "NetworkSpec",
    "NodeSpec",
    "Status",
    "down",
    "init",
    "load_spec",
    "status",
    "up",
]
