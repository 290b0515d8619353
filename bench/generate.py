"""The "office-10y" data set: ten years of one busy MP office, plus a small second office.

At scale 1.0: 100,000 constituents (1-2 emails, 0-2 phones, ~5% with someone acting for them),
30,000 cases opened over ten years (mostly closed, some restricted, 1-3 tags each, assignees
among 8 staff) and 300,000 timeline entries. A second office gets ~2% of that, drawn from the
same names and postcodes, so a scoping mistake would show up in results.

``generate_office_10y`` writes into the current database (migrated already; the pytest smoke
test uses it on the test database). ``generate_fresh_database`` is the wrapper ``make bench``
uses: it drops, creates and migrates a dedicated database first, then VACUUMs and records the
scale on the database so a later ``--skip-generate`` run knows what it measures.

Rows go in with ``bulk_create`` in batches and the search vectors are built set-based
afterwards: per-row services would take hours at this size and are not what is measured.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import accumulate, islice
from typing import Any, Generic, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import corpus
from casework import search_index as case_index
from casework.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CloseReason,
    EventKind,
    Priority,
    ReferenceCounter,
    Tag,
    TaggedCase,
)
from constituents import search_index as people_index
from constituents.models import (
    Authority,
    Constituent,
    ConstituentEmail,
    ConstituentPhone,
    InConstituency,
    PostcodeWard,
    Relationship,
    Representative,
    Ward,
)
from security import office_setup
from security.models import Membership, Office, User
from security.roles import Role

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

BATCH = 5_000
VECTOR_CHUNK = 20_000
DEFAULT_SEED = 2026
YEARS = 10

OFFICE_SLUG = "bench-office-10y"
OTHER_OFFICE_SLUG = "bench-office-other"
CASEWORKER_EMAIL = "caseworker@bench.example"
MANAGER_EMAIL = "manager@bench.example"
# Everyone's password and TOTP secret (RFC 6238's test key), so a person can sign in to the bench
# database with `runserver` to look around. Never used outside the bench database.
STAFF_PASSWORD = "bench password 10y"  # noqa: S105
TOTP_KEY = "3132333435363738393031323334353637383930"

# --- Scale -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    constituents: int
    cases: int
    events: int

    @classmethod
    def at(cls, scale: float, share: float = 1.0) -> Counts:
        """Scale 1.0 is the full office-10y; every count is at least 1 so tiny scales still work."""

        def n(full: int) -> int:
            return max(1, round(full * scale * share))

        return cls(constituents=n(100_000), cases=n(30_000), events=n(300_000))


OTHER_OFFICE_SHARE = 0.02


@dataclass
class GenerationReport:
    scale: float
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return round(sum(self.seconds.values()), 2)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"total_seconds": self.total_seconds}


@contextmanager
def _phase(report: GenerationReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    report.seconds[name] = round(report.seconds.get(name, 0.0) + time.perf_counter() - started, 2)


# --- Helpers -----------------------------------------------------------------------------------


def _batches(rows: Iterable[M], size: int = BATCH) -> Iterator[list[M]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert(model: type[M], rows: Iterable[M]) -> list[M]:
    """bulk_create in batches; returns the rows with their primary keys (PostgreSQL RETURNING)."""
    created: list[M] = []
    for batch in _batches(rows):
        created.extend(model.unscoped.bulk_create(batch))  # type: ignore[attr-defined]
    return created


def _insert_count(model: type[M], rows: Iterable[M]) -> int:
    """bulk_create in batches without keeping the rows (for the big tables nobody refers back to)."""
    total = 0
    for batch in _batches(rows):
        model.unscoped.bulk_create(batch)  # type: ignore[attr-defined]
        total += len(batch)
    return total


def _rng(seed: int, part: str) -> random.Random:
    # One generator per part, so changing how one table is drawn does not reshuffle the others.
    return random.Random(f"{seed}:{part}")


class Draw(Generic[T]):
    """Skewed choice, as in life: a few surnames, tags and postcodes are far more common than the rest."""

    def __init__(self, values: Sequence[T], exponent: float = 0.9) -> None:
        self.values = list(values)
        # Cumulative weights once, rather than normalising them on every draw.
        self.cumulative = list(accumulate(1 / (rank + 3) ** exponent for rank in range(len(self.values))))

    def one(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]

    def some(self, rng: random.Random, k: int) -> list[T]:
        """Up to ``k`` distinct values."""
        return list(dict.fromkeys(rng.choices(self.values, cum_weights=self.cumulative, k=k)))


def _moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A random moment between ``start`` and ``end`` (``end`` if the span is empty)."""
    if end <= start:
        return end
    return start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


