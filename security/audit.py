"""The audit log's write path. Call it inside the service's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from security import requestcontext
from security.models import ActorKind, AuditEvent, Office, User

_VIEWED_ATTR = "_audited_views"


def audit_record(
    *,
    verb: str,
    office: Office | None,
    actor: User | None = None,
    actor_kind: str | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Append one event. ``fields`` are names only: values of personal fields never go here."""
    meta = requestcontext.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if actor_kind is None:
        actor_kind = ActorKind.USER if actor is not None else ActorKind.SYSTEM
    return AuditEvent.objects.create(
        office=office,
        actor=actor if actor is not None and actor.pk else None,
        actor_kind=actor_kind,
        verb=verb,
        object_type=object_type,
        object_id=str(object_id or ""),
        fields=sorted(set(fields)),
        ip=meta.ip,
        user_agent=meta.user_agent[:300],
        request_id=meta.request_id,
    )


def audit_view(request: Any, obj: models.Model, *, verb: str | None = None) -> None:
    """Record that the requesting user saw ``obj``'s personal data — once per request and row."""
    seen: set[tuple[str, Any]] = request.__dict__.setdefault(_VIEWED_ATTR, set())
    key = (obj._meta.label_lower, obj.pk)
    if key in seen:
        return
    seen.add(key)
    audit_record(
        verb=verb or f"{obj._meta.app_label}.{obj._meta.model_name}.viewed",
        office=getattr(request, "office", None),
        actor=request.user,
        obj=obj,
    )


def allow_audit_purge() -> None:
    """Let this transaction change audit rows (an office leaving, retention). PostgreSQL only.

    The caller must be inside ``transaction.atomic`` and must have recorded why.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('mpoffice.audit_purge', 'on', true)")
