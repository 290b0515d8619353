"""Retention: periods per category and per tag category, a dry run, confirmation, the daily sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from casework import services as case_services
from casework.models import Case, CaseStatus, Tag
from constituents.models import Constituent
from correspondence.models import Channel, Direction, Message, OutboxStatus, OutgoingEmail, RawEmail, TriageState
from security import personal_data, tasks
from security.dataprotection import retention
from security.dataprotection.models import RetentionPolicy, RetentionRun, RunStatus
from security.errors import DomainError
from security.models import AuditEvent
from tests.factories import ConstituentFactory

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def cleanups_at_once(monkeypatch):
    monkeypatch.setattr(tasks.cleanups_run, "delay", tasks.cleanups_run)


def _case(office, actor, *, closed_on: dt.date | None, tags=(), summary="Damp flat"):
    person = ConstituentFactory(office=office)
    opened = dt.datetime.combine((closed_on or NOW.date()) - dt.timedelta(days=30), dt.time(9), UTC)
    with time_machine.travel(opened, tick=False):
        case = case_services.case_open(
            office=office, constituent=person, opened_by=actor, summary=summary, tags=list(tags)
        )
        Message.objects.create(
            office=office, direction=Direction.INBOUND, channel=Channel.PHONE, subject="About it", case=case
        )
    if closed_on:
        with time_machine.travel(dt.datetime.combine(closed_on, dt.time(9), UTC), tick=False):
            case = case_services.case_close(case=case, actor=actor, reason="resolved")
    return case


def _confirm(office, manager, periods, overrides=None, remove_all=False):
    retention.policy_draft(office=office, actor=manager, periods=periods, overrides=overrides or {})
    return retention.policy_confirm(office=office, actor=manager, remove_all_confirmed=remove_all)


@pytest.fixture
def vocabulary(office):
    case_services.office_initialise(office)
    return {tag.name: tag for tag in Tag.objects.for_office(office)}


def test_a_cutoff_is_calendar_months_back():
    assert retention.cutoff(dt.datetime(2026, 3, 31, 12, tzinfo=UTC), 1).date() == dt.date(2026, 2, 28)
    assert retention.cutoff(dt.datetime(2026, 3, 2, 12, tzinfo=UTC), 72).date() == dt.date(2020, 3, 2)


def test_closed_cases_past_the_period_are_anonymised_with_their_mail(office, manager, vocabulary):
    old = _case(office, manager, closed_on=dt.date(2019, 5, 1))
    recent = _case(office, manager, closed_on=dt.date(2021, 5, 1))
    still_open = _case(office, manager, closed_on=None)
    _confirm(office, manager, {"casework": 72})
    with time_machine.travel(NOW, tick=False):
        run = retention.office_sweep(policy=RetentionPolicy.objects.for_office(office).get())
    assert run.results["casework.closed_cases"] == 1
    old.refresh_from_db()
    assert (old.summary, old.status) == ("Anonymised case", CaseStatus.CLOSED)
    assert Message.objects.for_office(office).get(case=old).subject == "(erased)"
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert recent.summary == still_open.summary == "Damp flat"


def test_a_tag_category_keeps_its_cases_for_its_own_period(office, manager, vocabulary):
    immigration = vocabulary["Asylum"].category
    housing = vocabulary["Disrepair"].category
    asylum = _case(office, manager, closed_on=dt.date(2019, 5, 1), tags=[vocabulary["Asylum"]])
    damp = _case(office, manager, closed_on=dt.date(2019, 5, 1), tags=[vocabulary["Disrepair"]])
    both = _case(office, manager, closed_on=dt.date(2024, 5, 1), tags=[vocabulary["Asylum"], vocabulary["Passports"]])
    short = _case(office, manager, closed_on=dt.date(2024, 5, 1), tags=[vocabulary["Private renting"]])
    overrides = {"casework.tag_category": {str(immigration.pk): 120, str(housing.pk): 12}}
    rule = next(r for r in personal_data.retention_rules() if r.key == "casework.closed_cases")
    cutoff, finer = retention.rule_cutoffs(rule, {"casework": 72}, overrides, NOW)
    due = set(rule.due(office, cutoff, finer).values_list("pk", flat=True))
    # Immigration kept ten years; housing only one, so a 2024 housing case is due but not an asylum one.
    assert due == {damp.pk, short.pk}
    assert asylum.pk not in due
    assert both.pk not in due


def test_the_sweep_runs_once_a_day_and_is_idempotent(office, manager, vocabulary):
    _case(office, manager, closed_on=dt.date(2019, 5, 1))
    _case(office, manager, closed_on=None)
    _confirm(office, manager, {"casework": 72})
    with time_machine.travel(NOW, tick=False):
        assert retention.retention_sweep() == 1
        assert retention.retention_sweep() == 0  # today's run is claimed
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert retention.retention_sweep() == 1
    runs = list(RetentionRun.objects.for_office(office).order_by("run_on"))
    assert [r.total for r in runs] == [1, 0]  # nothing found twice
    assert all(r.status == RunStatus.DONE for r in runs)
    assert AuditEvent.objects.filter(verb="security.retention.swept", office=office).count() == 2


def test_a_dead_workers_run_is_taken_over_after_the_lease(office, manager):
    _confirm(office, manager, {"campaign": 3})
    policy = RetentionPolicy.objects.for_office(office).get()
    with time_machine.travel(NOW, tick=False):
        RetentionRun.objects.create(office=office, run_on=NOW.date(), claimed_at=NOW)
        assert retention.office_sweep(policy=policy) is None
    later = NOW + dt.timedelta(seconds=settings.RETENTION_RUN_LEASE_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        run = retention.office_sweep(policy=policy)
    assert run.status == RunStatus.DONE


def test_an_office_without_a_confirmed_policy_is_not_swept(office, manager, vocabulary):
    _case(office, manager, closed_on=dt.date(2010, 5, 1))
    retention.policy_draft(office=office, actor=manager, periods={"casework": 12}, overrides={})
    with time_machine.travel(NOW, tick=False):
        assert retention.retention_sweep() == 0
    assert not Case.objects.for_office(office).exclude(anonymised_at=None).exists()


def test_a_policy_that_removes_everything_needs_explicit_confirmation(office, manager, vocabulary):
    _case(office, manager, closed_on=dt.date(2019, 5, 1))
    retention.policy_draft(office=office, actor=manager, periods={"casework": 12}, overrides={})
    with time_machine.travel(NOW, tick=False):
        previews = {p.rule.key: p for p in retention.preview(office=office, periods={"casework": 12}, overrides={})}
        assert previews["casework.closed_cases"].removes_all
        with pytest.raises(DomainError, match="every record"):
            retention.policy_confirm(office=office, actor=manager)
        policy = retention.policy_confirm(office=office, actor=manager, remove_all_confirmed=True)
    assert policy.periods["casework"] == 12
    assert policy.draft_periods is None
    assert AuditEvent.objects.filter(verb="security.retention.confirmed").exists()


def test_periods_are_validated(office, manager):
    with pytest.raises(DomainError, match="between 1 and 1200"):
        retention.policy_draft(office=office, actor=manager, periods={"casework": 0}, overrides={})
    with pytest.raises(DomainError, match="Unknown tag category"):
        retention.policy_draft(
            office=office, actor=manager, periods={"casework": 12}, overrides={"casework.tag_category": {"999999": 5}}
        )
    with pytest.raises(DomainError, match="no change to confirm"):
        retention.policy_confirm(office=office, actor=manager)


def test_people_with_nothing_left_are_erased_and_recent_ones_kept(office, manager, vocabulary):
    with time_machine.travel(dt.datetime(2018, 1, 1, tzinfo=UTC), tick=False):
        forgotten = ConstituentFactory(office=office, last_name="Forgotten")
        wrote_lately = ConstituentFactory(office=office, last_name="Lately")
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        Message.objects.create(
            office=office, direction=Direction.INBOUND, channel=Channel.EMAIL, constituent=wrote_lately
        )
    _confirm(office, manager, {"casework": 72})
    with time_machine.travel(NOW, tick=False):
        run = retention.office_sweep(policy=RetentionPolicy.objects.for_office(office).get())
    assert run.results["casework.inactive_people"] == 1
    forgotten.refresh_from_db()
    wrote_lately.refresh_from_db()
    assert forgotten.erased_at is not None
    assert forgotten.last_name == "Erased"
    assert wrote_lately.last_name == "Lately"


def test_unfiled_campaign_and_unparsed_mail_are_deleted_after_their_periods(office, manager):
    def message(state, when):
        with time_machine.travel(when, tick=False):
            return Message.objects.create(
                office=office, direction=Direction.INBOUND, channel=Channel.EMAIL, triage_state=state
            )

    old_spam = message(TriageState.SPAM, dt.datetime(2023, 1, 1, tzinfo=UTC))
    old_campaign = message(TriageState.CAMPAIGN, dt.datetime(2025, 10, 1, tzinfo=UTC))
    new_campaign = message(TriageState.CAMPAIGN, dt.datetime(2026, 2, 20, tzinfo=UTC))
    raw = RawEmail.objects.create(
        office=office,
        source="upload",
        raw=b"x",
        size=1,
        sha256="3" * 64,
        parse_state="quarantined",
        received_at=dt.datetime(2023, 1, 1, tzinfo=UTC),
    )
    for subject, status in (("Thanks for writing", OutboxStatus.SENT), ("Still waiting", OutboxStatus.QUEUED)):
        OutgoingEmail.objects.create(
            office=office,
            idempotency_key=subject,
            message_id=f"{len(subject)}@office.example",
            from_email="office@example.org",
            to_email="someone@example.org",
            subject=subject,
            text="x",
            status=status,
            created_at=dt.datetime(2023, 1, 1, tzinfo=UTC),
        )
    _confirm(office, manager, {"correspondence": 24, "campaign": 3}, remove_all=True)
    with time_machine.travel(NOW, tick=False):
        run = retention.office_sweep(policy=RetentionPolicy.objects.for_office(office).get())
    assert run.results == {
        "correspondence.unfiled": 1,
        "correspondence.campaign": 1,
        "correspondence.outbox": 1,
        "correspondence.unparsed": 1,
    }
    assert list(OutgoingEmail.objects.for_office(office).values_list("subject", flat=True)) == ["Still waiting"]
    remaining = set(Message.objects.for_office(office).values_list("pk", flat=True))
    assert remaining == {new_campaign.pk}
    assert old_spam.pk not in remaining
    assert old_campaign.pk not in remaining
    assert not RawEmail.objects.for_office(office).filter(pk=raw.pk).exists()


def test_the_sweep_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["security.data_protection.retention"]
    assert entry["task"] == "security.tasks.retention_sweep"
    assert entry["schedule"].hour == {settings.RETENTION_SWEEP_HOUR}
    assert tasks.retention_sweep.name == "security.tasks.retention_sweep"


# --- Pages -----------------------------------------------------------------------------------------
def test_a_manager_drafts_previews_and_confirms(office, manager, manager_client, vocabulary):
    _case(office, manager, closed_on=dt.date(2019, 5, 1))
    _case(office, manager, closed_on=None)
    category = vocabulary["Asylum"].category
    response = manager_client.post(
        reverse("security:retention"),
        {"period_casework": "72", "period_campaign": "6", f"override_casework_tag_category_{category.pk}": "120"},
    )
    assert response.status_code == 302
    assert response.url == reverse("security:retention_preview")
    page = manager_client.get(reverse("security:retention_preview")).content.decode()
    assert "Closed cases, from the day they closed" in page
    assert "1 of 2" in page  # one of the two cases would be anonymised today
    response = manager_client.post(reverse("security:retention_preview"), {"action": "confirm"})
    assert response.status_code == 302
    policy = RetentionPolicy.objects.for_office(office).get()
    assert policy.periods["casework"] == 72
    assert policy.overrides == {"casework.tag_category": {str(category.pk): 120}}
    assert Case.objects.for_office(office).filter(anonymised_at=None).count() == 2  # the sweep does it, tonight


def test_the_preview_insists_when_everything_would_go(office, manager, manager_client, vocabulary):
    _case(office, manager, closed_on=dt.date(2019, 5, 1))
    manager_client.post(reverse("security:retention"), {"period_casework": "1"})
    refused = manager_client.post(reverse("security:retention_preview"), {"action": "confirm"})
    assert refused.status_code == 200
    assert "Tick the box to confirm" in refused.content.decode()
    assert RetentionPolicy.objects.for_office(office).get().confirmed_at is None
    manager_client.post(reverse("security:retention_preview"), {"action": "confirm", "remove_all": "on"})
    assert RetentionPolicy.objects.for_office(office).get().confirmed_at is not None


def test_discarding_a_draft_keeps_the_policy(office, manager, manager_client):
    _confirm(office, manager, {"campaign": 6})
    manager_client.post(reverse("security:retention"), {"period_campaign": "1"})
    manager_client.post(reverse("security:retention_preview"), {"action": "discard"})
    policy = RetentionPolicy.objects.for_office(office).get()
    assert (policy.periods["campaign"], policy.draft_periods) == (6, None)


def test_the_page_takes_a_fixed_number_of_queries(office, manager, manager_client, django_assert_max_num_queries):
    _confirm(office, manager, {"campaign": 6})
    for n in range(10):
        RetentionRun.objects.create(
            office=office, run_on=dt.date(2026, 1, 1) + dt.timedelta(days=n), status=RunStatus.DONE, results={"x": n}
        )
    with django_assert_max_num_queries(14):
        response = manager_client.get(reverse("security:retention"))
    assert response.content.decode().count("<td>Done</td>") == 10


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_cannot_set_retention(role_client, request, office, manager):
    client = request.getfixturevalue(role_client)
    assert client.get(reverse("security:retention")).status_code == 403
    assert client.post(reverse("security:retention"), {"period_casework": "1"}).status_code == 403
    assert client.get(reverse("security:retention_preview")).status_code == 403
    assert client.post(reverse("security:retention_preview"), {"action": "confirm"}).status_code == 403
    assert not RetentionPolicy.objects.for_office(office).exists()


def test_erased_records_of_a_constituent_model_are_not_due_again(office, manager):
    with time_machine.travel(dt.datetime(2018, 1, 1, tzinfo=UTC), tick=False):
        ConstituentFactory(office=office)
    _confirm(office, manager, {"casework": 72}, remove_all=True)
    with time_machine.travel(NOW, tick=False):
        first = retention.office_sweep(policy=RetentionPolicy.objects.for_office(office).get())
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        second = retention.office_sweep(policy=RetentionPolicy.objects.for_office(office).get())
    assert first.results["casework.inactive_people"] == 1
    assert second.results["casework.inactive_people"] == 0
    assert Constituent.objects.for_office(office).count() == 1
