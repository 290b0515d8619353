"""System mail to staff: one function per message, each a subject/text/html template triple.

Mail to constituents and third parties does not go through here: it leaves through the
correspondence outbox.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def _send(*, template: str, to: str, context: dict[str, Any]) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_invitation(*, to: str, office_name: str, token: str) -> None:
    _send(template="invitation", to=to, context={"office_name": office_name, "token": token})


def send_notification(*, to: str, office_name: str, title: str, link: str) -> None:
    _send(template="notification", to=to, context={"office_name": office_name, "title": title, "link": link})


def send_enquiry_digest(*, to: str, office_name: str, overdue: list[dict], due_soon: list[dict]) -> None:
    """Each row: {"organisation", "reference", "due_on", "link"}."""
    context = {"office_name": office_name, "overdue": overdue, "due_soon": due_soon}
    _send(template="enquiry_digest", to=to, context=context)
