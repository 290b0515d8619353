import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from security.models import Invitation, Membership, User
from security.roles import Role
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a long and unusual passphrase 42"


def _invite(manager_client, email="new.person@example.org", role="caseworker"):
    return manager_client.post("/staff", {"email": email, "role": role})


def _link_token(message) -> str:
    return re.search(r"/invitation/([\w-]+)", message.body).group(1)


@pytest.fixture
def invited(manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(manager_client)
    assert response.status_code == 302
    return _link_token(mail.outbox[-1])


def test_a_manager_invites_by_email(invited, office):
    invitation = Invitation.objects.for_office(office).get()
    assert invitation.email == "new.person@example.org"
    assert invitation.token_hash != invited  # only the hash is stored
    assert mail.outbox[-1].to == ["new.person@example.org"]


def test_the_invitee_sets_a_password_and_goes_on_to_enrol(invited, office):
    client = Client()
    page = client.get(f"/invitation/{invited}")
    assert "new.person@example.org" in page.content.decode()
    response = client.post(
        f"/invitation/{invited}",
        {"full_name": "New Person", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/2fa/setup"
    user = User.objects.get(email="new.person@example.org")
    assert Membership.objects.get(user=user, office=office).role == Role.CASEWORKER
    assert client.get("/?overview").status_code == 302  # no data before 2FA


def test_a_used_invitation_gets_a_clear_page(invited):
    Client().post(f"/invitation/{invited}", {"full_name": "A", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = Client().get(f"/invitation/{invited}")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_expired_invitation_gets_a_clear_page(invited, settings):
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=settings.INVITATION_VALID_DAYS, minutes=1)
    with time_machine.travel(later):
        response = Client().get(f"/invitation/{invited}")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_an_unknown_invitation_gets_a_clear_page(db):
    response = Client().get("/invitation/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_a_weak_password_is_refused_with_the_reason(invited):
    response = Client().post(
        f"/invitation/{invited}", {"full_name": "A", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_an_existing_account_joins_with_its_own_password(manager_client, office, django_capture_on_commit_callbacks):
    existing = UserFactory(email="helper@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(manager_client, email="Helper@Example.org", role="volunteer")
    token = _link_token(mail.outbox[-1])
    response = Client().post(f"/invitation/{token}", {"full_name": "x", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.get(user=existing, office=office).role == Role.VOLUNTEER


def test_inviting_a_current_member_is_refused(manager_client, caseworker):
    response = _invite(manager_client, email=caseworker.email)
    assert response.status_code == 200
    assert "already a member" in response.content.decode()


def test_a_malformed_invitation_form_gets_field_errors(manager_client):
    response = manager_client.post("/staff", {"email": "not-an-email", "role": "emperor"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "role"}
