"""Shared fixtures: two offices, a member in each role, and clients already through 2FA.

"alice" works in office A; "bob" is office B's caseworker: a request from alice for bob's
rows must 404.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from security.middleware import SESSION_LAST_ACTIVE_AT, SESSION_SIGNED_IN_AT
from security.roles import Role
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

# Tests serve static files from the finders; production uses the hashed manifest.
django_settings.STORAGES = {
    **django_settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Real hashing costs ~0.3 s per password; the tests exercise flows, not PBKDF2.
django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_original_flush = DatabaseOperations.execute_sql_flush


def _flush_with_audit_purge(self: DatabaseOperations, sql_list: list[str]) -> None:
    """The test database flush is one of the two things allowed to empty the audit log."""
    with transaction.atomic(using=self.connection.alias):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('mpoffice.audit_purge', 'on', true)")
        _original_flush(self, sql_list)


DatabaseOperations.execute_sql_flush = _flush_with_audit_purge


def verified_client(user) -> Client:
    """A client signed in as ``user`` with 2FA verified this session (the device is created)."""
    device = TOTPDeviceFactory(user=user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As the sign-in view does, so the first request is not the one that records them.
    session[SESSION_SIGNED_IN_AT] = session[SESSION_LAST_ACTIVE_AT] = time.time()
    session.save()
    return client


@pytest.fixture
def office(db):
    return OfficeFactory(name="Office A", slug="office-a")


@pytest.fixture
def other_office(db):
    return OfficeFactory(name="Office B", slug="office-b")


def _member(office, role):
    return MembershipFactory(office=office, role=role).user


@pytest.fixture
def manager(office):
    return _member(office, Role.MANAGER)


@pytest.fixture
def caseworker(office):
    return _member(office, Role.CASEWORKER)


@pytest.fixture
def mp(office):
    return _member(office, Role.MP)


@pytest.fixture
def volunteer(office):
    return _member(office, Role.VOLUNTEER)


@pytest.fixture
def bob(other_office):
    """A caseworker of the other office."""
    return _member(other_office, Role.CASEWORKER)


@pytest.fixture
def manager_client(manager):
    return verified_client(manager)


@pytest.fixture
def caseworker_client(caseworker):
    return verified_client(caseworker)


@pytest.fixture
def mp_client(mp):
    return verified_client(mp)


@pytest.fixture
def volunteer_client(volunteer):
    return verified_client(volunteer)


@pytest.fixture
def user_without_membership(db):
    return UserFactory()
