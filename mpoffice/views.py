"""Project-level views that belong to no app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mpoffice import health
from security.apierrors import error_response


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


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL nothing answers: the API's error format under /api/, the page elsewhere."""
    if _is_api(request):
        return error_response(404, "not_found", "There is no such API endpoint. See /api/docs/.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_response(500, "server_error", "Something went wrong on our side. It has been logged.")
    return defaults.server_error(request)
