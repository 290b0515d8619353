"""Cases, their timeline and documents, the office's response target, and the tag vocabulary."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import TagBase, TaggedItemBase

from constituents.models import Constituent, Representative
from security.models import TimeStamped
from security.scoping import OfficeOwned


class CaseworkSettings(OfficeOwned):
    """The office's own service standard and vocabulary limit."""

    acknowledge_within = models.PositiveSmallIntegerField("Acknowledge within (working days)", default=2)
    reply_within = models.PositiveSmallIntegerField("Substantive reply within (working days)", default=10)
    vocabulary_warning_size = models.PositiveSmallIntegerField(
        "Warn when the vocabulary has more tags than", default=150
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office"], name="casework_settings_one_per_office")]

    def __str__(self) -> str:
        return f"Casework settings of office {self.office_id}"


# --- Tags --------------------------------------------------------------------------------------
class TagCategory(OfficeOwned):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "tag categories"
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="casework_tagcategory_unique_name")]

    def __str__(self) -> str:
        return self.name


class Tag(OfficeOwned, TagBase):
    """A tag of the office's controlled vocabulary. Names are unique within an office only."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, allow_unicode=True)
    category = models.ForeignKey(TagCategory, on_delete=models.PROTECT, related_name="tags")
    description = models.CharField(max_length=300, blank=True)
    synonyms = models.JSONField(default=list, blank=True, help_text="Other words caseworkers use for it")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="casework_tag_unique_name"),
            models.UniqueConstraint(fields=["office", "slug"], name="casework_tag_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class TaggedCase(TaggedItemBase):
    content_object = models.ForeignKey("Case", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_cases")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="casework_taggedcase_once")]
        # Counting and filtering by tag: WHERE tag_id = %s.
        indexes = [models.Index(fields=["tag", "content_object"], name="casework_tagged_by_tag")]

    @classmethod
    def tags_for(cls, model, instance=None, **extra_filters):  # type: ignore[no-untyped-def]
        """taggit reads tags through ``Tag.objects``, which requires the office: scope by the case's."""
        # One filter() call, so the join to the through table is made once (two calls join twice).
        if instance is not None:
            return Tag.unscoped.filter(
                office_id=instance.office_id, tagged_cases__content_object=instance, **extra_filters
            )
        return Tag.unscoped.filter(tagged_cases__content_object__isnull=False, **extra_filters).distinct()


class StrictTagManager(_TaggableManager):
    """Accepts Tag objects only: a name never creates a tag as a side effect."""

    def _to_tag_model_instances(self, tags, tag_kwargs):  # type: ignore[no-untyped-def]
        names = [tag for tag in tags if not isinstance(tag, Tag)]
        if names:
            raise TypeError(f"Pass Tag objects, never names: got {names!r}.")
        return super()._to_tag_model_instances(tags, tag_kwargs)


# --- Cases -------------------------------------------------------------------------------------
class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    AWAITING_THIRD_PARTY = "awaiting_third_party", "Awaiting third party"
    AWAITING_CONSTITUENT = "awaiting_constituent", "Awaiting constituent"
    CLOSED = "closed", "Closed"


