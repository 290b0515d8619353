import pytest
from django.db import DatabaseError, connection, transaction

from security.audit import allow_audit_purge, audit_record
from security.models import AuditEvent


@pytest.fixture
def event(office, caseworker):
    return audit_record(verb="security.test.happened", office=office, actor=caseworker, obj=office)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE security_auditevent SET verb = 'tampered'",
        "DELETE FROM security_auditevent",
        "TRUNCATE security_auditevent",
    ],
)
@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_alter_the_audit_log(event, statement):
    # Committed rows, as in production (TRUNCATE inside the test's own transaction fails for
    # another reason: the rows' pending constraint triggers).
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    event.refresh_from_db()
    assert event.verb == "security.test.happened"


def test_the_orm_cannot_alter_it_either(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(verb="tampered")


def test_an_audited_purge_may_delete(event):
    with transaction.atomic():
        allow_audit_purge()
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_purge_flag_lasts_only_for_its_transaction(event):
    with transaction.atomic():
        allow_audit_purge()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_events_hold_names_never_values(event, caseworker):
    assert event.actor == caseworker
    assert event.actor_kind == "user"
    assert event.object_type == "security.office"
    audit_record(verb="x.y.changed", office=None, fields=["phone", "email", "phone"])
    assert AuditEvent.objects.get(verb="x.y.changed").fields == ["email", "phone"]


def test_a_failed_sign_in_records_no_email(db, client):
    client.post("/login", {"username": "someone@example.org", "password": "nope"})
    failed = AuditEvent.objects.get(verb="security.login.failed")
    assert failed.actor_kind == "public"
    assert "someone" not in str(failed.__dict__)


def test_the_manager_browses_and_filters_the_log(manager_client, office, caseworker, django_assert_max_num_queries):
    for verb in ("security.a.one", "security.b.two", "casework.case.viewed"):
        audit_record(verb=verb, office=office, actor=caseworker, obj=office)
    with django_assert_max_num_queries(12):
        page = manager_client.get("/audit?verb=security.")
    verbs = [event.verb for event in page.context["page"]]
    assert "casework.case.viewed" not in verbs
    assert {"security.a.one", "security.b.two"} <= set(verbs)


def test_the_log_shows_only_this_office(manager_client, other_office, bob):
    audit_record(verb="security.elsewhere.done", office=other_office, actor=bob, obj=other_office)
    page = manager_client.get("/audit")
    assert "security.elsewhere.done" not in page.content.decode()


def test_a_malformed_filter_is_ignored_with_errors_shown(manager_client):
    response = manager_client.get("/audit?since=yesterday")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
