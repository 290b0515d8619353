"""Rate limits for the API: per token, or per person for sessions, counted in the cache."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from security.authentication import request_token

DEFAULT_SCOPE = "api"


class ApiRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, keyed by the token or the person rather than the address.

    A view may name its own ``throttle_scope`` (with a rate in ``DEFAULT_THROTTLE_RATES``);
    otherwise the ``api`` rate applies (``API_THROTTLE_RATE``).
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None) or DEFAULT_SCOPE
        # Read the rates now, not at import, so a changed setting applies (and tests can set one).
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        token = request_token(request)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
