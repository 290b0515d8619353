"""Demo cases across the vocabulary, opened over the past year (``manage.py seed_demo``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from casework import search_index, services
from casework.models import Case, CaseStatus, CloseReason, ReferenceCounter, Tag
from constituents.models import Constituent
from security.roles import Role

SUMMARIES = {
    "Universal Credit": ["UC sanction applied after missed appointment", "UC advance repayments too high"],
    "PIP and disability benefits": ["PIP award reduced at review", "PIP assessment delayed five months"],
    "Homelessness": ["Family in temporary accommodation 40 miles away", "Facing eviction, council says not priority"],
    "Disrepair": ["Damp and mould in child's bedroom", "Housing association not fixing broken boiler"],
    "Visa applications": ["Spouse visa decision overdue", "Visitor visa refused for mother's funeral"],
    "Passports": ["Passport not returned before holiday", "Child's first passport application stuck"],
    "NHS waiting times": ["Hip operation cancelled twice", "Waiting 18 months for neurology referral"],
    "SEND and EHCPs": ["EHCP not issued within 20 weeks", "School cannot meet needs in EHCP"],
    "Antisocial behaviour": ["Neighbour noise every night", "Youths gathering at the park"],
    "Roads and potholes": ["Pothole damaged car tyre", "Speeding on school road"],
    "HMRC": ["Wrong tax code for two years", "Self-assessment penalty appeal"],
    "Child maintenance": ["CMS not collecting arrears", "CMS calculation ignores shared care"],
    "Flooding": ["Garden floods every winter", "Sewage overflow into river"],
    "Carer's Allowance": ["Carer's Allowance overpayment demand", "Carer's Allowance claim lost"],
}


def seed(office: Any, people: dict[str, Any]) -> None:
    """Idempotent: only an office without cases gets them. Cases are opened in date order."""
    if Case.objects.for_office(office).exists():
        return
    constituents = list(Constituent.objects.for_office(office)[:40])
    if not constituents:
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    tags = {tag.name: tag for tag in Tag.objects.for_office(office)}
    staff = [people[Role.CASEWORKER], people[Role.MANAGER]]
    now = timezone.now()
    opened = sorted(now - dt.timedelta(days=rng.randint(0, 360), hours=rng.randint(0, 8)) for _ in range(100))
    for n, opened_at in enumerate(opened):
        tag_name = rng.choice(sorted(SUMMARIES))
        case = services.case_open(
            office=office,
            constituent=rng.choice(constituents),
            opened_by=rng.choice(staff),
            summary=rng.choice(SUMMARIES[tag_name]),
            priority=rng.choice(["normal", "normal", "normal", "high", "low", "urgent"]),
            assignee=rng.choice([*staff, None]),
            restricted=n % 17 == 0,
            tags=[tags[tag_name]],
        )
        _backdate(case, opened_at, since=now)
        services.case_add_note(case=case, actor=staff[0], text="Called the constituent to confirm the details.")
        _backdate_events(case, since=now, to=opened_at + dt.timedelta(hours=2))
        _move_along(case, opened_at, rng, staff[0])
    _renumber(office)


def _renumber(office: Any) -> None:
    """References in opening order per year, as if each case had been opened on its date."""
    cases = Case.objects.for_office(office)
    for case in cases:  # first out of the way of the unique constraint
        cases.filter(pk=case.pk).update(reference=f"x{case.pk}")
    numbers: dict[int, int] = {}
    for case in cases.order_by("opened_at", "pk"):
        year = timezone.localdate(case.opened_at).year
        numbers[year] = numbers.get(year, 0) + 1
        cases.filter(pk=case.pk).update(reference=f"{year}/{numbers[year]:04d}")
    for year, last in numbers.items():
        ReferenceCounter.unscoped.update_or_create(office=office, year=year, defaults={"last_number": last})
    search_index.refresh_cases(cases)


def _backdate(case: Case, opened_at: dt.datetime, since: dt.datetime) -> None:
    """Give a case just opened the dates and timeline it would have had then."""
    Case.objects.for_office(case.office).filter(pk=case.pk).update(
        opened_at=opened_at,
        response_due_on=services.response_due(case.office, timezone.localdate(opened_at)),
    )
    _backdate_events(case, since=since, to=opened_at)
    case.refresh_from_db()


def _backdate_events(case: Case, since: dt.datetime, to: dt.datetime) -> None:
    case.events.filter(created_at__gte=since).update(created_at=to)


def _move_along(case: Case, opened_at: dt.datetime, rng: random.Random, actor: Any) -> None:
    """Older cases move on as real ones do: most close, some wait for a third party."""
    age_days = (timezone.now() - opened_at).days
    started = timezone.now()
    if age_days > 60 and rng.random() < 0.8:
        closed_at = opened_at + dt.timedelta(days=rng.randint(5, 60))
        services.case_record_response(case=case, at=opened_at + dt.timedelta(days=rng.randint(1, 8)))
        services.case_close(case=case, actor=actor, reason=rng.choice(CloseReason.values))
        Case.objects.for_office(case.office).filter(pk=case.pk).update(closed_at=closed_at)
        _backdate_events(case, since=started, to=closed_at)
    elif age_days > 20 and rng.random() < 0.5:
        paused_at = opened_at + dt.timedelta(days=3)
        services.case_set_status(case=case, actor=actor, status=CaseStatus.AWAITING_THIRD_PARTY)
        Case.objects.for_office(case.office).filter(pk=case.pk).update(response_paused_at=paused_at)
        _backdate_events(case, since=started, to=paused_at)
