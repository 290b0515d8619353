"""A campaign's text (the shingles most of its messages share) and each member's personalised flag.

The text is first the consensus of the messages that founded the campaign; as the campaign grows
(``REFRESH_AT``) and after a merge or split it is taken again from more messages, so one founder's
story or dropped paragraph does not stay in (or out of) it, and every member's flag is recomputed.
"""

from __future__ import annotations

import functools

import numpy as np
from django.db.models import Max, Min

from campaigns import platforms, text
from campaigns.models import Campaign, CampaignMember, CampaignSettings

# Personalised: at least this share of the message, and this many shingles, are not the campaign's.
PERSONAL_SHARE = 0.25
PERSONAL_MIN = 30
SAMPLE = 50
# Member counts at which detection takes the campaign's text again.
REFRESH_AT = (10, 30)


def personalised(hashes: np.ndarray, template: np.ndarray) -> tuple[bool, float]:
    """(flag, share of the message not in the campaign's text)."""
    if not len(template) or hashes is None or not len(hashes):
        return False, 0.0
    share, own = text.own_share(hashes, template)
    return share >= PERSONAL_SHARE and own >= PERSONAL_MIN, round(share, 3)


def hashes_of(body: str, settings: CampaignSettings) -> np.ndarray:
    return text.shingle_hashes(text.comparable_text(body, _phrases(settings.platforms)))


@functools.lru_cache(maxsize=64)
def _phrases(setting: str) -> tuple[str, ...]:
    return platforms.footer_phrases(platforms.parse_lenient(setting))


def refresh(campaign: Campaign, settings: CampaignSettings) -> np.ndarray:
    """Take the campaign's text again from its earliest messages; recompute every member's flag.

    Reads every member's text: for a campaign of thousands (a merge) this takes seconds.
    """
    members = CampaignMember.objects.for_office(campaign.office).filter(campaign=campaign).order_by("received_at", "id")
    bodies = dict(members.values_list("pk", "message__text"))
    hashes = {pk: hashes_of(body, settings) for pk, body in bodies.items()}
    sample = [hashes[pk] for pk in list(bodies)[:SAMPLE]]
    template = text.consensus(sample) if len(sample) > 1 else (sample[0] if sample else text.consensus([]))
    campaign.template = text.to_bytes(template)
    times = members.aggregate(first=Min("received_at"), last=Max("received_at"))
    if times["first"]:
        campaign.first_message_at, campaign.last_message_at = times["first"], times["last"]
    campaign.save(update_fields=["template", "first_message_at", "last_message_at", "updated_at"])
    changed = []
    for member in members.only("pk", "personalised", "own_share"):
        flag, share = personalised(hashes[member.pk], template)
        if (flag, share) != (member.personalised, member.own_share):
            member.personalised, member.own_share = flag, share
            changed.append(member)
    CampaignMember.objects.for_office(campaign.office).bulk_update(changed, ["own_share", "personalised"], 1000)
    return template