# --- Offices and staff -------------------------------------------------------------------------


@dataclass
class OfficeData:
    office: Office
    staff: list[User]
    assignees: list[User]
    tags: Draw[Tag]
    wards: dict[str, Ward]
    postcode_ward: dict[str, Ward]


def _create_office(slug: str, name: str, constituency: str) -> Office:
    office = Office.objects.create(
        slug=slug, name=name, constituency=constituency, mp_name=f"MP for {constituency}", letterhead_address=""
    )
    # The same initialisers as office_create: casework's office_initialise installs the vocabulary.
    office_setup.initialise(office)
    return office


def _create_staff(office: Office, people: list[tuple[str, str, str]]) -> list[User]:
    """Users with one membership each and a confirmed TOTP device; ``people`` is (email, name, role)."""
    password = make_password(STAFF_PASSWORD)  # hashed once: PBKDF2 per user would cost seconds
    users = User.objects.bulk_create(
        [User(email=email, full_name=name, password=password) for email, name, _ in people]
    )
    Membership.objects.bulk_create(
        Membership(user=user, office=office, role=role) for user, (_, _, role) in zip(users, people, strict=True)
    )
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="Authenticator app", confirmed=True, key=TOTP_KEY) for user in users
    )
    return users


def _staff_list(domain: str, caseworkers: int, rng: random.Random) -> list[tuple[str, str, str]]:
    def name() -> str:
        return f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.LAST_NAMES)}"

    people = [
        (f"manager@{domain}", name(), Role.MANAGER),
        (f"mp@{domain}", name(), Role.MP),
        (f"volunteer@{domain}", name(), Role.VOLUNTEER),
    ]
    people += [(f"caseworker{'' if i == 0 else i}@{domain}", name(), Role.CASEWORKER) for i in range(caseworkers)]
    return people


def _create_wards(office: Office, postcodes: list[str], rng: random.Random) -> dict[str, Ward]:
    wards = _insert(Ward, (Ward(office=office, code=code, name=name) for code, name in corpus.WARDS))
    # Neighbouring postcodes share a ward: map by outward code, the way real wards cluster.
    by_outward = {outward: rng.choice(wards) for outward in corpus.OUTWARD_CODES}
    postcode_ward = {postcode: by_outward[postcode.split()[0]] for postcode in postcodes}
    _insert(
        PostcodeWard,
        (PostcodeWard(office=office, postcode=pc, ward=ward) for pc, ward in postcode_ward.items()),
    )
    return postcode_ward


def _office_data(office: Office, staff: list[User], postcode_ward: dict[str, Ward]) -> OfficeData:
    roles = dict(Membership.objects.filter(office=office).values_list("user_id", "role"))
    assignees = [u for u in staff if roles[u.pk] in (Role.CASEWORKER, Role.MANAGER)]
    tags = Draw(Tag.objects.for_office(office).filter(is_active=True).order_by("pk"), exponent=0.8)
    wards = {ward.code: ward for ward in postcode_ward.values()}
    return OfficeData(office, staff, assignees, tags, wards, postcode_ward)


# --- Constituents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """What the case generator needs of a constituent, without keeping 100k model instances."""

    pk: int
    ward_code: str
    ward_name: str


def _ascii(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _constituent(data: OfficeData, rng: random.Random, postcodes: Draw[str], now: dt.datetime) -> Constituent:
    postcode = postcodes.one(rng)
    born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 75))
    return Constituent(
        office=data.office,
        title=rng.choice(corpus.TITLES),
        first_name=rng.choice(corpus.FIRST_NAMES),
        last_name=_SURNAMES.one(rng),
        address_line1=f"{rng.randint(1, 240)} {rng.choice(corpus.STREETS)}",
        town=rng.choice(corpus.TOWNS),
        postcode=postcode,
        ward=data.postcode_ward[postcode],
        in_constituency=InConstituency.YES if rng.random() < 0.95 else InConstituency.UNKNOWN,
        date_of_birth=born if rng.random() < 0.6 else None,
        consents_to_updates=rng.random() < 0.3,
        created_at=now - dt.timedelta(days=rng.uniform(0, 365 * YEARS)),
    )


