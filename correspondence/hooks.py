"""What apps to the right of correspondence do with each new inbound email (campaign detection).

Ingestion cannot import them, so they register a hook from ``AppConfig.ready()``. Ingestion calls
``inbound_email_stored`` inside the parse transaction, after the message and its attachments are
stored. Each hook runs in a savepoint: a hook that fails is logged and rolled back on its own,
and the message is kept (a hook must be idempotent and have a sweep of its own for what it missed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from correspondence.models import Message

logger = logging.getLogger(__name__)

InboundHook = Callable[[Message], None]
_hooks: dict[str, InboundHook] = {}


def register_inbound(name: str, hook: InboundHook) -> None:
    _hooks[name] = hook


def inbound_email_stored(message: Message) -> None:
    for name, hook in list(_hooks.items()):
        try:
            with transaction.atomic():
                hook(message)
        except Exception:  # the message is safe; the hook's own sweep retries it
            logger.exception("The %s hook failed on message %s", name, message.pk)
