"""An OAuth2 token endpoint for the tests: http.server on an ephemeral loopback port, in a thread.

Import ``token_endpoint_fixture`` (named ``token_endpoint``) into a test module; queue answers on
it with ``granted()`` or ``(status, body)``; each request's path, headers and form are kept.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from tests.correspondence.dovecot import OAUTH_ACCESS_TOKEN


def granted(*, access_token: str = OAUTH_ACCESS_TOKEN, refresh_token: str | None = None, expires_in: int = 3599):
    """What Microsoft's endpoint answers to a refresh (its scope without offline_access)."""
    answer = {
        "token_type": "Bearer",
        "scope": "https://outlook.office365.com/IMAP.AccessToken",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access_token,
    }
    if refresh_token:
        answer["refresh_token"] = refresh_token
    return 200, answer


class TokenEndpoint:
    """A token endpoint: answers POSTs with the queued answers, in order, and keeps each form."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, object]] = []
        self.requests: list[dict[str, object]] = []
        self.url = ""


@pytest.fixture(name="token_endpoint")
def token_endpoint_fixture() -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            endpoint.requests.append({"path": self.path, "form": dict(parse_qsl(body)), "headers": dict(self.headers)})
            status, answer = endpoint.answers.pop(0) if endpoint.answers else (500, b"no answer queued")
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(answer, bytes) else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint.url = f"http://127.0.0.1:{server.server_port}/contoso.onmicrosoft.com/oauth2/v2.0/token"
    yield endpoint
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
