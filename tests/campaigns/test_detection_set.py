"""Detection on the labelled set (tests/campaigns/detection_set, generated and committed before tuning).

Every message is ingested in arrival order through the real path (store, parse, the campaigns
hook), with the clock at its arrival time. Grouping is scored over pairs of messages: a pair is
predicted together when both are in one campaign, and truly together when both carry one label.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools

import pytest

from campaigns.models import Campaign, CampaignMember
from correspondence.models import TriageState
from tests.campaigns.conftest import SET_START, ingest_at, labelled_set

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]


def _pairs(groups: dict[int, object]) -> set[tuple[int, int]]:
    by_label = collections.defaultdict(list)
    for index, label in groups.items():
        if label is not None:
            by_label[label].append(index)
    return {pair for members in by_label.values() for pair in itertools.combinations(sorted(members), 2)}


def test_grouping_and_the_personalised_flag_on_the_labelled_set(office):
    rows = labelled_set()
    messages = [ingest_at(office, row["raw"].encode(), SET_START + dt.timedelta(minutes=row["minute"])) for row in rows]
    members = {m.message_id: m for m in CampaignMember.objects.for_office(office)}

    predicted = {i: members[m.pk].campaign_id if m.pk in members else None for i, m in enumerate(messages)}
    truth = {i: row["campaign"] for i, row in enumerate(rows)}
    predicted_pairs, true_pairs = _pairs(predicted), _pairs(truth)
    correct = predicted_pairs & true_pairs
    precision = len(correct) / len(predicted_pairs)
    recall = len(correct) / len(true_pairs)

    flagged = {i for i, m in enumerate(messages) if m.pk in members and members[m.pk].personalised}
    personal = {i for i, row in enumerate(rows) if row["personalised"]}
    flag_precision = len(flagged & personal) / len(flagged)
    flag_recall = len(flagged & personal) / len(personal)

    misses = [
        (rows[i]["campaign"], rows[i]["variant"])
        for i in range(len(rows))
        if rows[i]["campaign"] and predicted[i] is None
    ]
    wrong = [rows[i]["variant"] for i in range(len(rows)) if not rows[i]["campaign"] and predicted[i] is not None]
    print(
        f"\ngrouping precision {precision:.3f} recall {recall:.3f}; personalised precision {flag_precision:.3f} "
        f"recall {flag_recall:.3f}; campaigns {Campaign.objects.for_office(office).count()}\nmissed {misses}\n"
        f"wrongly grouped {wrong}"
    )
    assert precision >= 0.98
    assert recall >= 0.95
    assert flag_precision >= 0.9
    assert flag_recall >= 0.9
    # One campaign per label, each out of triage.
    assert Campaign.objects.for_office(office).count() == len({row["campaign"] for row in rows if row["campaign"]})
    in_campaigns = [m for i, m in enumerate(messages) if predicted[i] is not None]
    assert {m.__class__.objects.for_office(office).get(pk=m.pk).triage_state for m in in_campaigns} == {
        TriageState.CAMPAIGN
    }
