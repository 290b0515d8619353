"""API fixtures: tokens of office A (and B), bearer clients, and a case with a vocabulary."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework import services as casework_services
from casework.models import Tag
from security import services
from tests.factories import ConstituentFactory


def bearer(secret: str) -> APIClient:
    """A client sending ``Authorization: Bearer <secret>`` and JSON bodies."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def make_token(office, manager):
    """make_token(*scopes, office=...) -> (ApiToken, secret)."""

    def make(*scopes: str, office=office, actor=manager, name="Website form"):
        return services.api_token_create(office=office, actor=actor, name=name, scopes=list(scopes))

    return make


@pytest.fixture
def read_client(make_token) -> APIClient:
    return bearer(make_token("read")[1])


@pytest.fixture
def write_client(make_token) -> APIClient:
    return bearer(make_token("read", "write")[1])


@pytest.fixture
def vocabulary(office):
    casework_services.office_initialise(office)
    return {tag.name: tag for tag in Tag.objects.for_office(office)}


@pytest.fixture
def constituent(office):
    return ConstituentFactory(office=office, first_name="Jane", last_name="Smith")


@pytest.fixture
def case(office, constituent, caseworker, vocabulary):
    return casework_services.case_open(
        office=office,
        constituent=constituent,
        opened_by=caseworker,
        summary="Universal Credit sanction",
        tags=[vocabulary["Universal Credit"]],
    )


@pytest.fixture
def restricted_case(office, constituent, manager, vocabulary):
    return casework_services.case_open(
        office=office, constituent=constituent, opened_by=manager, summary="Domestic abuse referral", restricted=True
    )
