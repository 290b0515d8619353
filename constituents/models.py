"""Constituents, the people acting for them, wards, and the organisations directory."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from constituents.validation import display_phone
from security.models import TimeStamped
from security.scoping import OfficeOwned


class Ward(OfficeOwned):
    code = models.CharField(max_length=12, help_text="ONS ward code, e.g. E05000644")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["office", "code"], name="constituents_ward_unique_code")]

    def __str__(self) -> str:
        return self.name


class PostcodeWard(OfficeOwned):
    """Postcode -> ward for this office's area, imported from the ONS postcode directory."""

    postcode = models.CharField(max_length=8)
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="postcodes")
    in_constituency = models.BooleanField(default=True)

    class Meta:
        constraints = [
            # Also the index for the lookup: WHERE office_id = %s AND postcode = %s.
            models.UniqueConstraint(fields=["office", "postcode"], name="constituents_postcode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.postcode} → {self.ward_id}"


class InConstituency(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"


class Constituent(OfficeOwned, TimeStamped):
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    address_line1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text="Normalised, e.g. SW1A 1AA")
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    in_constituency = models.CharField(max_length=10, choices=InConstituency.choices, default=InConstituency.UNKNOWN)
    date_of_birth = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices, default=ContactMethod.EMAIL)
    # Communication consent (newsletters, surveys) is separate from casework, which needs none.
    consents_to_updates = models.BooleanField("Agrees to receive updates from the MP", default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    # Set when the person's data was erased: the record stays, anonymised, so figures by ward and
    # the cases it anchors survive (see constituents.erasure).
    erased_at = models.DateTimeField(null=True, blank=True)
    # Names and email addresses, kept by constituents.search_index (PostgreSQL; GIN-indexed).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The list and name search: WHERE office_id = %s ORDER BY last_name, first_name.
            models.Index(fields=["office", "last_name", "first_name"], name="constituents_office_name"),
            # Duplicate detection by postcode: WHERE office_id = %s AND postcode = %s.
            models.Index(fields=["office", "postcode"], name="constituents_office_postcode"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.address_line1, self.address_line2, self.town, self.postcode) if p)


class ConstituentEmail(OfficeOwned):
    constituent = models.ForeignKey(Constituent, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=254)
    is_preferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_preferred", "id"]
        constraints = [
            models.UniqueConstraint(fields=["constituent", "email"], name="constituents_email_once_each"),
        ]
        # Duplicates and inbound mail matching: WHERE office_id = %s AND email = %s.
        indexes = [models.Index(fields=["office", "email"], name="constituents_office_email")]

    def __str__(self) -> str:
        return self.email


class ConstituentPhone(OfficeOwned):
    constituent = models.ForeignKey(Constituent, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, e.g. +447700900123")
    label = models.CharField(max_length=20, blank=True, help_text="mobile, home, work…")
    is_preferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_preferred", "id"]
        constraints = [
            models.UniqueConstraint(fields=["constituent", "number"], name="constituents_phone_once_each"),
        ]
        indexes = [models.Index(fields=["office", "number"], name="constituents_office_phone")]

    def __str__(self) -> str:
        return display_phone(self.number)

    @property
    def display(self) -> str:
        return display_phone(self.number)


class Relationship(models.TextChoices):
    RELATIVE = "relative", "Relative"
    CARER = "carer", "Carer"
    ADVOCATE = "advocate", "Advocate or support worker"
    SOLICITOR = "solicitor", "Solicitor"
    OTHER = "other", "Other"


class Authority(models.TextChoices):
    """On what authority this person may act for the constituent."""

    WRITTEN_CONSENT = "written_consent", "Written consent from the constituent"
    VERBAL_CONSENT = "verbal_consent", "Verbal consent from the constituent"
    POWER_OF_ATTORNEY = "power_of_attorney", "Lasting power of attorney"
    DEPUTYSHIP = "deputyship", "Court of Protection deputyship"
    PARENTAL = "parental", "Parental responsibility"
    NOT_YET = "not_yet", "Not yet established"


class Representative(OfficeOwned, TimeStamped):
    """A person acting on a constituent's behalf."""

    constituent = models.ForeignKey(Constituent, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    organisation_name = models.CharField("Organisation (for advocates and solicitors)", max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    authority = models.CharField(max_length=20, choices=Authority.choices, default=Authority.NOT_YET)
    authority_recorded_at = models.DateTimeField(null=True, blank=True)
    authority_notes = models.CharField(max_length=300, blank=True, help_text="Where the consent or order is kept")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class ConstituentMerge(OfficeOwned):
    """Where a merged-away constituent went: old links and exports resolve through it."""

    merged_id = models.BigIntegerField()
    survivor = models.ForeignKey(Constituent, on_delete=models.CASCADE, related_name="merged_from")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(default=dict, help_text="Rows moved, by model label")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "merged_id"], name="constituents_merge_once")]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class DuplicateDismissal(OfficeOwned):
    """A manager decided these two records are different people: the review list stops pairing them.

    Family members often share a landline or an address, so "same phone" is not proof.
    """

    first = models.ForeignKey(Constituent, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Constituent, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index for the review list's lookup: WHERE first_id = %s AND second_id = %s.
            models.UniqueConstraint(fields=["first", "second"], name="constituents_dismissal_once"),
            # A merge that would turn a dismissal into a self-pair drops it instead.
            models.CheckConstraint(condition=~models.Q(first=models.F("second")), name="constituents_dismissal_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    GOVERNMENT = "government", "Government department"
    AGENCY = "agency", "Agency"
    NHS = "nhs", "NHS body"
    HOUSING = "housing", "Housing association"
    UTILITY = "utility", "Utility"
    POLICE = "police", "Police"
    OMBUDSMAN = "ombudsman", "Ombudsman"
    OTHER = "other", "Other"


class TargetUnit(models.TextChoices):
    WORKING = "working", "working days"
    CALENDAR = "calendar", "calendar days"


class Organisation(OfficeOwned, TimeStamped):
    """A body the office writes to on constituents' behalf."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    email = models.EmailField(max_length=254, blank=True)
    postal_address = models.TextField(blank=True)
    website = models.URLField(blank=True, help_text="Where the public contact page sends people first")
    hotline = models.TextField("MP hotline contacts", blank=True)
    required_identifiers = models.JSONField(
        default=list, blank=True, help_text="What they need before acting, e.g. Home Office reference"
    )
    requires_written_consent = models.BooleanField(default=False)
    reply_target = models.PositiveSmallIntegerField(null=True, blank=True)
    reply_target_unit = models.CharField(max_length=10, choices=TargetUnit.choices, default=TargetUnit.WORKING)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="constituents_organisation_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def reply_target_display(self) -> str:
        if self.reply_target is None:
            return "none set (21 calendar days assumed)"
        return f"{self.reply_target} {self.get_reply_target_unit_display()}"