_SURNAMES = Draw(corpus.LAST_NAMES)


def _contacts(person: Constituent, rng: random.Random, number: int) -> tuple[list[Any], list[Any]]:
    """1-2 emails and 0-2 phones, preferred first; ``number`` keeps addresses distinct."""
    local = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}{number}"
    domains = rng.sample(corpus.EMAIL_DOMAINS, 2 if rng.random() < 0.3 else 1)
    emails = [
        ConstituentEmail(office_id=person.office_id, constituent=person, email=f"{local}@{d}", is_preferred=i == 0)
        for i, d in enumerate(domains)
    ]
    phone_count = rng.choices((0, 1, 2), weights=(25, 50, 25))[0]
    numbers = {_phone(rng, mobile=i == 0) for i in range(phone_count)}
    phones = [
        ConstituentPhone(
            office_id=person.office_id,
            constituent=person,
            number=num,
            label="mobile" if num.startswith("+447") else "home",
            is_preferred=i == 0,
        )
        for i, num in enumerate(sorted(numbers))
    ]
    return emails, phones


def _phone(rng: random.Random, *, mobile: bool) -> str:
    if mobile:
        return f"+447{rng.choice('4579')}{rng.randint(0, 99_999_999):08d}"
    return f"+44113{rng.choice('234')}{rng.randint(0, 999_999):06d}"


def _representative(person: Constituent, rng: random.Random, now: dt.datetime) -> Representative:
    relationship = rng.choice(Relationship.values)
    name = f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.LAST_NAMES)}"
    organisation = {"advocate": "Leeds Advocacy Service", "solicitor": "Harper & Lane Solicitors"}.get(relationship, "")
    return Representative(
        office_id=person.office_id,
        constituent=person,
        name=name,
        relationship=relationship,
        organisation_name=organisation,
        email=f"{_ascii(name)}@{rng.choice(corpus.EMAIL_DOMAINS)}" if rng.random() < 0.7 else "",
        phone=_phone(rng, mobile=True) if rng.random() < 0.6 else "",
        authority=rng.choice(Authority.values),
        authority_recorded_at=now - dt.timedelta(days=rng.randint(0, 365 * YEARS)),
    )


def generate_constituents(data: OfficeData, count: int, seed: int, now: dt.datetime) -> list[Person]:
    rng = _rng(seed, f"constituents:{data.office.slug}")
    postcodes = Draw(sorted(data.postcode_ward), exponent=0.3)
    people: list[Person] = []
    for batch in _batches((_constituent(data, rng, postcodes, now) for _ in range(count)), BATCH):
        created = Constituent.unscoped.bulk_create(batch)
        emails: list[ConstituentEmail] = []
        phones: list[ConstituentPhone] = []
        reps: list[Representative] = []
        for person in created:
            mail, tel = _contacts(person, rng, len(people))
            emails += mail
            phones += tel
            if rng.random() < 0.05:
                reps.append(_representative(person, rng, now))
            people.append(Person(person.pk, person.ward.code, person.ward.name))
        ConstituentEmail.unscoped.bulk_create(emails, batch_size=BATCH)
        ConstituentPhone.unscoped.bulk_create(phones, batch_size=BATCH)
        Representative.unscoped.bulk_create(reps, batch_size=BATCH)
    return people


# --- Cases -------------------------------------------------------------------------------------


@dataclass
class CasePlan:
    """One case's life: when it opened, who had it, where it stands, and its timeline."""

    opened_at: dt.datetime
    person: Person
    tags: list[Tag]
    status: str
    assignee: User | None
    opened_by: User
    closed_at: dt.datetime | None = None
    close_reason: str = ""
    paused_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None


