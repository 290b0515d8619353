"""Reads of third-party enquiries: a case's, the chases page, and agency responsiveness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from casework.models import Case
from casework.selectors import visible_cases
from correspondence.models import OPEN_STATUSES, Direction, Enquiry, EnquiryStep, Message, StepKind
from mpoffice.lib.workingdays import add_working_days
from security.models import Membership, Office


def case_enquiries(*, case: Case) -> QuerySet[Enquiry]:
    return (
        Enquiry.objects.for_office(case.office)
        .filter(case=case)
        .select_related("organisation")
        .order_by("-sent_on", "-id")
    )


def unsent_chasers(*, enquiry: Enquiry) -> QuerySet[EnquiryStep]:
    return EnquiryStep.objects.for_office(enquiry.office).filter(
        enquiry=enquiry, kind=StepKind.CHASER_DRAFTED, sent_message__isnull=True
    )


def replies_for(*, enquiry: Enquiry) -> QuerySet[Message]:
    """Messages received on the case since the enquiry went: the candidates for its answer."""
    return (
        Message.objects.for_office(enquiry.office)
        .filter(case=enquiry.case_id, direction=Direction.INBOUND, received_at__date__gte=enquiry.sent_on)
        .only("id", "subject", "sender_name", "sender_email", "received_at")
        .order_by("-received_at", "-id")
    )


def reply_since() -> Exists:
    """For an annotation: has anything been received on the enquiry's case since it was sent?"""
    return Exists(
        Message.unscoped.filter(
            case=OuterRef("case_id"), direction=Direction.INBOUND, received_at__date__gte=OuterRef("sent_on")
        )
    )


def open_enquiries(*, office: Office, membership: Membership) -> QuerySet[Enquiry]:
    cases = visible_cases(office=office, membership=membership)
    return (
        Enquiry.objects.for_office(office)
        .filter(status__in=OPEN_STATUSES, case__in=cases)
        .select_related("organisation", "case__assignee")
        .annotate(
            unsent_chasers=Count("steps", filter=Q(steps__kind=StepKind.CHASER_DRAFTED, steps__sent_message=None))
        )
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class Chases:
    overdue: list[Enquiry]
    due_this_week: list[Enquiry]
    by_organisation: list[dict]
    by_caseworker: list[dict]


def chases(*, office: Office, membership: Membership, today: dt.date) -> Chases:
    """Overdue, due in the next five working days, and open counts by organisation and caseworker."""
    open_rows = open_enquiries(office=office, membership=membership)
    horizon = add_working_days(today, 5, office.nation)
    overdue_q = Q(due_on__lt=today)
    return Chases(
        overdue=list(open_rows.filter(overdue_q)[:200]),
        due_this_week=list(open_rows.filter(due_on__gte=today, due_on__lte=horizon)[:200]),
        by_organisation=list(
            open_rows.values("organisation__name")
            .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q))
            .order_by("-overdue", "-open", "organisation__name")
        ),
        by_caseworker=list(
            open_rows.values("case__assignee__full_name")
            .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q))
            .order_by("-overdue", "-open", "case__assignee__full_name")
        ),
    )


@dataclass(frozen=True)
class Responsiveness:
    organisation: str
    answered: int
    median_working_days: float
    within_target_share: float
    still_open: int


def responsiveness(*, office: Office, start: dt.date, end: dt.date) -> list[Responsiveness]:
    """Per organisation, for enquiries answered in [start, end]: median working days to reply and
    the share answered within the organisation's own target; plus those still open."""
    answered = (
        Enquiry.objects.for_office(office)
        .filter(answered_on__gte=start, answered_on__lte=end, reply_working_days__isnull=False)
        .values_list("organisation__name", "reply_working_days", "answered_within_target")
    )
    days: dict[str, list[int]] = {}
    within: dict[str, int] = {}
    for name, working_days, on_time in answered:
        days.setdefault(name, []).append(working_days)
        within[name] = within.get(name, 0) + bool(on_time)
    still_open = dict(
        Enquiry.objects.for_office(office)
        .filter(status__in=OPEN_STATUSES, sent_on__lte=end)
        .values_list("organisation__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        Responsiveness(
            organisation=name,
            answered=len(values),
            median_working_days=float(median(values)),
            within_target_share=within[name] / len(values),
            still_open=still_open.get(name, 0),
        )
        for name, values in days.items()
    ]
    return sorted(rows, key=lambda row: (-row.median_working_days, row.organisation))
