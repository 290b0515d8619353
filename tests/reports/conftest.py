"""A small office whose every figure is worked out by hand in test_figures.py.

The period is the fortnight Monday 2 to Sunday 15 March 2026 (GMT); "today" is 15 April 2026.
Everything happens through the casework services at the time it would have happened.

| case | opened (London)   | tags       | ward  | assignee   | first reply      | closed          |
| ---- | ----------------- | ---------- | ----- | ---------- | ---------------- | --------------- |
| ly1  | 2025-03-05 10:00  | UC         | Alpha | -          | -                | 2025-03-20 10:00 |
| c0b  | 2026-02-18 10:00  | Disrepair  | Beta  | manager    | -                | 2026-03-04 10:00 |
| c0   | 2026-02-20 10:00  | UC         | Alpha | -          | -                | -               |
| c1   | 2026-03-02 09:00  | UC, PIP    | Alpha | caseworker | 2026-03-03 09:00 | 2026-03-06 09:00 |
| c2   | 2026-03-03 12:00  | UC         | Alpha | caseworker | 2026-03-05 12:00 | -               |
| c3   | 2026-03-10 10:00  | Disrepair  | Beta  | manager    | -                | -               |
| c4   | 2026-03-11 10:00  | PIP        | Alpha | -          | 2026-03-30 10:00 | -               |
| c5   | 2026-03-12 10:00  | -          | -     | -          | -                | 2026-03-13 10:00 |
| c6   | 2026-03-13 10:00  | UC         | Gamma | caseworker | 2026-03-13 16:00 | 2026-03-14 10:00 |
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework import services as casework
from casework.models import Case, Tag
from constituents.models import Ward
from reports import figures
from reports.periods import Period
from tests.factories import ConstituentFactory

LONDON = ZoneInfo("Europe/London")
PERIOD = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 15))
TODAY = dt.date(2026, 4, 15)


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """The Redis database is shared with other test runs whose office ids may equal ours."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"t{uuid.uuid4().hex[:12]}"}}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@dataclass
class World:
    office: object
    manager: object
    caseworker: object
    tags: dict[str, Tag]
    wards: dict[str, Ward]
    cases: dict[str, Case]

    def scope(self, period: Period = PERIOD, **kwargs) -> figures.Scope:
        return figures.scope_for(self.office, period, today=kwargs.pop("today", TODAY), **kwargs)


def make_vocabulary(office, actor) -> dict[str, Tag]:
    benefits = casework.category_create(office=office, actor=actor, name="Benefits")
    housing = casework.category_create(office=office, actor=actor, name="Housing")
    return {
        "UC": casework.tag_create(office=office, actor=actor, name="Universal Credit", category=benefits),
        "PIP": casework.tag_create(office=office, actor=actor, name="PIP", category=benefits),
        "Disrepair": casework.tag_create(office=office, actor=actor, name="Disrepair", category=housing),
    }


def open_case(office, opened_by, when, *, ward=None, tags=(), assignee=None, summary="A case"):
    person = ConstituentFactory(office=office, ward=ward)
    with time_machine.travel(when, tick=False):
        return casework.case_open(
            office=office, constituent=person, opened_by=opened_by, summary=summary, tags=tags, assignee=assignee
        )


def close_case(case, actor, when):
    with time_machine.travel(when, tick=False):
        casework.case_close(case=case, actor=actor, reason="resolved")


@pytest.fixture
def world(office, manager, caseworker) -> World:
    tags = make_vocabulary(office, manager)
    wards = {
        name: Ward.objects.create(office=office, code=code, name=name)
        for code, name in (("E05000001", "Alpha"), ("E05000002", "Beta"), ("E05000003", "Gamma"))
    }
    uc, pip, disrepair = tags["UC"], tags["PIP"], tags["Disrepair"]
    alpha, beta, gamma = wards["Alpha"], wards["Beta"], wards["Gamma"]
    cases = {}
    cases["ly1"] = open_case(office, manager, at("2025-03-05 10:00"), ward=alpha, tags=[uc])
    close_case(cases["ly1"], manager, at("2025-03-20 10:00"))
    cases["c0b"] = open_case(office, manager, at("2026-02-18 10:00"), ward=beta, tags=[disrepair], assignee=manager)
    close_case(cases["c0b"], manager, at("2026-03-04 10:00"))
    cases["c0"] = open_case(office, manager, at("2026-02-20 10:00"), ward=alpha, tags=[uc])
    cases["c1"] = open_case(office, manager, at("2026-03-02 09:00"), ward=alpha, tags=[uc, pip], assignee=caseworker)
    casework.case_record_response(case=cases["c1"], at=at("2026-03-03 09:00"))
    close_case(cases["c1"], caseworker, at("2026-03-06 09:00"))
    cases["c2"] = open_case(office, manager, at("2026-03-03 12:00"), ward=alpha, tags=[uc], assignee=caseworker)
    casework.case_record_response(case=cases["c2"], at=at("2026-03-05 12:00"))
    cases["c3"] = open_case(office, manager, at("2026-03-10 10:00"), ward=beta, tags=[disrepair], assignee=manager)
    cases["c4"] = open_case(office, manager, at("2026-03-11 10:00"), ward=alpha, tags=[pip])
    casework.case_record_response(case=cases["c4"], at=at("2026-03-30 10:00"))
    cases["c5"] = open_case(office, manager, at("2026-03-12 10:00"))
    close_case(cases["c5"], manager, at("2026-03-13 10:00"))
    cases["c6"] = open_case(office, manager, at("2026-03-13 10:00"), ward=gamma, tags=[uc], assignee=caseworker)
    casework.case_record_response(case=cases["c6"], at=at("2026-03-13 16:00"))
    close_case(cases["c6"], caseworker, at("2026-03-14 10:00"))
    return World(office, manager, caseworker, tags, wards, cases)
