import pytest

from casework import services
from casework.models import Tag
from tests.factories import ConstituentFactory


@pytest.fixture
def vocabulary(office):
    services.office_initialise(office)
    return {tag.name: tag for tag in Tag.objects.for_office(office)}


@pytest.fixture
def constituent(office):
    return ConstituentFactory(office=office, first_name="Jane", last_name="Smith")


@pytest.fixture
def case(office, constituent, caseworker, vocabulary):
    return services.case_open(
        office=office,
        constituent=constituent,
        opened_by=caseworker,
        summary="Universal Credit sanction",
        tags=[vocabulary["Universal Credit"]],
    )
