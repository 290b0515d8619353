import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from security.models import Invitation, Office
from security.roles import Role
from tests.conftest import verified_client
from tests.factories import MembershipFactory, OfficeFactory


def test_a_person_in_two_offices_chooses_one_per_session(caseworker, other_office):
    MembershipFactory(user=caseworker, office=other_office, role=Role.VOLUNTEER)
    client = verified_client(caseworker)
    assert client.get("/?overview")["Location"] == "/office"
    assert "Office B" in client.get("/office").content.decode()
    client.post("/office", {"office": other_office.pk})
    home = client.get("/?overview")
    assert home.context["current_office"] == other_office
    assert "Switch office" in home.content.decode()


def test_one_office_needs_no_choice_and_shows_no_switcher(caseworker_client, office):
    home = caseworker_client.get("/?overview")
    assert home.context["current_office"] == office
    assert "Switch office" not in home.content.decode()


def test_choosing_an_office_one_is_not_in_is_refused(caseworker, other_office):
    MembershipFactory(user=caseworker, office=OfficeFactory(name="Office C"), role=Role.CASEWORKER)
    client = verified_client(caseworker)
    response = client.post("/office", {"office": other_office.pk}, follow=True)
    assert "Choose one of your offices." in response.content.decode()
    assert client.session.get("office_id") is None


def test_a_user_with_no_membership_sees_a_clear_page(user_without_membership):
    client = verified_client(user_without_membership)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert "not a member of any office" in response.content.decode()


def test_a_platform_admin_sees_no_casework(user_without_membership):
    user_without_membership.is_platform_admin = True
    user_without_membership.save()
    response = verified_client(user_without_membership).get("/", follow=True)
    assert "see no casework" in response.content.decode()


def test_create_office_bootstraps_an_office_and_invites_its_manager(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_office",
            "--name",
            "Office of Sam MP",
            "--constituency",
            "Westfield",
            "--slug",
            "westfield",
            "--mp-name",
            "Sam MP",
            "--manager-email",
            "boss@westfield.example",
        )
    office = Office.objects.get(slug="westfield")
    assert Invitation.objects.for_office(office).get().role == Role.MANAGER
    assert mail.outbox[0].to == ["boss@westfield.example"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "has spaces", "--manager-email", "a@b.org"], "slug"),
        (["--slug", "ok", "--manager-email", "not-an-email"], "email"),
    ],
)
def test_create_office_refuses_bad_input_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_office", "--name", "N", "--constituency", "C", "--mp-name", "M", *args)