# Statuses by how long ago the case opened (under 30 days, 30-180, older): most old cases are closed.
_STATUS_MIX = [
    (30, [(CaseStatus.NEW, 25), (CaseStatus.OPEN, 35), (CaseStatus.AWAITING_THIRD_PARTY, 20),
          (CaseStatus.AWAITING_CONSTITUENT, 10), (CaseStatus.CLOSED, 10)]),
    (180, [(CaseStatus.OPEN, 12), (CaseStatus.AWAITING_THIRD_PARTY, 20), (CaseStatus.AWAITING_CONSTITUENT, 8),
           (CaseStatus.CLOSED, 60)]),
    (10**6, [(CaseStatus.OPEN, 1), (CaseStatus.AWAITING_THIRD_PARTY, 1.5), (CaseStatus.AWAITING_CONSTITUENT, 0.5),
             (CaseStatus.CLOSED, 97)]),
]  # fmt: skip
_PRIORITIES = [(Priority.NORMAL, 75), (Priority.HIGH, 12), (Priority.LOW, 8), (Priority.URGENT, 5)]
_CLOSE_REASONS = [
    (CloseReason.RESOLVED, 60),
    (CloseReason.UNRESOLVED, 15),
    (CloseReason.WITHDRAWN, 10),
    (CloseReason.REFERRED, 10),
    (CloseReason.NOT_CONSTITUENT, 5),
]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _plan_case(data: OfficeData, people: list[Person], rng: random.Random, now: dt.datetime) -> CasePlan:
    opened_at = now - dt.timedelta(days=rng.uniform(0, 365 * YEARS))
    age_days = (now - opened_at).days
    mix = next(weights for limit, weights in _STATUS_MIX if age_days < limit)
    status = _pick(rng, mix)
    tag_count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    tags = data.tags.some(rng, tag_count)
    plan = CasePlan(
        opened_at=opened_at,
        person=rng.choice(people),
        tags=tags,
        status=status,
        assignee=None if status == CaseStatus.NEW else rng.choice(data.assignees),
        opened_by=rng.choice(data.staff),
    )
    if status == CaseStatus.CLOSED:
        plan.closed_at = min(now, opened_at + dt.timedelta(days=rng.expovariate(1 / 45) + 2))
        plan.close_reason = _pick(rng, _CLOSE_REASONS)
    if status != CaseStatus.NEW and rng.random() < 0.9:
        plan.first_response_at = opened_at + dt.timedelta(days=rng.uniform(0.2, 8))
    if status == CaseStatus.AWAITING_THIRD_PARTY:
        plan.paused_at = opened_at + dt.timedelta(days=rng.uniform(1, 10))
    return plan


def _case(data: OfficeData, plan: CasePlan, reference: str, rng: random.Random) -> Case:
    # ~10 working days is two calendar weeks; the exact holiday calendar does not matter here.
    due = (plan.opened_at + dt.timedelta(days=14)).date()
    return Case(
        office=data.office,
        reference=reference,
        constituent_id=plan.person.pk,
        summary=corpus.summary_for(plan.tags[0].name, rng),
        description=corpus.description_text(rng),
        status=plan.status,
        close_reason=plan.close_reason,
        priority=_pick(rng, _PRIORITIES),
        assignee=plan.assignee,
        opened_by=plan.opened_by,
        opened_at=plan.opened_at,
        created_at=plan.opened_at,
        closed_at=plan.closed_at,
        restricted=rng.random() < 0.02,
        ward_code=plan.person.ward_code,
        ward_name=plan.person.ward_name,
        response_due_on=due,
        response_paused_at=plan.paused_at,
        first_response_at=plan.first_response_at,
    )


def _references(plans: list[CasePlan]) -> tuple[list[str], dict[int, int]]:
    """'YYYY/NNNN' numbered per year in opening order, and the last number used each year."""
    counters: Counter[int] = Counter()
    references = []
    for plan in plans:
        year = timezone.localtime(plan.opened_at).year
        counters[year] += 1
        references.append(f"{year}/{counters[year]:04d}")
    return references, dict(counters)


def generate_cases(
    data: OfficeData, people: list[Person], count: int, seed: int, now: dt.datetime
) -> list[tuple[int, CasePlan]]:
    rng = _rng(seed, f"cases:{data.office.slug}")
    plans = sorted((_plan_case(data, people, rng, now) for _ in range(count)), key=lambda p: p.opened_at)
    references, last_numbers = _references(plans)
    cases = _insert(Case, (_case(data, plan, ref, rng) for plan, ref in zip(plans, references, strict=True)))
    ReferenceCounter.unscoped.bulk_create(
        ReferenceCounter(office=data.office, year=year, last_number=n) for year, n in sorted(last_numbers.items())
    )
    TaggedCase.objects.bulk_create(
        (TaggedCase(content_object_id=case.pk, tag=tag) for case, plan in zip(cases, plans, strict=True)
         for tag in plan.tags),
        batch_size=BATCH,
    )  # fmt: skip
    return [(case.pk, plan) for case, plan in zip(cases, plans, strict=True)]


