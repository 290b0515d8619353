"""The organisations directory: the bodies the office writes to, and what each needs."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from constituents import selectors, services
from constituents.forms import OrganisationFilterForm, OrganisationForm
from constituents.models import Organisation
from constituents.views.helpers import posted
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

PAGE_SIZE = 50


@office_required(Perm.VIEW_CASES)
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list(
        office=request.office,
        kind=filters.get("kind", ""),
        query=filters.get("q", ""),
        include_inactive=filters.get("inactive", False),
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_edit": request.membership.allows(Perm.WORK_CASES)}
    return render(request, "constituents/organisation_list.html", context)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(office=request.office, actor=request.user, **form.values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{organisation.name} added to the directory.")
            return redirect("constituents:organisation_detail", organisation_id=organisation.pk)
    return render(request, "constituents/organisation_form.html", {"form": form, "organisation": None})


@office_required(Perm.VIEW_CASES)
@require_GET
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_for_office_or_404(Organisation, request.office, pk=organisation_id)
    context = {"organisation": organisation, "can_edit": request.membership.allows(Perm.WORK_CASES)}
    return render(request, "constituents/organisation_detail.html", context)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_for_office_or_404(Organisation, request.office, pk=organisation_id)
    # The form writes into its instance while validating; the service compares against the original.
    editing = get_for_office_or_404(Organisation, request.office, pk=organisation_id)
    form = OrganisationForm(posted(request), instance=editing)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, actor=request.user, **form.values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("constituents:organisation_detail", organisation_id=organisation.pk)
    return render(request, "constituents/organisation_form.html", {"form": form, "organisation": organisation})


def _set_active(request: HttpRequest, organisation_id: int, *, active: bool) -> HttpResponse:
    organisation = get_for_office_or_404(Organisation, request.office, pk=organisation_id)
    services.organisation_set_active(organisation=organisation, actor=request.user, active=active)
    state = "back in use" if active else "deactivated: it is no longer offered for new cases"
    messages.success(request, f"{organisation.name} is {state}.")
    return redirect("constituents:organisation_detail", organisation_id=organisation.pk)


@office_required(Perm.WORK_CASES)
@require_POST
def organisation_deactivate(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _set_active(request, organisation_id, active=False)


@office_required(Perm.WORK_CASES)
@require_POST
def organisation_reactivate(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _set_active(request, organisation_id, active=True)
