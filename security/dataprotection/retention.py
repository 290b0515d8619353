"""Retention: the office's periods per registry category, a dry-run preview, and the daily sweep.

A period is in months and counts back from now: a rule's rows older than that (closed cases by
their closing date, unfiled mail by its arrival) are anonymised or deleted by the rule the owning
app registered. A manager's change is a draft until its preview has been reviewed and confirmed;
a draft that would remove every row of a kind needs that ticked explicitly. The sweep runs
daily from beat for every office with a confirmed policy, claims its run in the database (one
row per office and day), and is idempotent: a rule never finds the rows it already removed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from security import personal_data
from security.audit import audit_record
from security.dataprotection.dates import add_months
from security.dataprotection.models import RetentionPolicy, RetentionRun, RunStatus
from security.errors import DomainError
from security.models import Office, User
from security.personal_data import Retention, RetentionRule

logger = logging.getLogger(__name__)
MAX_MONTHS = 1200
SAMPLE_SIZE = 10


def policy_get(office: Office) -> RetentionPolicy | None:
    return RetentionPolicy.objects.for_office(office).first()


def _months(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


def months_display(months: int | None) -> str:
    return "kept" if months is None else _months(months)


def policy_summary(office: Office) -> str:
    """One sentence for a subject access export: how long each kind of record is kept."""
    policy = policy_get(office)
    periods = policy.periods if policy is not None and policy.confirmed_at else {}
    parts = [
        f"{label.split(' (')[0].lower()}: {_months(periods[value])}"
        for value, label in Retention.choices
        if periods.get(value) is not None and value != Retention.STAFF
    ]
    if not parts:
        return "The office has not yet set retention periods; records are kept until the office decides."
    return "Kept for a set time after the matter ends, then erased or anonymised — " + "; ".join(parts) + "."


# --- Cut-offs --------------------------------------------------------------------------------------
def cutoff(now: dt.datetime, months: int) -> dt.datetime:
    """The moment ``months`` calendar months before ``now``: rows older than it are due."""
    local = timezone.localtime(now)
    day = add_months(local.date(), -months)
    return local.replace(year=day.year, month=day.month, day=day.day)


def rule_cutoffs(
    rule: RetentionRule, periods: dict[str, Any], overrides: dict[str, Any], now: dt.datetime
) -> tuple[dt.datetime, dict[str, dt.datetime]] | None:
    months = periods.get(rule.category)
    if months is None:
        return None
    finer = overrides.get(rule.overrides, {}) if rule.overrides else {}
    return cutoff(now, months), {key: cutoff(now, value) for key, value in finer.items() if value is not None}


# --- Drafting and confirming ----------------------------------------------------------------------
def _clean_periods(periods: dict[str, Any]) -> dict[str, int | None]:
    cleaned: dict[str, int | None] = {}
    for category in Retention.values:
        value = periods.get(category)
        if value in (None, ""):
            cleaned[category] = None
            continue
        months = int(value)
        if not 1 <= months <= MAX_MONTHS:
            raise DomainError(f"A period is between 1 and {MAX_MONTHS} months.")
        cleaned[category] = months
    return cleaned


def _clean_overrides(office: Office, overrides: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    cleaned: dict[str, dict[str, int]] = {}
    for source in personal_data.retention_override_sources():
        known = {key for key, _ in source.choices(office)}
        values = {}
        for key, value in (overrides.get(source.key) or {}).items():
            if value in (None, ""):
                continue
            if key not in known:
                raise DomainError(f"Unknown {source.label.lower()}.")
            months = int(value)
            if not 1 <= months <= MAX_MONTHS:
                raise DomainError(f"A period is between 1 and {MAX_MONTHS} months.")
            values[key] = months
        if values:
            cleaned[source.key] = values
    return cleaned


@transaction.atomic
def policy_draft(
    *, office: Office, actor: User, periods: dict[str, Any], overrides: dict[str, dict[str, Any]]
) -> RetentionPolicy:
    """Save a change as a draft; nothing is removed until its preview is confirmed."""
    policy, _ = RetentionPolicy.unscoped.select_for_update().get_or_create(office=office)
    policy.draft_periods = _clean_periods(periods)
    policy.draft_overrides = _clean_overrides(office, overrides)
    policy.save(update_fields=["draft_periods", "draft_overrides", "updated_at"])
    audit_record(verb="security.retention.drafted", office=office, actor=actor, obj=policy, fields=["periods"])
    return policy


@transaction.atomic
def policy_discard_draft(*, office: Office, actor: User) -> None:
    policy = RetentionPolicy.objects.for_office(office).select_for_update().first()
    if policy is not None and policy.draft_periods is not None:
        policy.draft_periods = policy.draft_overrides = None
        policy.save(update_fields=["draft_periods", "draft_overrides", "updated_at"])
        audit_record(verb="security.retention.draft_discarded", office=office, actor=actor, obj=policy)


@dataclass(frozen=True)
class RulePreview:
    rule: RetentionRule
    period: str
    due: int
    total: int
    samples: list[str]

    @property
    def more(self) -> int:
        return self.due - len(self.samples)

    @property
    def removes_all(self) -> bool:
        return self.total > 0 and self.due >= self.total


def preview(
    *, office: Office, periods: dict[str, Any], overrides: dict[str, Any], now: dt.datetime | None = None
) -> list[RulePreview]:
    """The dry run: for each rule, how many rows the periods would remove today, with examples."""
    now = now or timezone.now()
    previews = []
    for rule in personal_data.retention_rules():
        cutoffs = rule_cutoffs(rule, periods, overrides, now)
        if cutoffs is None:
            previews.append(RulePreview(rule, "kept", 0, 0, []))
            continue
        due = rule.due(office, *cutoffs)
        samples = [rule.describe(row) for row in due[:SAMPLE_SIZE]]
        previews.append(
            RulePreview(rule, months_display(periods.get(rule.category)), due.count(), rule.total(office), samples)
        )
    return previews


@transaction.atomic
def policy_confirm(*, office: Office, actor: User, remove_all_confirmed: bool = False) -> RetentionPolicy:
    """Make the reviewed draft the policy the daily sweep applies."""
    policy = RetentionPolicy.objects.for_office(office).select_for_update().first()
    if policy is None or policy.draft_periods is None:
        raise DomainError("There is no change to confirm.")
    everything = [
        p.rule.label
        for p in preview(office=office, periods=policy.draft_periods, overrides=policy.draft_overrides or {})
        if p.removes_all
    ]
    if everything and not remove_all_confirmed:
        raise DomainError(
            "This policy would remove every record of some kinds ("
            + "; ".join(everything)
            + "). Tick the box to confirm that is intended."
        )
    policy.periods, policy.overrides = policy.draft_periods, policy.draft_overrides or {}
    policy.draft_periods = policy.draft_overrides = None
    policy.confirmed_at, policy.confirmed_by = timezone.now(), actor
    policy.save()
    audit_record(
        verb="security.retention.confirmed",
        office=office,
        actor=actor,
        obj=policy,
        fields=sorted(k for k, v in policy.periods.items() if v is not None),
    )
    return policy


# --- The sweep --------------------------------------------------------------------------------------
def _claim(office: Office, today: dt.date) -> RetentionRun | None:
    """Today's run of this office, if this worker may do it: new, or left by a dead worker."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return RetentionRun.objects.create(office=office, run_on=today, claimed_at=now)
    except IntegrityError:
        pass
    lease = dt.timedelta(seconds=settings.RETENTION_RUN_LEASE_SECONDS)
    taken = RetentionRun.objects.for_office(office).filter(
        run_on=today, status=RunStatus.RUNNING, claimed_at__lt=now - lease
    )
    if taken.update(claimed_at=now):
        return RetentionRun.objects.for_office(office).get(run_on=today)
    return None


