"""Demo letter templates, standard paragraphs and a letterhead (``manage.py seed_demo``).

Idempotent: a template or paragraph is added only when the office has none of that name, and
the letterhead only when the office has none. The logo and signature are drawn here (Pillow,
which WeasyPrint already needs), so no binary file lives in the repository.
"""

from __future__ import annotations

import io
import math
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from correspondence import letters
from correspondence.models import Addressee, Letterhead, LetterTemplate, StandardParagraph
from security.roles import Role


def _letter(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


TEMPLATES = [
    (
        "Acknowledgement",
        Addressee.CONSTITUENT,
        _letter(
            "Dear {{ constituent.salutation }},",
            "Thank you for contacting me about {{ case.summary }}. I am sorry to hear about the difficulties "
            "you have had.",
            "My office has opened a case for you with the reference {{ case.reference }}; please quote it if "
            "you get in touch again. We will look into the matter and I will write to you again as soon as I "
            "have news.",
            "Yours sincerely,",
        ),
    ),
    (
        "Enquiry to an organisation",
        Addressee.ORGANISATION,
        _letter(
            "Dear Sir or Madam,",
            "I am writing on behalf of my constituent, {{ constituent.full_name }}, of "
            "{{ constituent.address }}, who has asked for my help with {{ case.summary }}.",
            "I should be grateful if you would look into this matter and let me know what can be done. My "
            "constituent has given their consent for me to raise it with you. Please quote my reference "
            "{{ case.reference }} in your reply.",
            "Thank you for your help.",
            "Yours faithfully,",
        ),
    ),
    (
        "Update: reply received",
        Addressee.CONSTITUENT,
        _letter(
            "Dear {{ constituent.salutation }},",
            "I have now received a reply about {{ case.summary }}, and I enclose a copy for your information.",
            "Yours sincerely,",
        ),
    ),
]

PARAGRAPHS = [
    (
        "Consent form enclosed",
        "Consent",
        "consent",
        "I have enclosed a copy of the signed consent form you gave me, so that they can discuss your case "
        "with my office.",
    ),
    (
        "Waiting for their reply",
        "Updates",
        "waiting",
        "I have written to the organisation concerned and asked them to reply within four weeks. I will be "
        "in touch as soon as I hear from them.",
    ),
    (
        "Mandatory reconsideration",
        "Benefits",
        "mr",
        "If you have not already done so, you may wish to ask for a mandatory reconsideration of the "
        "decision. You must usually do this within one month of the date on the decision letter.",
    ),
    (
        "Keep in touch",
        "Closing",
        "in-touch",
        "If anything changes in the meantime, please contact my office, quoting the reference {{ case.reference }}.",
    ),
    (
        "Not a constituent",
        "Signposting",
        "not-constituent",
        "As a Member of Parliament I can only take up cases for people who live in my constituency. You may "
        "wish to contact your own MP, whom you can find at members.parliament.uk.",
    ),
]


def _png(image: Any) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile("image.png", buffer.getvalue(), content_type="image/png")


def demo_logo() -> SimpleUploadedFile:
    """A green shield with a white portcullis-like grid: recognisably a logo, no one's emblem."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((20, 20, 220, 220), radius=28, fill="#1b5e3b")
    for x in range(60, 200, 30):
        draw.line((x, 60, x, 190), fill="white", width=8)
    for y in (80, 120, 160):
        draw.line((50, y, 190, y), fill="white", width=8)
    draw.line((50, 56, 190, 56), fill="white", width=10)
    return _png(image)


def demo_signature() -> SimpleUploadedFile:
    """A flowing ink line, as a scanned signature would be."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (520, 150), "white")
    draw = ImageDraw.Draw(image)
    points = [
        (30 + t * 4.4, 85 - 38 * math.sin(t / 6.0) * math.exp(-t / 140) + 14 * math.sin(t / 1.7)) for t in range(105)
    ]
    draw.line(points, fill="#17306b", width=5, joint="curve")
    draw.line((60, 120, 470, 108), fill="#17306b", width=4)
    return _png(image)


@transaction.atomic
def seed(office: Any, people: dict[str, Any]) -> None:
    manager = people[Role.MANAGER]
    if not Letterhead.objects.for_office(office).exists():
        letters.letterhead_save(
            office=office,
            actor=manager,
            values={
                "mp_name": office.mp_name,
                "mp_title": f"Member of Parliament for {office.constituency}",
                "constituency": office.constituency,
                "address": office.letterhead_address,
                "contact": "020 7946 0000 · office@demo.example",
                "footer": "Please quote our reference in any reply. "
                "This letter may contain personal information: keep it safe.",
            },
            logo=demo_logo(),
            signature=demo_signature(),
        )
    for name, addressee, body in TEMPLATES:
        if not LetterTemplate.objects.for_office(office).filter(name=name).exists():
            letters.template_save(office=office, actor=manager, name=name, addressee=addressee, body=body)
    for title, category, shortcut, body in PARAGRAPHS:
        if not StandardParagraph.objects.for_office(office).filter(title=title).exists():
            letters.paragraph_save(
                office=office, actor=manager, title=title, category=category, shortcut=shortcut, body=body
            )