# --- Timeline ----------------------------------------------------------------------------------


def _structural_events(
    case_id: int, plan: CasePlan, office: Office, rng: random.Random, now: dt.datetime
) -> list[CaseEvent]:
    """Opened, assigned and status changes: what the services would have written."""

    def event(kind: str, at: dt.datetime, actor: User | None, **data: Any) -> CaseEvent:
        return CaseEvent(office=office, case_id=case_id, kind=kind, actor=actor, created_at=at, data=data)

    def status(at: dt.datetime, before: str, after: str) -> CaseEvent:
        # The same shape as casework.services.case_set_status writes.
        reason = plan.close_reason if after == CaseStatus.CLOSED else ""
        return event(EventKind.STATUS, at, plan.assignee, **{"from": before, "to": after, "reason": reason})

    opened = plan.opened_at
    events = [event(EventKind.OPENED, opened, plan.opened_by, tags=[t.name for t in plan.tags])]
    if plan.assignee is not None:
        at = opened + dt.timedelta(hours=6)
        events += [event(EventKind.ASSIGNED, at, plan.opened_by, to=plan.assignee.full_name), status(at, "new", "open")]
    if plan.closed_at is not None:
        waited = opened + (plan.closed_at - opened) / 3
        events += [
            status(waited, "open", "awaiting_third_party"),
            status(plan.closed_at, "awaiting_third_party", "closed"),
        ]
    elif plan.paused_at is not None:
        events.append(status(plan.paused_at, "open", plan.status))
    elif plan.status == CaseStatus.AWAITING_CONSTITUENT:
        events.append(status(_moment(rng, opened + dt.timedelta(days=1), now), "open", plan.status))
    return events


def _note_counts(plans: list[tuple[int, CasePlan]], notes: int, rng: random.Random) -> Counter[int]:
    """Spread ``notes`` over cases, more on long-running ones (a closed case has its whole life)."""
    weights = [1.0 + ((p.closed_at or p.opened_at) - p.opened_at).days / 30 for _, p in plans]
    return Counter(rng.choices([pk for pk, _ in plans], weights=weights, k=max(0, notes)))


def _with_notes(
    case_id: int,
    plan: CasePlan,
    events: list[CaseEvent],
    notes: int,
    data: OfficeData,
    rng: random.Random,
    end: dt.datetime,
) -> list[CaseEvent]:
    end = plan.closed_at or end
    actors = [plan.assignee] if plan.assignee else data.assignees
    for _ in range(notes):
        events.append(
            CaseEvent(
                office=data.office,
                case_id=case_id,
                kind=EventKind.NOTE,
                actor=rng.choice(actors),
                created_at=_moment(rng, plan.opened_at, end),
                note=corpus.note_text(rng),
            )
        )
    return events


def generate_events(
    data: OfficeData, plans: list[tuple[int, CasePlan]], count: int, seed: int, now: dt.datetime
) -> int:
    """Structural events for each case, then notes until the timeline holds ``count`` entries."""
    rng = _rng(seed, f"events:{data.office.slug}")
    structural = {pk: _structural_events(pk, plan, data.office, rng, now) for pk, plan in plans}
    notes = _note_counts(plans, count - sum(len(e) for e in structural.values()), rng)
    rows = (
        event for pk, plan in plans for event in _with_notes(pk, plan, structural.pop(pk), notes[pk], data, rng, now)
    )
    return _insert_count(CaseEvent, rows)


# --- Search vectors ----------------------------------------------------------------------------


def _refresh_by_pk_range(queryset: models.QuerySet[Any], refresh: Callable[[models.QuerySet[Any]], None]) -> None:
    """One set-based UPDATE per pk range: a single 100k-row UPDATE holds too much in one statement."""
    bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, VECTOR_CHUNK):
        refresh(queryset.filter(pk__gte=start, pk__lt=start + VECTOR_CHUNK))


def build_search_vectors(offices: list[Office]) -> None:
    _refresh_by_pk_range(Constituent.unscoped.filter(office__in=offices), people_index.refresh_constituents)
    _refresh_by_pk_range(Representative.unscoped.filter(office__in=offices), people_index.refresh_representatives)
    _refresh_by_pk_range(Case.unscoped.filter(office__in=offices), case_index.refresh_cases)


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have after ten years."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- The whole data set ------------------------------------------------------------------------


