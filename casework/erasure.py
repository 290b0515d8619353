"""How cases and their timelines are erased, and the open cases an erasure closes first.

Registered in the personal-data registry from ``CaseworkConfig.ready()``. A case is anonymised,
not deleted: its status, dates, priority, tags and ward stay for the office's figures.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from casework.models import Case, CaseEvent, CaseStatus, CloseReason, EventKind
from casework.search_index import refresh_cases
from constituents.models import Constituent
from security.models import Office, User

ANONYMISED_SUMMARY = "Anonymised case"
# CaseEvent.data keys that may hold a person's name; the rest are statuses, tags and field names.
PERSONAL_EVENT_KEYS = ("name",)


def case_anonymise(case: Case) -> None:
    Case.unscoped.filter(pk=case.pk).update(
        summary=ANONYMISED_SUMMARY,
        description="",
        consent_how="",
        anonymised_at=timezone.now(),
        version=F("version") + 1,  # an edit form opened before cannot write the old text back
    )


def case_event_erase(event: CaseEvent) -> None:
    data = {k: v for k, v in event.data.items() if k not in PERSONAL_EVENT_KEYS}
    CaseEvent.unscoped.filter(pk=event.pk).update(note="", data=data)


def events_of(office: Office, constituent: Constituent) -> QuerySet[CaseEvent]:
    """The timelines of their cases, and lines of other cases that name them as involved."""
    names = [str(constituent), *(str(r) for r in constituent.representatives.all())]
    return CaseEvent.objects.for_office(office).filter(
        Q(case__constituent=constituent) | Q(kind=EventKind.PARTICIPANT, data__name__in=names)
    )


def open_cases_of(office: Office, constituent: Constituent) -> list[str]:
    rows = Case.objects.for_office(office).filter(constituent=constituent).exclude(status=CaseStatus.CLOSED)
    return [f"case {case.reference} ({case.get_status_display().lower()})" for case in rows.order_by("opened_at")]


def open_cases_close(office: Office, constituent: Constituent, actor: User | None) -> None:
    from casework.services import case_set_status

    rows = Case.objects.for_office(office).filter(constituent=constituent).exclude(status=CaseStatus.CLOSED)
    for case in rows:
        case_set_status(case=case, actor=actor, status=CaseStatus.CLOSED, close_reason=CloseReason.WITHDRAWN)


def reindex(rows: QuerySet[Case]) -> None:
    refresh_cases(rows)
