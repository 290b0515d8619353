"""An office's campaign settings, and the lock that serialises every change of campaign membership."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from campaigns.models import CampaignSettings
from security.models import Office


def settings_for(office: Office) -> CampaignSettings:
    """The office's settings, created with the defaults on first need."""
    found = CampaignSettings.objects.for_office(office).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CampaignSettings.objects.create(office=office)
    except IntegrityError:  # another worker created it first
        return CampaignSettings.objects.for_office(office).get()


def lock(office: Office) -> CampaignSettings:
    """Take the office's detection lock until the end of the transaction, and return its settings.

    ``SELECT … FOR UPDATE`` on the office's settings row: detection, merging, splitting and moving
    messages in or out of campaigns of one office wait for each other, so two workers ingesting
    the same campaign text cannot both found a campaign. (SQLite serialises writers anyway.)
    """
    locked = CampaignSettings.objects.for_office(office).select_for_update().first()
    if locked is None:  # the office's first campaign mail: its settings row, whoever inserts it first
        CampaignSettings.objects.for_office(office).bulk_create(
            [CampaignSettings(office=office)], ignore_conflicts=True
        )
        locked = CampaignSettings.objects.for_office(office).select_for_update().get()
    return locked