def _populate(data: OfficeData, counts: Counts, seed: int, now: dt.datetime, report: GenerationReport) -> None:
    with _phase(report, "constituents"):
        people = generate_constituents(data, counts.constituents, seed, now)
    with _phase(report, "cases"):
        plans = generate_cases(data, people, counts.cases, seed, now)
    with _phase(report, "timeline"):
        generate_events(data, plans, counts.events, seed, now)


@dataclass(frozen=True)
class OfficeSpec:
    slug: str
    name: str
    domain: str
    caseworkers: int


MAIN_OFFICE = OfficeSpec(OFFICE_SLUG, "Bench office (10 years)", "bench.example", caseworkers=7)
OTHER_OFFICE = OfficeSpec(OTHER_OFFICE_SLUG, "Bench office (other)", "other.bench.example", caseworkers=2)


def _setup_office(spec: OfficeSpec, counts: Counts, seed: int) -> OfficeData:
    rng = _rng(seed, f"office:{spec.slug}")
    office = _create_office(spec.slug, spec.name, "Leeds North West")
    staff = _create_staff(office, _staff_list(spec.domain, spec.caseworkers, rng))
    # ~15 households per postcode, as in a real constituency.
    postcodes = corpus.postcode_pool(rng, max(1, counts.constituents // 15))
    return _office_data(office, staff, _create_wards(office, postcodes, rng))


def count_rows(office: Office, prefix: str = "") -> dict[str, int]:
    """What an office holds, counted in the database rather than trusted from the generator."""
    cases = Case.unscoped.filter(office=office)
    counts = {
        "constituents": Constituent.unscoped.filter(office=office).count(),
        "emails": ConstituentEmail.unscoped.filter(office=office).count(),
        "phones": ConstituentPhone.unscoped.filter(office=office).count(),
        "representatives": Representative.unscoped.filter(office=office).count(),
        "cases": cases.count(),
        "cases not closed": cases.exclude(status=CaseStatus.CLOSED).count(),
        "restricted cases": cases.filter(restricted=True).count(),
        "case tags": TaggedCase.objects.filter(content_object__office=office).count(),
        "events": CaseEvent.unscoped.filter(office=office).count(),
    }
    return {f"{prefix}{name}": n for name, n in counts.items()}


def generate_office_10y(scale: float, *, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> GenerationReport:
    """Write the office-10y data set into the current (migrated, without bench offices) database."""
    now = now or timezone.now()
    report = GenerationReport(scale=scale, seed=seed)
    main, other = Counts.at(scale), Counts.at(scale, OTHER_OFFICE_SHARE)
    with transaction.atomic():
        with _phase(report, "offices and staff"):
            office, second = _setup_office(MAIN_OFFICE, main, seed), _setup_office(OTHER_OFFICE, other, seed)
        _populate(office, main, seed, now, report)
        _populate(second, other, seed, now, report)
        with _phase(report, "search vectors"):
            build_search_vectors([office.office, second.office])
    with _phase(report, "analyze"):
        analyze()
    report.counts = count_rows(office.office) | count_rows(second.office, "other office: ")
    return report


# --- A dedicated database ----------------------------------------------------------------------


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database (never the one the app or the tests use)."""
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(database_url)
    name = config["NAME"]
    if not name.startswith("mpoffice_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: the bench database's name must start with mpoffice_bench.")
    admin = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def vacuum() -> None:
    """VACUUM after the vector UPDATEs left a dead copy of every row: production tables are not bloated so."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def record_generation(report: GenerationReport) -> None:
    """Keep the report on the database itself, so ``--skip-generate`` runs know what they measure."""
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [json.dumps(report.as_dict())])


def recorded_generation() -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        comment = cursor.fetchone()[0]
    try:
        return json.loads(comment) if comment else None
    except ValueError:
        return None


def generate_fresh_database(database_url: str, scale: float, *, seed: int = DEFAULT_SEED) -> GenerationReport:
    """Drop, create and migrate the bench database, generate into it, VACUUM, and record the scale."""
    report = GenerationReport(scale=scale, seed=seed)
    connection.close()  # the database is about to be dropped under any open connection
    with _phase(report, "create and migrate"):
        recreate_database(database_url)
        migrate()
    generated = generate_office_10y(scale, seed=seed)
    report.counts = generated.counts
    report.seconds |= generated.seconds
    with _phase(report, "vacuum"):
        vacuum()
    record_generation(report)
    return report
