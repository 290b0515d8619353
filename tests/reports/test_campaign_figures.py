"""The dashboard's campaign mail panel against hand-made campaign mail."""

import datetime as dt

from django.utils import timezone

from campaigns.models import Campaign, CampaignMember
from correspondence.models import Message
from reports import figures
from reports.periods import Period


def test_campaign_volumes_count_constituents_and_others_in_the_period(office):
    campaign = Campaign.objects.create(office=office, name="Save the library")
    inside = timezone.make_aware(dt.datetime(2026, 11, 10, 12))
    for n, (received, where) in enumerate(
        [(inside, "yes"), (inside, "no"), (inside, "unknown"), (inside - dt.timedelta(days=60), "yes")]
    ):
        message = Message.objects.create(office=office, direction="in", channel="email", subject=f"m{n}")
        CampaignMember.objects.create(
            office=office, campaign=campaign, message=message, received_at=received, in_constituency=where
        )
    scope = figures.scope_for(office, Period(dt.date(2026, 11, 1), dt.date(2026, 11, 27)))
    (figure,) = figures.build(scope, keys=("campaigns",), use_cache=False)
    assert figure.rows == [("Save the library", 3, 1, 2)]
