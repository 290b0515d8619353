import pytest
from django.http import Http404

from security.models import Notification
from security.scoping import CrossOfficeError, UnscopedQueryError, ensure_same_office, get_for_office_or_404
from security.services import notification_create


@pytest.fixture
def notes(office, other_office, caseworker, bob):
    return (
        notification_create(office=office, recipient=caseworker, kind="test", title="mine"),
        notification_create(office=other_office, recipient=bob, kind="test", title="theirs"),
    )


def test_an_unscoped_query_fails_loudly(notes):
    with pytest.raises(UnscopedQueryError, match="needs the office"):
        list(Notification.objects.all())
    with pytest.raises(UnscopedQueryError):
        Notification.objects.filter(title="mine")


def test_a_scoped_query_sees_only_its_office(notes, office):
    assert list(Notification.objects.for_office(office).values_list("title", flat=True)) == ["mine"]


def test_creating_needs_an_office(caseworker):
    with pytest.raises(UnscopedQueryError):
        Notification.objects.create(recipient=caseworker, kind="x", title="x")


def test_another_offices_row_is_a_404(notes, office):
    mine, theirs = notes
    assert get_for_office_or_404(Notification, office, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_for_office_or_404(Notification, office, pk=theirs.pk)
    with pytest.raises(Http404):
        get_for_office_or_404(Notification, office, pk="not-a-number")


def test_services_refuse_to_link_rows_of_two_offices(notes, office):
    mine, theirs = notes
    ensure_same_office(office, mine, None)
    with pytest.raises(CrossOfficeError):
        ensure_same_office(office, mine, theirs)
