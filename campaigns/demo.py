"""A demo campaign for ``manage.py seed_demo``: a dozen emails about buses, found by detection, with a
response drafted and waiting for the MP's approval. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from campaigns import detection, responses
from campaigns.models import Campaign
from correspondence.models import Message
from security.models import Office
from security.roles import Role

TEXT = (
    "As your constituent I am deeply worried about the cuts to bus services across our area. Several routes "
    "have been withdrawn this year and many villages now have no service at all after six in the evening.\n\n"
    "For people who do not drive, buses are a lifeline. They take us to work, to school, to hospital "
    "appointments and to see our families.\n\n"
    "I am asking you to press the government for long-term funding for local bus networks, so that councils "
    "can plan services for years rather than months."
)
STORY = (
    "I am seventy eight and gave up driving two years ago. The number 34 was my only way to the hospital for "
    "my eye appointments, and since it was cut I have had to rely on neighbours who work long hours themselves."
)
SENDERS = [
    ("Priya Shah", "NT1 1AB"),
    ("Tom Hughes", "NT1 2CD"),
    ("Ewan Reid", ""),
    ("Grace Okafor", "NT2 4EF"),
    ("Sam Patel", ""),
    ("Lily Evans", "LS1 4AP"),
    ("Noah Clarke", "NT1 1AB"),
    ("Ava Morris", ""),
    ("Jack Turner", "NT3 9GH"),
    ("Isla Brown", ""),
    ("Oscar Green", "NT2 4EF"),
    ("Freya Hall", ""),
]


def seed_demo(office: Office, people: dict[str, Any]) -> None:
    if Campaign.objects.for_office(office).exists():
        return
    now = timezone.now()
    messages = []
    for n, (name, postcode) in enumerate(SENDERS):
        body = f"{STORY}\n\n{TEXT}" if n in (2, 7) else TEXT
        greeting = "Dear Alex," if n % 2 else "Hello,"
        sign_off = f"Yours sincerely,\n{name}" + (f"\n{postcode}" if postcode else "")
        first = name.split()[0].lower()
        messages.append(
            Message.objects.create(
                office=office,
                direction="in",
                channel="email",
                sender_name=name,
                sender_email=f"{first}.{n}@example.org",
                subject="Save our local bus services",
                text=f"{greeting}\n\n{body}\n\n{sign_off}\n",
                message_id=f"demo-campaign-{n}@example.org",
                received_at=now - dt.timedelta(hours=30 - 2 * n),
            )
        )
    result = detection.detect_messages(office=office, messages=messages)
    writer = people.get(Role.CASEWORKER)
    for campaign in result.created:
        responses.version_save(
            office=office,
            actor=writer,
            campaign=campaign,
            subject="Your email about local bus services",
            body="Dear {{ first_name }},\n\nThank you for writing to me about bus services in {{ constituency }}. "
            "I share your concern and have written to the minister to ask for long-term funding for local "
            "bus networks.\n\nYours sincerely,\n{{ mp_name }}",
            submit=True,
        )
