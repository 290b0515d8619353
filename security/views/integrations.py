"""Integrations: the office's API tokens (managers), and the API's interactive docs (staff)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from security import selectors, services
from security.decorators import office_required, recent_otp_required
from security.errors import DomainError
from security.forms import ApiTokenForm
from security.models import ApiToken
from security.roles import Perm
from security.scoping import get_for_office_or_404


@office_required(Perm.USE_API)
@require_GET
def api_token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "security/api_tokens.html", {"tokens": selectors.api_tokens(office=request.office)})


@office_required(Perm.USE_API)
@require_http_methods(["GET", "POST"])
@recent_otp_required
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show it once, on this response: never in a URL, a message or a log."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(office=request.office, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            response = render(request, "security/api_token_created.html", {"token": token, "secret": secret})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "security/api_token_form.html", {"form": form})


@office_required(Perm.USE_API)
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_for_office_or_404(ApiToken, request.office, pk=token_id)
    services.api_token_revoke(office=request.office, actor=request.user, token_id=token.pk)
    messages.success(request, f"The token for “{token.name}” is revoked: it no longer works.")
    return redirect("security:api_tokens")


@office_required()
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI, from our own static files (drf-spectacular-sidecar)."""
    return render(request, "security/api_docs.html")


@office_required()
@require_GET
def api_docs_script(request: HttpRequest) -> HttpResponse:
    """The docs page's start-up script, served as a file so the CSP needs no inline script."""
    spectacular = settings.SPECTACULAR_SETTINGS
    context = {
        "schema_url": f"{reverse('api_schema')}?format=json",
        "settings": json.dumps(spectacular.get("SWAGGER_UI_SETTINGS", {})),
        "oauth2_config": "",
        "csrf_header_name": settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-"),
        "schema_auth_names": "[]",
    }
    response = render(request, "drf_spectacular/swagger_ui.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-store"  # it carries the session's CSRF token
    return response
