"""Project-level views that belong to no app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mpoffice import health


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and worker heartbeat status, for load balancers and compose.

    503 when the database or the broker is unreachable; a stale heartbeat (no worker or no
    beat) is reported but keeps 200, since restarting the web server would not help it.
    """
    report = health.check_all()
    status = 200 if report["database"]["ok"] and report["broker"]["ok"] else 503
    return JsonResponse(report, status=status)
