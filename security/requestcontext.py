"""Who is acting, from where: request metadata available to services without passing requests.

Set by ``RequestIdMiddleware`` for web requests; tasks and commands run as the system.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""
    # Set once an API token has authenticated the request: audit events name the integration.
    api_token_id: int | None = None


_NO_REQUEST = RequestMeta()
_current: contextvars.ContextVar[RequestMeta] = contextvars.ContextVar("request_meta", default=_NO_REQUEST)


def current() -> RequestMeta:
    return _current.get()


def activate(meta: RequestMeta) -> contextvars.Token[RequestMeta]:
    return _current.set(meta)


def deactivate(token: contextvars.Token[RequestMeta]) -> None:
    _current.reset(token)


def act_as_api_token(api_token_id: int) -> None:
    """Mark the rest of this request as done by an API token.

    No reset is needed: ``RequestIdMiddleware`` restores the value it found when the request ends.
    """
    _current.set(dataclasses.replace(_current.get(), api_token_id=api_token_id))


class RequestIdLogFilter(logging.Filter):
    """Adds the current request id to log records (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get().request_id or "-"
        return True