class CloseReason(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    UNRESOLVED = "unresolved", "Unresolved"
    WITHDRAWN = "withdrawn", "Withdrawn by the constituent"
    NOT_CONSTITUENT = "not_constituent", "Not a constituent"
    REFERRED = "referred", "Referred elsewhere"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class LawfulBasis(models.TextChoices):
    ELECTED_REPRESENTATIVE = (
        "elected_representative",
        "Elected representatives (DPA 2018 Sch. 1 paras 23–24)",
    )
    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent"


class Case(OfficeOwned, TimeStamped):
    reference = models.CharField(max_length=12, help_text="Unique in the office, e.g. 2026/0142")
    constituent = models.ForeignKey(Constituent, on_delete=models.PROTECT, related_name="cases")
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Restricted: only the assignee, office managers and the MP may see it.
    restricted = models.BooleanField(default=False)
    lawful_basis = models.CharField(
        max_length=30, choices=LawfulBasis.choices, default=LawfulBasis.ELECTED_REPRESENTATIVE
    )
    consent_how = models.CharField("How consent was given", max_length=200, blank=True)
    consent_at = models.DateTimeField("When consent was given", null=True, blank=True)
    may_contact_third_parties = models.BooleanField("Consents to us raising it with third parties", default=True)
    # Kept on the case so ward figures survive the constituent's erasure.
    ward_code = models.CharField(max_length=12, blank=True)
    ward_name = models.CharField(max_length=120, blank=True)
    # The office's own response clock. Later apps move it through casework services.
    response_due_on = models.DateField(null=True, blank=True)
    response_paused_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Set when erasure or retention removed its personal details; status, dates, tags and ward stay.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: an edit based on an old version is refused, never silently applied.
    version = models.PositiveIntegerField(default=1)
    # Reference, summary, description and notes, kept by casework.search_index (PostgreSQL).
    search_vector = SearchVectorField(null=True, editable=False)

    tags = TaggableManager(through=TaggedCase, manager=StrictTagManager, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "reference"], name="casework_case_unique_reference"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(close_reason=""),
                name="casework_case_closed_has_reason",
            ),
        ]
        indexes = [
            # The case list and triage: WHERE office_id = %s AND status = %s ORDER BY opened_at DESC.
            models.Index(fields=["office", "status", "-opened_at"], name="casework_case_office_status"),
            # The case list and the API: WHERE office_id = %s ORDER BY opened_at DESC, id DESC LIMIT 50.
            models.Index(fields=["office", "-opened_at", "-id"], name="casework_case_office_newest"),
            # Triage's open queues and counts: ... AND status <> 'closed' ORDER BY opened_at DESC, id DESC.
            models.Index(
                fields=["office", "-opened_at", "-id"],
                condition=~models.Q(status="closed"),
                name="casework_case_office_open",
            ),
            # "My cases": WHERE office_id = %s AND assignee_id = %s AND status <> 'closed'.
            models.Index(fields=["office", "assignee", "status"], name="casework_case_office_assignee"),
            # Overdue: WHERE office_id = %s AND response_due_on < today AND response_paused_at IS NULL.
            models.Index(fields=["office", "response_due_on"], name="casework_case_office_due"),
            # The dashboard and reports: WHERE office_id = %s AND closed_at >= %s AND closed_at < %s
            # (cases closed per week and month, time to close, workload).
            models.Index(fields=["office", "closed_at"], name="casework_case_office_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def is_overdue(self) -> bool:
        """Past the office's own reply target, with the clock running."""
        return (
            not self.is_closed
            and self.response_paused_at is None
            and self.response_due_on is not None
            and self.response_due_on < timezone.localdate()
        )


class ReferenceCounter(OfficeOwned):
    """The last case number used per office and year; claimed under a row lock."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="casework_refcounter_unique")]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class ParticipantRole(models.TextChoices):
    JOINT = "joint", "Joint applicant"
    FAMILY = "family", "Family member"
    REPRESENTATIVE = "representative", "Acting for the constituent"
    OTHER = "other", "Other person involved"


class CaseParticipant(OfficeOwned):
    """Another person involved in a case: a constituent record, or someone acting for one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    constituent = models.ForeignKey(Constituent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    representative = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(constituent__isnull=False) ^ models.Q(representative__isnull=False),
                name="casework_participant_one_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on case {self.case_id}"

    @property
    def person(self) -> Constituent | Representative | None:
        return self.constituent or self.representative


class EventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    NOTE = "note", "Note"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    TAGGED = "tagged", "Tags changed"
    EDITED = "edited", "Details edited"
    DOCUMENT = "document", "Document added"
    PARTICIPANT = "participant", "Person added"


class CaseEvent(OfficeOwned):
    """One line of a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    # Structured detail: {"from": "new", "to": "open"}, {"added": ["Housing"]}, {"fields": [...]}.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="casework_event_case_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"


def document_path(instance: CaseDocument, filename: str) -> str:
    # The office is in the path, so no storage listing or URL mixes offices.
    return f"offices/{instance.office_id}/cases/{instance.case_id}/{instance.sha256[:16]}-{filename[-80:]}"


class CaseDocument(OfficeOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


# --- Imports from other casework systems -----------------------------------------------------------
class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: choose the columns"
    CHECKED = "checked", "Checked"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


def import_path(instance: ImportJob, filename: str) -> str:
    # The office is in the path; the name is random (the original name is only shown).
    return f"offices/{instance.office_id}/imports/{filename}"


class ImportJob(OfficeOwned):
    """A CSV or Excel file of constituents and cases from another system, checked in full
    (a dry run) before anything is imported, and imported in one transaction or not at all."""

    file = models.FileField(upload_to=import_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel")])
    columns = models.JSONField(default=list, help_text="The header row, in order")
    row_count = models.PositiveIntegerField(default=0)
    # {target field: column index}
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    # [{"row": spreadsheet row number, "messages": [...]}] from the last check or attempt.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # {"people": n, "matched": n, "cases": n}
    counts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "-created_at"], name="casework_import_office")]

    def __str__(self) -> str:
        return f"Import {self.pk}"
