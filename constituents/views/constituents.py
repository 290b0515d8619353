"""Constituent pages: the searchable list, create (with the duplicate check), detail and edit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from constituents import selectors, services
from constituents.forms import (
    ConstituentEditForm,
    ConstituentForm,
    ConstituentSearchForm,
    EmailAddForm,
    PhoneAddForm,
)
from constituents.models import Constituent
from constituents.sections import constituent_page
from constituents.views.helpers import posted
from security.audit import audit_view
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

PAGE_SIZE = 25


def follow_merges(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An old link to a merged-away record opens the record it was merged into."""

    @wraps(view)
    def wrapped(request: HttpRequest, constituent_id: int, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, constituent_id=constituent_id, **kwargs)
        except Http404:
            survivor = selectors.merge_target(office=request.office, constituent_id=constituent_id)
            if survivor is None or request.method != "GET":
                raise
            return redirect(request.resolver_match.view_name, constituent_id=survivor.pk, **kwargs)

    return wrapped


def constituent_or_404(request: HttpRequest, constituent_id: int) -> Constituent:
    return get_for_office_or_404(Constituent, request.office, pk=constituent_id)


@office_required(Perm.VIEW_CASES)
@require_GET
def constituent_list(request: HttpRequest) -> HttpResponse:
    form = ConstituentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    constituents = selectors.constituent_list(office=request.office, query=query)
    page = Paginator(constituents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query, "can_add": request.membership.allows(Perm.LOG_CONTACT)}
    template = "constituents/_constituent_results.html" if request.htmx else "constituents/constituent_list.html"
    return render(request, template, context)


@office_required(Perm.LOG_CONTACT)
@require_http_methods(["GET", "POST"])
def constituent_create(request: HttpRequest) -> HttpResponse:
    form = ConstituentForm(posted(request), office=request.office)
    if request.method == "POST" and form.is_valid():
        try:
            constituent = services.constituent_create(office=request.office, actor=request.user, **form.create_kwargs())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{constituent.full_name} added.")
            return redirect("constituents:detail", constituent_id=constituent.pk)
    return render(request, "constituents/constituent_form.html", {"form": form})


def detail_context(request: HttpRequest, constituent: Constituent, **forms: Any) -> dict[str, Any]:
    """The constituent page's context; a form that failed to validate is passed in to show its errors."""
    may_merge = request.membership.allows(Perm.MERGE_RECORDS)
    return {
        "constituent": constituent,
        "can_edit": request.membership.allows(Perm.LOG_CONTACT),
        # Only those who can act on them see possible duplicates (it costs a few queries).
        "duplicates": _duplicates_of(request, constituent) if may_merge else [],
        "email_form": forms.get("email_form") or EmailAddForm(),
        "phone_form": forms.get("phone_form") or PhoneAddForm(),
    }


def _duplicates_of(request: HttpRequest, constituent: Constituent) -> list[Constituent]:
    return selectors.possible_duplicates(
        office=request.office,
        first_name=constituent.first_name,
        last_name=constituent.last_name,
        postcode=constituent.postcode,
        emails=[e.email for e in constituent.emails.all()],
        phones=[p.number for p in constituent.phones.all()],
        exclude_id=constituent.pk,
    )


def render_detail(request: HttpRequest, constituent_id: int, **forms: Any) -> HttpResponse:
    queryset = selectors.constituent_detail_queryset(office=request.office)
    constituent = get_for_office_or_404(queryset, request.office, pk=constituent_id)
    audit_view(request, constituent)
    context = detail_context(request, constituent, **forms)
    context["sections"] = constituent_page.for_page(request, constituent)
    return render(request, "constituents/constituent_detail.html", context)


@office_required(Perm.VIEW_CASES)
@require_GET
@follow_merges
def constituent_detail(request: HttpRequest, constituent_id: int) -> HttpResponse:
    return render_detail(request, constituent_id)


@office_required(Perm.LOG_CONTACT)
@require_http_methods(["GET", "POST"])
@follow_merges
def constituent_edit(request: HttpRequest, constituent_id: int) -> HttpResponse:
    constituent = constituent_or_404(request, constituent_id)
    # The form writes into its instance while validating; the service compares against the original.
    editing = constituent_or_404(request, constituent_id)
    form = ConstituentEditForm(posted(request), instance=editing)
    if request.method == "POST" and form.is_valid():
        try:
            services.constituent_update(constituent=constituent, actor=request.user, **form.details())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("constituents:detail", constituent_id=constituent.pk)
    audit_view(request, constituent)
    return render(request, "constituents/constituent_edit.html", {"form": form, "constituent": constituent})
