"""Letters on the MP's letterhead: the office's templates, standard paragraphs and letterhead.

The letters themselves are outgoing ``Message`` rows of channel letter, each with its PDF as an
``Attachment``; these models are what the office writes them from.
"""

from __future__ import annotations

from django.db import models

from security.models import TimeStamped
from security.scoping import OfficeOwned


class Addressee(models.TextChoices):
    CONSTITUENT = "constituent", "The constituent"
    ORGANISATION = "organisation", "An organisation"


class LetterTemplate(OfficeOwned, TimeStamped):
    """A letter with merge fields (``{{ constituent.full_name }}``), written by the office.

    The body is plain text in the merge syntax of ``correspondence.merge``, never a Django
    template: it is checked against the allow-list when saved and again when used.
    """

    name = models.CharField(max_length=120)
    addressee = models.CharField(
        max_length=12, choices=Addressee.choices, default=Addressee.CONSTITUENT, help_text="Who it is usually sent to"
    )
    body = models.TextField()
    is_active = models.BooleanField("In use", default=True)
    chaser_for = models.ForeignKey(
        "constituents.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Chasers to",
        help_text="Chasers of overdue enquiries to this organisation are drafted from this template",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="correspondence_lettertemplate_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StandardParagraph(OfficeOwned, TimeStamped):
    """A reusable paragraph inserted into letters and email replies; may hold merge fields."""

    title = models.CharField(max_length=120)
    category = models.CharField(max_length=60, blank=True, help_text="Groups paragraphs in the picker")
    shortcut = models.SlugField(
        max_length=30, blank=True, help_text="A short word to find it by when writing, e.g. uc-sanction"
    )
    body = models.TextField()
    is_active = models.BooleanField("In use", default=True)

    class Meta:
        ordering = ["category", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "title"], name="correspondence_paragraph_title"),
            models.UniqueConstraint(
                fields=["office", "shortcut"],
                condition=~models.Q(shortcut=""),
                name="correspondence_paragraph_shortcut",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def letterhead_path(instance: Letterhead, filename: str) -> str:
    # The office is in the path; the service names the file after its kind and content hash.
    return f"offices/{instance.office_id}/letterhead/{filename}"


class Letterhead(OfficeOwned, TimeStamped):
    """How the office's letters look: who signs, where the office is, the logo and signature.

    One per office. Its images are PNG or JPEG under the office's storage path; the PDF
    renderer may fetch them and nothing else.
    """

    mp_name = models.CharField("MP's name as signed", max_length=200)
    mp_title = models.CharField(
        "Title under the name", max_length=200, blank=True, help_text="e.g. Member of Parliament for Northtown"
    )
    constituency = models.CharField(max_length=200, blank=True)
    address = models.TextField("Office address", blank=True, help_text="Shown in the letterhead, one line each")
    contact = models.CharField(
        "Telephone and email", max_length=300, blank=True, help_text="One line under the address"
    )
    footer = models.CharField(max_length=300, blank=True, help_text="Small print at the foot of every page")
    logo = models.FileField(upload_to=letterhead_path, max_length=300, blank=True)
    signature = models.FileField("MP's signature", upload_to=letterhead_path, max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office"], name="correspondence_letterhead_office")]

    def __str__(self) -> str:
        return f"Letterhead of {self.mp_name}"
