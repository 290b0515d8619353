"""Records of the data-protection workflows. Imported by ``security.models`` so Django finds them.

None of these rows names the person it is about: a request or an erasure points at the data
subject by id (the registry's subject model, which ``security`` cannot import), so the record of
having answered or erased survives the erasure itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from security.scoping import OfficeOwned


class SarStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "Being reviewed"
    READY = "ready", "Export ready"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_SAR_STATUSES = (SarStatus.RECEIVED, SarStatus.IN_REVIEW, SarStatus.READY)


class ReceivedBy(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    PHONE = "phone", "Phone call"
    IN_PERSON = "in_person", "In person"
    WEB_FORM = "web_form", "Web form"


def sar_export_path(instance: SubjectAccessRequest, filename: str) -> str:
    # Under the office's own path; the name carries no personal data.
    return f"offices/{instance.office_id}/exports/sar/{instance.pk}-{filename[-60:]}"


class SubjectAccessRequest(OfficeOwned):
    """A person's request for a copy of their data: due one calendar month after receipt."""

    subject_id = models.BigIntegerField(help_text="The data subject (a constituent) by id")
    received_on = models.DateField()
    received_by = models.CharField("How it arrived", max_length=10, choices=ReceivedBy.choices)
    due_on = models.DateField()
    extended_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.CharField(max_length=500, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="How identity was checked, what they asked for")
    status = models.CharField(max_length=10, choices=SarStatus.choices, default=SarStatus.RECEIVED)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The reviewer's decisions: rows withheld ("app.model:pk") and other people's names redacted.
    withheld = models.JSONField(default=list, blank=True)
    redact_terms = models.JSONField(default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    export_file = models.FileField(upload_to=sar_export_path, max_length=300, blank=True)
    export_generated_at = models.DateTimeField(null=True, blank=True)
    export_size = models.PositiveBigIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extended_months__lte=2), name="security_sar_extension_at_most_two_months"
            ),
        ]
        indexes = [
            # The due-soon list: WHERE office_id = %s AND status IN (open) ORDER BY due_on.
            models.Index(fields=["office", "status", "due_on"], name="security_sar_office_due"),
            # A person's requests: WHERE office_id = %s AND subject_id = %s.
            models.Index(fields=["office", "subject_id"], name="security_sar_office_subject"),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SAR_STATUSES

    def days_left(self, today=None) -> int:  # type: ignore[no-untyped-def]
        return (self.due_on - (today or timezone.localdate())).days


class ErasureReason(models.TextChoices):
    REQUEST = "request", "The person asked"
    RETENTION = "retention", "The office's retention policy"
    HANDOVER = "handover", "Exported and purged in a handover"


class Erasure(OfficeOwned):
    """That a person's data was erased, when, why and how many rows: ids and counts only."""

    subject_id = models.BigIntegerField()
    reason = models.CharField(max_length=10, choices=ErasureReason.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_at = models.DateTimeField(default=timezone.now)
    # How many things were settled first (open cases closed).
    settled = models.PositiveIntegerField(default=0)
    # {"app.model": rows} — what was anonymised or deleted.
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-performed_at", "-id"]
        # The health page's period: WHERE office_id = %s AND performed_at >= %s.
        indexes = [models.Index(fields=["office", "-performed_at"], name="security_erasure_office_time")]

    def __str__(self) -> str:
        return f"Erasure of subject {self.subject_id}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class PendingCleanup(OfficeOwned):
    """Work outside the database that an erasure leaves behind: a stored file, an IMAP copy.

    Written in the erasure's transaction, so it exists exactly when the rows are gone; done by
    a worker after the commit and swept by beat until it succeeds, then deleted.
    """

    kind = models.CharField(max_length=80)
    # Storage names, mailbox ids and UIDs: what the handler needs, removed with the row.
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        # The sweep: WHERE next_attempt_at <= now ORDER BY id.
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="security_cleanup_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class RetentionPolicy(OfficeOwned):
    """The office's retention periods, in months, per registry category (empty: kept).

    The sweep applies the confirmed ``periods``/``overrides``; a manager's edit is a draft until
    its preview has been reviewed and confirmed.
    """

    periods = models.JSONField(default=dict, blank=True)
    overrides = models.JSONField(default=dict, blank=True)
    draft_periods = models.JSONField(null=True, blank=True)
    draft_overrides = models.JSONField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "retention policies"
        constraints = [models.UniqueConstraint(fields=["office"], name="security_retention_one_per_office")]

    def __str__(self) -> str:
        return f"Retention policy of office {self.office_id}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and any(v is not None for v in self.periods.values())


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RetentionRun(OfficeOwned):
    """One day's retention sweep of one office. Unique per day: the claim that makes it run once."""

    run_on = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    claimed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {rule key: rows removed}
    results = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-run_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["office", "run_on"], name="security_retention_run_once_a_day")]

    def __str__(self) -> str:
        return f"Retention run of office {self.office_id} on {self.run_on}"

    @property
    def total(self) -> int:
        return sum(self.results.values())


class HandoverMode(models.TextChoices):
    MOVE = "move", "Move to another office"
    EXPORT_PURGE = "export_purge", "Export, then purge"


class HandoverStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for the other office"
    EXPORTED = "exported", "Exported: waiting to be purged"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


def handover_export_path(instance: Handover, filename: str) -> str:
    return f"offices/{instance.office_id}/exports/handover/{instance.pk}-{filename[-60:]}"


class Handover(OfficeOwned):
    """Cases (with their constituents and correspondence) leaving the office: moved to another
    office of the deployment once its manager accepts, or exported and then purged."""

    mode = models.CharField(max_length=12, choices=HandoverMode.choices)
    target_office = models.ForeignKey(
        "security.Office", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    case_ids = models.JSONField(default=list)
    subject_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=HandoverStatus.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    export_file = models.FileField(upload_to=handover_export_path, max_length=300, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["office", "-proposed_at"], name="security_handover_office"),
            # The receiving office's list: WHERE target_office_id = %s AND status = 'proposed'.
            models.Index(fields=["target_office", "status"], name="security_handover_target"),
        ]

    def __str__(self) -> str:
        return f"Handover {self.pk}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Being written"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Deleted after its keeping time"


def office_export_path(instance: OfficeExport, filename: str) -> str:
    return f"offices/{instance.office_id}/exports/office/{instance.pk}-{filename[-60:]}"


class OfficeExport(OfficeOwned):
    """Everything the office holds, in the documented open format, for an office leaving."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=office_export_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["office", "-requested_at"], name="security_officeexport_office"),
            # The sweep: WHERE status = 'pending'.
            models.Index(fields=["status", "id"], name="security_officeexport_status"),
        ]

    def __str__(self) -> str:
        return f"Office export {self.pk}"
