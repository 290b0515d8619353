"""The manager's duplicate review: likely pairs, a side-by-side merge, or "not the same person"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from constituents import selectors, services
from constituents.forms import MergeForm
from constituents.models import Constituent
from constituents.views.helpers import posted
from security.audit import audit_view
from security.decorators import office_required, recent_otp_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

PAGE_SIZE = 25


@office_required(Perm.MERGE_RECORDS)
@require_GET
def duplicate_review(request: HttpRequest) -> HttpResponse:
    pairs = selectors.duplicate_pairs(office=request.office)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "constituents/duplicate_review.html", {"page": page})


@office_required(Perm.MERGE_RECORDS)
@require_http_methods(["GET", "POST"])
@recent_otp_required
def constituent_merge(request: HttpRequest, constituent_id: int, duplicate_id: int) -> HttpResponse:
    """Both records side by side; the manager chooses the one to keep and confirms."""
    queryset = selectors.constituent_detail_queryset(office=request.office)
    first = get_for_office_or_404(queryset, request.office, pk=constituent_id)
    second = get_for_office_or_404(queryset, request.office, pk=duplicate_id)
    form = MergeForm(posted(request), first=first, second=second, initial={"keep": first.pk})
    if first.pk == second.pk:
        form.add_error(None, "A record cannot be merged into itself: choose two different records.")
    elif request.method == "POST" and form.is_valid():
        survivor, merged = (first, second) if form.cleaned_data["keep"] == first.pk else (second, first)
        try:
            services.constituent_merge(office=request.office, survivor=survivor, merged=merged, actor=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Merged record {merged.pk} into {survivor.full_name} (record {survivor.pk}).")
            return redirect("constituents:detail", constituent_id=survivor.pk)
    for person in (first, second):
        audit_view(request, person)
    return render(request, "constituents/merge_confirm.html", {"form": form, "people": [first, second]})


@office_required(Perm.MERGE_RECORDS)
@require_POST
def duplicate_dismiss(request: HttpRequest, constituent_id: int, duplicate_id: int) -> HttpResponse:
    first = get_for_office_or_404(Constituent, request.office, pk=constituent_id)
    second = get_for_office_or_404(Constituent, request.office, pk=duplicate_id)
    try:
        services.duplicate_dismiss(office=request.office, first=first, second=second, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{first.full_name} and {second.full_name} will no longer be paired.")
    return redirect("constituents:duplicates")
