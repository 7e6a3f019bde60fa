"""The chain client at its edge: a node that is down or answers HTTP errors gives a clear error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from chainutil import free_port

from origincert.chain import ChainClient
from origincert.errors import ChainUnavailable, NodeHttpError


class _TooLarge(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(413, "Request Entity Too Large")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy_413() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _TooLarge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_error_status_names_the_status(proxy_413: str) -> None:
    with pytest.raises(NodeHttpError, match="HTTP 413 Request Entity Too Large") as caught:
        ChainClient.connect(proxy_413)
    assert caught.value.status == 413 and isinstance(caught.value, ChainUnavailable)


def test_a_node_that_is_down_is_unreachable_not_a_traceback() -> None:
    with pytest.raises(ChainUnavailable, match="is not reachable") as caught:
        ChainClient.connect(f"http://127.0.0.1:{free_port()}", timeout=2)
    assert caught.value.code == "node_unreachable"
