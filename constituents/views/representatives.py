"""People acting on a constituent's behalf: add, edit, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from constituents import services
from constituents.forms import RepresentativeForm
from constituents.models import Representative
from constituents.views.constituents import constituent_or_404
from constituents.views.helpers import posted
from security.audit import audit_view
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


def _representative_or_404(request: HttpRequest, representative_id: int) -> Representative:
    queryset = Representative.unscoped.select_related("constituent")
    return get_for_office_or_404(queryset, request.office, pk=representative_id)


@office_required(Perm.LOG_CONTACT)
@require_http_methods(["GET", "POST"])
def representative_create(request: HttpRequest, constituent_id: int) -> HttpResponse:
    constituent = constituent_or_404(request, constituent_id)
    form = RepresentativeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_create(constituent=constituent, actor=request.user, **form.values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Person acting for them added.")
            return redirect("constituents:detail", constituent_id=constituent.pk)
    audit_view(request, constituent)
    context = {"form": form, "constituent": constituent, "representative": None}
    return render(request, "constituents/representative_form.html", context)


@office_required(Perm.LOG_CONTACT)
@require_http_methods(["GET", "POST"])
def representative_edit(request: HttpRequest, representative_id: int) -> HttpResponse:
    representative = _representative_or_404(request, representative_id)
    # The form writes into its instance while validating; the service compares against the original.
    editing = _representative_or_404(request, representative_id)
    form = RepresentativeForm(posted(request), instance=editing)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_update(representative=representative, actor=request.user, **form.values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("constituents:detail", constituent_id=representative.constituent_id)
    audit_view(request, representative)
    context = {"form": form, "constituent": representative.constituent, "representative": representative}
    return render(request, "constituents/representative_form.html", context)


@office_required(Perm.LOG_CONTACT)
@require_POST
def representative_remove(request: HttpRequest, representative_id: int) -> HttpResponse:
    representative = _representative_or_404(request, representative_id)
    try:
        services.representative_remove(representative=representative, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{representative.name} removed.")
    return redirect("constituents:detail", constituent_id=representative.constituent_id)
