"""Reads for cases and the vocabulary. Restricted cases are filtered here, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from casework.models import Case, CaseEvent, CaseStatus, Tag, TagCategory
from security.models import Membership, Office
from security.roles import Perm, Role


def visible_cases(*, office: Office, membership: Membership) -> QuerySet[Case]:
    """The cases this member may see: restricted ones only for managers, the MP and the assignee."""
    cases = Case.objects.for_office(office)
    if membership.role in (Role.MANAGER, Role.MP):
        return cases
    if membership.allows(Perm.VIEW_RESTRICTED):
        return cases.filter(Q(restricted=False) | Q(assignee=membership.user))
    return cases.filter(restricted=False)


def visible_case_or_404(
    *, office: Office, membership: Membership, case_id: int, related: tuple[str, ...] = ("constituent",)
) -> Case:
    """For a page: another office's case, and a restricted one this member may not see, are both 404."""
    from security.scoping import get_for_office_or_404

    cases = visible_cases(office=office, membership=membership).select_related(*related)
    return get_for_office_or_404(cases, office, pk=case_id)


def caller_cases(*, office: Office, membership: Membership | None) -> QuerySet[Case]:
    """The cases an API caller may see: a token (no membership) never sees a restricted case."""
    if membership is None:
        return Case.objects.for_office(office).filter(restricted=False)
    return visible_cases(office=office, membership=membership)


def filter_cases(cases: QuerySet[Case], filters: dict[str, Any], *, user: Any = None) -> QuerySet[Case]:
    """The case filters shared by the case list, the triage queue and the API."""
    if filters.get("status") == "active":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif filters.get("status"):
        cases = cases.filter(status=filters["status"])
    if filters.get("assignee") == "me":
        cases = cases.filter(assignee=user)
    elif filters.get("assignee") == "none":
        cases = cases.filter(assignee__isnull=True)
    elif filters.get("assignee"):
        cases = cases.filter(assignee=filters["assignee"])
    if filters.get("tag"):
        cases = cases.filter(tags=filters["tag"])
    if filters.get("priority"):
        cases = cases.filter(priority=filters["priority"])
    if filters.get("ward"):
        # The ward recorded at opening, which survives the constituent's erasure.
        cases = cases.filter(ward_code=filters["ward"].code)
    if filters.get("q"):
        q = filters["q"]
        cases = cases.filter(
            Q(reference__icontains=q) | Q(summary__icontains=q) | Q(constituent__last_name__icontains=q)
        )
    return cases


def case_list(
    *, office: Office, membership: Membership, filters: dict[str, Any], base: QuerySet[Case] | None = None
) -> QuerySet[Case]:
    """``base`` (default: every case the member may see), filtered, sorted and ready to list."""
    cases = base if base is not None else visible_cases(office=office, membership=membership)
    cases = filter_cases(cases, filters, user=membership.user)
    order = {"oldest": ("opened_at", "id"), "due": ("response_due_on", "id")}.get(filters.get("sort", ""))
    return (
        cases.select_related("constituent", "assignee")
        .prefetch_related("tags")
        .order_by(*(order or ("-opened_at", "-id")))
    )


def timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.for_office(case.office).filter(case=case).select_related("actor")


def overdue(*, cases: QuerySet[Case], today: dt.date | None = None) -> QuerySet[Case]:
    """Past the office's own response target, with the clock running (not paused)."""
    today = today or timezone.localdate()
    return cases.exclude(status=CaseStatus.CLOSED).filter(response_due_on__lt=today, response_paused_at__isnull=True)


def active_tags(*, office: Office, query: str = "") -> list[Tag]:
    """Active tags whose name or synonyms contain ``query``, with their category, by category."""
    tags = list(Tag.objects.for_office(office).filter(is_active=True).select_related("category"))
    needle = query.strip().lower()
    if needle:
        tags = [t for t in tags if needle in t.name.lower() or any(needle in s.lower() for s in t.synonyms)]
    return sorted(tags, key=lambda t: (t.category.position, t.category.name, t.name))


def vocabulary(*, office: Office) -> QuerySet[TagCategory]:
    tags = Tag.unscoped.annotate(case_count=Count("tagged_cases")).order_by("-is_active", "name")
    return TagCategory.objects.for_office(office).prefetch_related(Prefetch("tags", queryset=tags))


def vocabulary_size(*, office: Office) -> int:
    return Tag.objects.for_office(office).filter(is_active=True).count()


# --- Triage ------------------------------------------------------------------------------------
TRIAGE_QUEUES = {
    "new": "New, needing action",
    "mine": "My cases",
    "overdue": "Past our response target",
    "open": "All open cases",
}


def triage_queue(*, office: Office, membership: Membership, queue: str) -> QuerySet[Case]:
    cases = visible_cases(office=office, membership=membership)
    if queue == "new":
        return cases.filter(status=CaseStatus.NEW)
    if queue == "mine":
        return cases.filter(assignee=membership.user).exclude(status=CaseStatus.CLOSED)
    if queue == "overdue":
        return overdue(cases=cases)
    return cases.exclude(status=CaseStatus.CLOSED)


def triage_counts(*, office: Office, membership: Membership) -> dict[str, int]:
    """All queue sizes in one query."""
    # Every queue counts open cases only, so the partial index on open cases serves them all.
    cases = visible_cases(office=office, membership=membership).exclude(status=CaseStatus.CLOSED)
    today = timezone.localdate()
    return cases.aggregate(
        new=Count("pk", filter=Q(status=CaseStatus.NEW)),
        mine=Count("pk", filter=Q(assignee=membership.user)),
        overdue=Count("pk", filter=Q(response_due_on__lt=today, response_paused_at__isnull=True)),
        open=Count("pk"),
    )
