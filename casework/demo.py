"""Demo cases across the vocabulary, opened over the past year (``manage.py seed_demo``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from casework import services
from casework.models import Case, CaseStatus, CloseReason, Tag
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
    """Idempotent: only an office without cases gets them."""
    if Case.objects.for_office(office).exists():
        return
    constituents = list(Constituent.objects.for_office(office)[:40])
    if not constituents:
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    tags = {tag.name: tag for tag in Tag.objects.for_office(office)}
    staff = [people[Role.CASEWORKER], people[Role.MANAGER]]
    now = timezone.now()
    for n in range(60):
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
        services.case_add_note(case=case, actor=staff[0], text="Called the constituent to confirm the details.")
        _age(case, now - dt.timedelta(days=rng.randint(0, 360)), rng)


def _age(case: Case, opened_at: dt.datetime, rng: random.Random) -> None:
    """Backdate a demo case and, for older ones, move it along as real cases would have moved."""
    age_days = (timezone.now() - opened_at).days
    fields: dict[str, Any] = {
        "opened_at": opened_at,
        "response_due_on": services.response_due(case.office, opened_at.date()),
    }
    if age_days > 60 and rng.random() < 0.8:
        fields |= {
            "status": CaseStatus.CLOSED,
            "close_reason": rng.choice(CloseReason.values),
            "closed_at": opened_at + dt.timedelta(days=rng.randint(5, 60)),
            "first_response_at": opened_at + dt.timedelta(days=rng.randint(1, 8)),
        }
    elif age_days > 20 and rng.random() < 0.5:
        fields |= {"status": CaseStatus.AWAITING_THIRD_PARTY, "response_paused_at": opened_at + dt.timedelta(days=3)}
    Case.objects.for_office(case.office).filter(pk=case.pk).update(**fields)
