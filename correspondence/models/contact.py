"""The public contact page: what it offers a constituent before the form, and the office's published positions."""

from __future__ import annotations

from django.db import models

from constituents.models import Organisation
from security.models import TimeStamped
from security.scoping import OfficeOwned


class TopicKind(models.TextChoices):
    SIGNPOST = "signpost", "Another body must deal with it first (say where to go)"
    POSITION = "position", "The MP's view on an issue (show the published positions)"
    WRITE = "write", "Write to the office (show the form)"


class ContactTopic(OfficeOwned):
    """One choice on the public contact page: 'What is it about?'."""

    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=TopicKind.choices, default=TopicKind.WRITE)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="contact_topics"
    )
    guidance = models.TextField(
        blank=True, help_text="Shown to the constituent: where to go first, and what the MP can do if that fails"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "title", "id"]

    def __str__(self) -> str:
        return self.title


class PublishedPosition(OfficeOwned, TimeStamped):
    """The MP's published view on an issue, shown on the public contact page."""

    title = models.CharField(max_length=200)
    body = models.TextField()
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title
