"""The triage page: the caseworker's keyboard-driven queue, with bulk actions by htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from casework import selectors, services
from casework.forms import BulkActionForm, CaseFilterForm
from casework.sections import triage_page
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm

PAGE_SIZE = 50


def _queue_name(request: HttpRequest) -> str:
    queue = request.GET.get("queue") or request.POST.get("queue") or "new"
    return queue if queue in selectors.TRIAGE_QUEUES else "new"


def _queue_context(request: HttpRequest, params: Any) -> dict[str, Any]:
    office, membership, queue = request.office, request.membership, _queue_name(request)
    form = CaseFilterForm(params, office=office)
    filters = form.cleaned_data if form.is_valid() else {}
    base = selectors.triage_queue(office=office, membership=membership, queue=queue)
    cases = selectors.case_list(office=office, membership=membership, filters=filters, base=base)
    return {
        "queue": queue,
        "queues": selectors.TRIAGE_QUEUES,
        "counts": selectors.triage_counts(office=office, membership=membership),
        "form": form,
        "page": Paginator(cases, PAGE_SIZE).get_page(params.get("page")),
        "bulk_form": BulkActionForm(office=office),
        "can_assign": membership.allows(Perm.ASSIGN_CASES),
        "can_work": membership.allows(Perm.WORK_CASES),
    }


@office_required(Perm.VIEW_CASES)
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request, request.GET)
    if request.htmx and request.htmx.target == "queue":
        return render(request, "casework/_triage_queue.html", context)
    context["sections"] = triage_page.for_page(request)
    return render(request, "casework/triage.html", context)


_BULK_PERMS = {"assign": Perm.ASSIGN_CASES, "tag": Perm.WORK_CASES, "close": Perm.WORK_CASES}


@office_required(Perm.VIEW_CASES)
@require_POST
def triage_bulk(request: HttpRequest) -> HttpResponse:
    """Assign, tag or close the selected cases through the same services as one case; answer with the queue."""
    form = BulkActionForm(request.POST, office=request.office, prefix="bulk")
    if form.is_valid():
        action = form.cleaned_data["action"]
        if not request.membership.allows(_BULK_PERMS[action]):
            raise PermissionDenied("Your role does not allow this.")
        _apply(request, form.cleaned_data)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if not request.htmx:
        return redirect(f"{reverse('casework:triage')}?{urlencode(_filters_of(request.POST))}")
    # The filters travel with the POST (hx-include) so the queue comes back as it was.
    return render(request, "casework/_triage_queue.html", _queue_context(request, request.POST))


def _filters_of(params: Any) -> dict[str, str]:
    return {key: value for key, value in params.items() if not key.startswith("bulk-") and key != "csrfmiddlewaretoken"}


def _apply(request: HttpRequest, data: dict[str, Any]) -> None:
    chosen = selectors.visible_cases(office=request.office, membership=request.membership).filter(pk__in=data["cases"])
    done, refused = 0, []
    for case in chosen:
        try:
            with transaction.atomic():
                _apply_one(request, case, data)
        except DomainError as error:
            refused.append(f"{case.reference}: {error}")
        else:
            done += 1
    verb = {"assign": "Assigned", "tag": "Tagged", "close": "Closed"}[data["action"]]
    messages.success(request, f"{verb} {done} case{'s' if done != 1 else ''}.")
    for reason in refused:
        messages.error(request, reason)


def _apply_one(request: HttpRequest, case: Any, data: dict[str, Any]) -> None:
    action, actor = data["action"], request.user
    if action == "assign":
        services.case_assign(case=case, actor=actor, assignee=data["assignee"])
    elif action == "tag":
        services.case_set_tags(case=case, actor=actor, tags=[*case.tags.all(), data["tag"]])
    else:
        services.case_close(case=case, actor=actor, reason=data["close_reason"])
