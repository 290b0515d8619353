"""Demo constituents, wards, representatives and local bodies for ``manage.py seed_demo``.

Fake people from Faker (en_GB, fixed seed) at fictional postcodes (the NT and EY areas do
not exist), with emails at example.com and numbers from Ofcom's ranges reserved for drama,
so no real person can be reached. Two obvious duplicate pairs feed the manager's review list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from constituents import services
from constituents.models import Authority, Constituent, Organisation, PostcodeWard, Relationship, Ward
from security.models import Office
from security.roles import Role

SEED = 2026
WARDS = [
    ("E05999001", "Northtown Central", ["NT1 1AB", "NT1 2BD", "NT1 3DE"], True),
    ("E05999002", "Northtown Riverside", ["NT2 4EF", "NT2 5FG", "NT2 6GH"], True),
    ("E05999003", "Eastley Park", ["EY1 1HJ", "EY1 2JL"], True),
    ("E05999004", "Eastley Green", ["EY2 3LN", "EY2 4NP"], True),
    ("E05999005", "Westbury North", ["NT9 9XY"], False),  # over the boundary
]
# Ofcom's drama ranges: 0113 496 0xxx (Leeds), 0161 496 0xxx (Manchester), 020 7946 0xxx (London).
PHONE_PREFIXES = ["0113 496 0", "0161 496 0", "020 7946 0"]
LOCAL_BODIES = [
    {
        "name": "Northtown Borough Council",
        "kind": "council",
        "email": "mp.enquiries@northtown-council.example",
        "postal_address": "Town Hall\nMarket Square\nNorthtown\nNT1 1AB",
        "website": "https://northtown-council.example/report-it",
        "required_identifiers": ["Council tax account number", "Housing register number"],
        "reply_target": 10,
        "notes": "Member enquiries team; housing and council tax are the usual subjects.",
    },
    {
        "name": "Eastley Homes",
        "kind": "housing",
        "email": "mp.casework@eastley-homes.example",
        "website": "https://eastley-homes.example/repairs",
        "required_identifiers": ["Tenancy reference", "Repair job number"],
        "reply_target": 15,
    },
    {
        "name": "Northshire Police",
        "kind": "police",
        "required_identifiers": ["Crime reference number"],
        "notes": "Operational decisions are for the Chief Constable; the MP can ask about progress.",
    },
]


def seed_demo(office: Office, people: dict[str, Any]) -> None:
    """Idempotent: an office that already has constituents is left alone."""
    if Constituent.objects.for_office(office).exists():
        return
    with transaction.atomic():
        _seed(office, people.get(Role.CASEWORKER))


def _seed(office: Office, actor: Any) -> None:
    # Faker is a development dependency (the demo runs from `make run`, which installs it);
    # importing it here keeps production start-up free of it.
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    postcodes = _wards(office)
    known = set(Organisation.objects.for_office(office).values_list("name", flat=True))
    for body in LOCAL_BODIES:
        if body["name"] not in known:
            services.organisation_create(office=office, actor=actor, **body)
    created = [_person(office, actor, fake, postcodes[i % len(postcodes)], i) for i in range(36)]
    _duplicates(office, actor)
    _representatives(actor, created)


def _wards(office: Office) -> list[str]:
    postcodes = []
    for code, name, ward_postcodes, inside in WARDS:
        ward, _ = Ward.unscoped.get_or_create(office=office, code=code, defaults={"name": name})
        for postcode in ward_postcodes:
            PostcodeWard.unscoped.update_or_create(
                office=office, postcode=postcode, defaults={"ward": ward, "in_constituency": inside}
            )
            postcodes.append(postcode)
    return postcodes


def _phone(index: int) -> str:
    return f"{PHONE_PREFIXES[index % len(PHONE_PREFIXES)]}{100 + index:03d}"


def _person(office: Office, actor: Any, fake: Any, postcode: str, index: int) -> Constituent:
    if index % 2:
        first, title = fake.first_name_female(), fake.random_element(["", "", "Ms", "Mrs", "Miss", "Dr"])
    else:
        first, title = fake.first_name_male(), fake.random_element(["", "", "Mr", "Dr"])
    last = fake.last_name()
    return services.constituent_create(
        office=office,
        actor=actor,
        title=title,
        first_name=first,
        last_name=last,
        address_line1=fake.street_address().replace("\n", ", "),
        town="Eastley" if postcode.startswith("EY") else "Northtown",
        postcode=postcode,
        date_of_birth=fake.date_of_birth(minimum_age=18, maximum_age=90) if index % 3 else None,
        email=f"{first}.{last}{index}@example.com".lower().replace("'", "").replace(" ", ""),
        phone=_phone(index) if index % 4 else "",
        phone_label="home" if index % 4 else "",
        preferred_contact="letter" if index % 7 == 0 else "email",
        consents_to_updates=index % 5 == 0,
    )


def _duplicates(office: Office, actor: Any) -> None:
    """Two pairs a manager should merge: a shared email, and a near-identical name at one address."""
    shared = {"email": "jon.smyth@example.com", "town": "Northtown"}
    services.constituent_create(
        office=office, actor=actor, first_name="Jon", last_name="Smyth", postcode="NT1 2BD", **shared
    )
    services.constituent_create(
        office=office,
        actor=actor,
        first_name="Jonathan",
        last_name="Smyth",
        postcode="NT2 4EF",
        phone="0113 496 0999",
        **shared,
    )
    for first, email in (("Sarah", "sarah.ahmed@example.com"), ("Sara", "s.ahmed.home@example.com")):
        services.constituent_create(
            office=office,
            actor=actor,
            first_name=first,
            last_name="Ahmed",
            address_line1="14 Mill Lane",
            town="Eastley",
            postcode="EY1 1HJ",
            email=email,
        )


def _representatives(actor: Any, people: list[Constituent]) -> None:
    recorded = dt.datetime(2026, 1, 12, 10, 30, tzinfo=dt.UTC)
    services.representative_create(
        constituent=people[0],
        actor=actor,
        name="Helen Carter",
        relationship=Relationship.RELATIVE,
        email="helen.carter@example.com",
        authority=Authority.POWER_OF_ATTORNEY,
        authority_recorded_at=recorded,
        authority_notes="Copy of the registered LPA scanned to the case file.",
    )
    services.representative_create(
        constituent=people[5],
        actor=actor,
        name="Priya Shah",
        relationship=Relationship.SOLICITOR,
        organisation_name="Shah & Co Solicitors",
        phone="020 7946 0555",
        authority=Authority.WRITTEN_CONSENT,
        authority_recorded_at=recorded,
    )
    services.representative_create(
        constituent=people[9],
        actor=actor,
        name="Tom Okafor",
        relationship=Relationship.ADVOCATE,
        organisation_name="Northtown Citizens Advice",
        authority=Authority.VERBAL_CONSENT,
    )
