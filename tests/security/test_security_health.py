"""The security health page: staff and 2FA, stale accounts, failed sign-ins, exports, erasures, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from security.audit import audit_record
from security.dataprotection.models import Erasure, PendingCleanup, RetentionRun, RunStatus
from security.models import AuditEvent, User
from security.roles import Role
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.security.helpers import password_step

URL = reverse("security:security_health")


def test_it_shows_staff_without_2fa_and_stale_accounts(office, manager, manager_client):
    fresh = MembershipFactory(office=office, role=Role.CASEWORKER, user__full_name="Fresh Face").user
    TOTPDeviceFactory(user=fresh)
    User.objects.filter(pk=fresh.pk).update(last_login=timezone.now() - dt.timedelta(days=2))
    idle = MembershipFactory(office=office, role=Role.VOLUNTEER, user__full_name="Idle Ivy").user
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - dt.timedelta(days=100))
    page = manager_client.get(URL).content.decode()
    row = page[page.index("Idle Ivy") :].split("</tr>")[0]
    assert "None" in row  # no authenticator
    assert "(stale)" in row
    fresh_row = page[page.index("Fresh Face") :].split("</tr>")[0]
    assert "(stale)" not in fresh_row
    assert '<dt>Stale accounts</dt><dd><span class="overdue">1</span>' in page  # the manager signed in now
    # 90 days: Ivy (100 days) is still stale; with a shorter period nothing changes for Fresh.
    assert "(stale)" in manager_client.get(URL + "?days=7&stale_days=90").content.decode()


def test_it_lists_failed_sign_ins_of_the_offices_staff_only(office, manager, manager_client, bob, client):
    for _ in range(2):
        password_step(client, manager.email.upper(), "wrong password")
    password_step(client, bob.email, "wrong password")  # another office's caseworker
    password_step(client, "nobody@example.org", "wrong password")
    page = manager_client.get(URL).content.decode()
    assert manager.email in page
    assert bob.email not in page
    assert "nobody@example.org" not in page
    assert "<dt>Failed sign-ins (30 days)</dt><dd>1</dd>" in page


def test_it_shows_lockouts(office, manager, manager_client, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, manager.email, "wrong password")
    assert "(locked out now)" in manager_client.get(URL).content.decode()


def test_it_shows_exports_erasures_retention_and_failing_cleanups(office, other_office, manager, manager_client):
    audit_record(verb="security.sar.downloaded", office=office, actor=manager, object_type="x", object_id=7)
    audit_record(verb="security.sar.downloaded", office=other_office, object_type="x", object_id=99)
    Erasure.objects.create(office=office, subject_id=5, reason="request", performed_by=manager, counts={"a": 3})
    Erasure.objects.create(office=other_office, subject_id=6, reason="request", counts={"a": 40})
    RetentionRun.objects.create(office=office, run_on=timezone.localdate(), status=RunStatus.DONE, results={"r": 11})
    PendingCleanup.objects.create(office=office, kind="x", payload={}, last_error="ConnectionError: down")
    page = manager_client.get(URL).content.decode()
    assert "security.sar.downloaded</code> x #7" in page
    assert "#99" not in page
    assert "<td>3</td>" in page
    assert "<td>40</td>" not in page
    assert "<dt>Records removed by retention</dt><dd>11</dd>" in page
    assert "ConnectionError: down" in page


def test_viewing_it_is_audited(office, manager_client):
    manager_client.get(URL)
    assert AuditEvent.objects.filter(verb="security.health.viewed", office=office).count() == 1


def test_it_takes_a_fixed_number_of_queries(office, manager, manager_client, django_assert_max_num_queries, client):
    for n in range(12):
        user = MembershipFactory(office=office, role=Role.CASEWORKER).user
        TOTPDeviceFactory(user=user)
        password_step(client, user.email, "wrong")
        Erasure.objects.create(office=office, subject_id=n, reason="request", performed_by=manager, counts={"a": 1})
        audit_record(verb="security.sar.downloaded", office=office, actor=user, object_type="x", object_id=n)
    with django_assert_max_num_queries(20):
        response = manager_client.get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_are_refused(role_client, request):
    assert request.getfixturevalue(role_client).get(URL).status_code == 403


def test_a_user_of_no_office_is_sent_to_choose_one(user_without_membership):
    from tests.conftest import verified_client

    assert verified_client(user_without_membership).get(URL).status_code == 302
    assert UserFactory  # the factory module stays importable for the fixture above