def office_sweep(*, policy: RetentionPolicy, now: dt.datetime | None = None) -> RetentionRun | None:
    """Apply one office's confirmed policy once today. None when today's run was done (or is
    being done) by another worker."""
    now = now or timezone.now()
    office = policy.office
    run = _claim(office, timezone.localdate(now))
    if run is None:
        return None
    results = dict(run.results)
    try:
        for rule in personal_data.retention_rules():
            cutoffs = rule_cutoffs(rule, policy.periods, policy.overrides, now)
            if cutoffs is None:
                continue
            with transaction.atomic():
                removed = rule.apply(office, rule.due(office, *cutoffs))
                results[rule.key] = results.get(rule.key, 0) + removed
                RetentionRun.objects.for_office(office).filter(pk=run.pk).update(results=results)
    except Exception as error:
        logger.exception("Retention sweep of office %s failed", office.pk)
        RetentionRun.objects.for_office(office).filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    with transaction.atomic():
        RetentionRun.objects.for_office(office).filter(pk=run.pk).update(
            status=RunStatus.DONE, finished_at=timezone.now(), results=results
        )
        audit_record(
            verb="security.retention.swept",
            office=office,
            obj=run,
            fields=sorted(key for key, count in results.items() if count),
        )
    run.refresh_from_db()
    return run


def retention_sweep(*, now: dt.datetime | None = None) -> int:
    """Every office with a confirmed policy; one failing office stops no other. Returns runs done."""
    done = 0
    policies = RetentionPolicy.unscoped.filter(~Q(confirmed_at=None), office__is_active=True).select_related("office")
    for policy in policies.order_by("office_id"):
        try:
            done += office_sweep(policy=policy, now=now) is not None
        except Exception:  # noqa: BLE001 - recorded on the run; the next office goes on
            logger.warning("Retention sweep of office %s failed; going on to the next office.", policy.office_id)
    return done
