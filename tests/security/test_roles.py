import time
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.decorators import SESSION_OTP_AT
from security.models import AuditEvent, Membership
from security.roles import ROLE_PERMISSIONS, Perm, Role, role_table_markdown
from tests.factories import MembershipFactory
from tests.security.helpers import totp_code


def test_the_readme_shows_the_role_table_from_code():
    readme = Path(__file__).resolve().parents[2] / "README.md"
    assert role_table_markdown() in readme.read_text()


def test_volunteers_cannot_see_restricted_cases_approve_or_export():
    assert not {Perm.VIEW_RESTRICTED, Perm.APPROVE_RESPONSES, Perm.EXPORT} & ROLE_PERMISSIONS[Role.VOLUNTEER]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/staff", {"manager"}),
        ("/audit", {"manager"}),
        ("/approvers", {"mp"}),
        ("/notifications", {"manager", "caseworker", "mp", "volunteer"}),
    ],
)
def test_each_page_admits_exactly_its_roles(
    path, allowed, manager_client, caseworker_client, mp_client, volunteer_client
):
    clients = {
        "manager": manager_client,
        "caseworker": caseworker_client,
        "mp": mp_client,
        "volunteer": volunteer_client,
    }
    for role, client in clients.items():
        expected = 200 if role in allowed else 403
        assert client.get(path).status_code == expected, (path, role)


def _fresh_otp(client):
    session = client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()


def test_a_role_change_asks_for_a_fresh_code_first(manager_client, manager, caseworker):
    membership = caseworker.memberships.get()
    response = manager_client.post(f"/staff/{membership.pk}/role", {"role": "manager"}, HTTP_REFERER="/staff")
    assert response["Location"] == "/2fa/confirm?next=/staff"
    device = TOTPDevice.objects.get(user=manager)
    assert manager_client.post("/2fa/confirm?next=/staff", {"otp_token": totp_code(device)})["Location"] == "/staff"
    manager_client.post(f"/staff/{membership.pk}/role", {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER
    event = AuditEvent.objects.get(verb="security.membership.role_changed")
    assert (event.actor, event.fields) == (manager, ["role"])


def test_the_last_manager_cannot_be_demoted_or_deactivated(manager_client, manager, office):
    other_manager = MembershipFactory(office=office, role=Role.MANAGER)
    _fresh_otp(manager_client)
    manager_client.post(f"/staff/{other_manager.pk}/deactivate")
    other_manager.refresh_from_db()
    assert other_manager.is_active is False
    # manager is now the only one; another manager cannot exist to demote them, and they cannot demote themselves.
    own = manager.memberships.get()
    response = manager_client.post(f"/staff/{own.pk}/role", {"role": "caseworker"}, follow=True)
    assert "cannot change your own role" in response.content.decode()


def test_a_malformed_role_is_refused_clearly(manager_client, caseworker):
    _fresh_otp(manager_client)
    response = manager_client.post(f"/staff/{caseworker.memberships.get().pk}/role", {"role": "king"}, follow=True)
    assert "Choose a role." in response.content.decode()


def test_the_mp_names_an_approver_but_never_a_volunteer(mp_client, caseworker, volunteer):
    caseworker_membership, volunteer_membership = caseworker.memberships.get(), volunteer.memberships.get()
    mp_client.post("/approvers", {"membership": caseworker_membership.pk, "approves": "yes"})
    response = mp_client.post("/approvers", {"membership": volunteer_membership.pk, "approves": "yes"}, follow=True)
    assert "Volunteers cannot approve" in response.content.decode()
    caseworker_membership.refresh_from_db()
    volunteer_membership.refresh_from_db()
    assert caseworker_membership.may_approve is True
    assert volunteer_membership.may_approve is False


def test_a_manager_cannot_name_approvers(manager_client, caseworker):
    response = manager_client.post("/approvers", {"membership": caseworker.memberships.get().pk, "approves": "yes"})
    assert response.status_code == 403
    assert Membership.objects.get(user=caseworker).approves_for_mp is False
