"""Schemathesis over /api/schema/: whatever it sends with a valid token, no answer is a 5xx.

The app is called in-process through its WSGI handler, inside the test's transaction, against
PostgreSQL with real rows: constituents with contacts and representatives, open, closed and
restricted cases, tags and organisations. The schema's path ids and body ids are given those
rows' ids (as enums), so data that fits the schema reaches real rows, and data that does not
tries every other id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from casework import services as casework_services
from constituents import services as constituent_services
from correspondence import enquiries as enquiry_services
from correspondence.models import Message
from tests.api.conftest import bearer
from tests.factories import OrganisationFactory

APPLICATION = get_wsgi_application()


@contextmanager
def in_process_requests() -> Iterator[None]:
    """Requests through the WSGI handler share the test's connection and transaction.

    Django closes "old" connections when a request starts and finishes, which would end the
    test's transaction; its own test client disconnects the same handler for the same reason
    (and connects it again after each request: so no test client call may happen in here).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(office, manager, caseworker, make_token, vocabulary) -> dict[str, Any]:
    people = []
    for n in range(3):
        person = constituent_services.constituent_create(
            office=office,
            actor=manager,
            first_name=f"Fuzz{n}",
            last_name="Person",
            postcode="NT1 1AA",
            email=f"fuzz{n}@example.org",
            phone=f"07911 12345{n}",
        )
        constituent_services.representative_create(
            constituent=person, actor=manager, name=f"Helper {n}", relationship="carer"
        )
        people.append(person)
    tags = [vocabulary["Universal Credit"], vocabulary["Disrepair"]]
    case = casework_services.case_open(
        office=office, constituent=people[0], opened_by=manager, summary="Open case", assignee=caseworker, tags=tags
    )
    closed = casework_services.case_open(office=office, constituent=people[1], opened_by=manager, summary="Done")
    casework_services.case_close(case=closed, actor=manager, reason="resolved")
    casework_services.case_open(
        office=office, constituent=people[2], opened_by=manager, summary="Restricted", restricted=True
    )
    organisation = OrganisationFactory(office=office)
    messages = [
        Message.objects.create(office=office, direction="in", channel="email", subject="Fuzz message", case=filed_to)
        for filed_to in (None, case)
    ]
    enquiry = enquiry_services.enquiry_create(
        case=case,
        actor=manager,
        new=enquiry_services.NewEnquiry(
            organisation=organisation, question="Fuzz?", sent_via="email", sent_on=timezone.localdate()
        ),
    )
    _, secret = make_token("read", "write")
    return {
        "headers": {"Authorization": f"Bearer {secret}"},
        "ids": {
            "case_id": [case.pk, closed.pk],
            "case": [case.pk, closed.pk],
            "message_id": [message.pk for message in messages],
            "constituent_id": [person.pk for person in people],
            "organisation_id": [organisation.pk],
            "organisation": [organisation.pk],
            "enquiry_id": [enquiry.pk],
            "message": [message.pk for message in messages],
            "constituent": [person.pk for person in people],
            "assignee": [caseworker.pk, manager.pk],
            "tags": [tag.pk for tag in tags],
            "version": [1, 2, 3],
        },
    }


def _with_real_ids(raw: dict[str, Any], ids: dict[str, list[int]]) -> dict[str, Any]:
    """Pin ids in the schema to the real rows' (as an enum): data that fits the schema then
    reaches real cases and constituents, and data that does not still tries any other id."""
    for operations in raw["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in ids:
                    parameter["schema"]["enum"] = ids[parameter["name"]]
    for name, component in raw["components"]["schemas"].items():
        if name.endswith("Request"):
            for prop_name, prop in component.get("properties", {}).items():
                if prop_name not in ids:
                    continue
                if prop.get("type") == "array":
                    prop["items"]["enum"] = ids[prop_name]
                else:
                    prop["enum"] = ids[prop_name]
    return raw


@pytest.fixture
def api_schema(fuzz_world):
    raw = bearer(fuzz_world["headers"]["Authorization"].split()[1]).get("/api/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(_with_real_ids(raw, fuzz_world["ids"]))
    schema.app = APPLICATION
    return schema


def _operations() -> list[tuple[str, str]]:
    """Every operation of the schema, from the code (no database needed to collect the tests)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return [(method.upper(), path) for path, operations in generated["paths"].items() for method in operations]


FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,  # nothing written under the working tree
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_request_makes_a_server_error(api_schema, fuzz_world, method, path):
    operation = api_schema[path][method]
    headers = fuzz_world["headers"]

    # Data that fits the schema, then data that does not.
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        with in_process_requests():
            check()
