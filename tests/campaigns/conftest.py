"""Campaign fixtures: the labelled detection set, ingesting mail at a given time, a campaign ready to answer."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import time_machine

from correspondence import ingest
from correspondence.models import Message, RawSource

SET = Path(__file__).parent / "detection_set" / "messages.jsonl"
SET_START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def labelled_set() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def ingest_at(office, raw: bytes, when: dt.datetime) -> Message:
    """Store and parse ``raw`` as ingestion does, with the clock at ``when``."""
    with time_machine.travel(when, tick=False):
        result = ingest.ingest_one(office=office, raw=raw, source=RawSource.UPLOAD)
    return Message.objects.for_office(office).get(raw_email_id=result.raw_id)


def campaign_email(
    n: int, *, body: str, sender: str | None = None, subject: str = "Save our buses", extra_headers: str = ""
) -> bytes:
    sender = sender or f"person{n}@example.org"
    return (
        f"From: Person {n} <{sender}>\r\nTo: mp@office.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <c{n}-{abs(hash(body)) % 10_000}@example.org>\r\n{extra_headers}"
        f"Date: Tue, 3 Mar 2026 10:15:00 +0000\r\n\r\nDear Jo,\r\n\r\n{body}\r\n\r\nYours sincerely,\r\nPerson {n}\r\n"
    ).encode()


BUSES = (
    "As your constituent I am deeply worried about the cuts to bus services across our area. Several routes "
    "have been withdrawn this year and many villages now have no service at all after six in the evening.\r\n\r\n"
    "For people who do not drive, buses are a lifeline. They take us to work, to school, to hospital "
    "appointments and to see our families.\r\n\r\nI am asking you to press the government for long-term funding "
    "for local bus networks, so that councils can plan services for years rather than months."
)


def inbound(office, n: int, *, body: str = BUSES, sender: str | None = None, when: dt.datetime | None = None, **values):
    """An inbound email already parsed (no raw bytes), as ingestion leaves it in triage."""
    from correspondence.models import Message

    fields = {
        "direction": "in",
        "channel": "email",
        "sender_name": f"Person {n}",
        "sender_email": sender or f"person{n}@example.org",
        "subject": "Save our buses",
        "text": f"Dear Jo,\n\n{body}\n\nYours sincerely,\nPerson {n}\n",
        "message_id": f"c{n}@example.org",
        "received_at": when or dt.datetime.now(tz=dt.UTC),
        **values,
    }
    return Message.objects.create(office=office, **fields)


def detected_campaign(office, size: int = 6, *, body: str = BUSES, start: int = 0):
    """A campaign found by detection from ``size`` messages of different senders."""
    from campaigns import detection
    from campaigns.models import CampaignMember

    messages = [inbound(office, n, body=body) for n in range(start, start + size)]
    detection.detect_messages(office=office, messages=messages)
    return CampaignMember.objects.for_office(office).get(message=messages[0]).campaign


_WORDS = re.findall(
    r"[a-z]+",
    "library council funding children school hospital road river park station village housing benefit rent "
    "nurse doctor teacher bus train bridge flood field farm shop market church hall pool garden street lane "
    "winter summer evening morning family neighbour elderly young support protect save stop cut close open "
    "local national government minister parliament budget plan target law vote petition letter campaign",
)


def distinct_text(seed: int, words: int = 60) -> str:
    """A text of its own for each seed (another campaign's text)."""
    import random

    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."
