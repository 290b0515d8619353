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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AuditEvent.objects.create(
        **_who(actor, actor_kind),
        office=office,
        verb=verb,
        object_type=object_type,
        object_id=str(object_id or ""),
        fields=sorted(set(fields)),
    )


def audit_records(
    *,
    office: Office | None,
    events: Iterable[tuple[str, models.Model]],
    actor: User | None = None,
    actor_kind: str | None = None,
) -> None:
    """``audit_record`` for several (verb, object) events of one actor, in one INSERT."""
    who = _who(actor, actor_kind)
    AuditEvent.objects.bulk_create(
        AuditEvent(**who, office=office, verb=verb, object_type=obj._meta.label_lower, object_id=str(obj.pk))
        for verb, obj in events
    )


def _who(actor: Any, actor_kind: str | None) -> dict[str, Any]:
    """Actor, kind and request metadata. A caller without a pk (an API token's) is no person."""
    meta = requestcontext.current()
    person = actor if actor is not None and getattr(actor, "pk", None) else None
    if actor_kind is None:
        if person is not None:
            actor_kind = ActorKind.USER
        elif meta.api_token_id is not None:
            actor_kind = ActorKind.API_TOKEN
        else:
            actor_kind = ActorKind.SYSTEM
    return {
        "actor": person,
        "actor_kind": actor_kind,
        "api_token_id": meta.api_token_id,
        "ip": meta.ip,
        "user_agent": meta.user_agent[:300],
        "request_id": meta.request_id,
    }


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


def audit_view_many(request: Any, rows: Iterable[models.Model], *, verb: str | None = None) -> None:
    """``audit_view`` for a page of rows, in one INSERT however many rows (API lists)."""
    seen: set[tuple[str, Any]] = request.__dict__.setdefault(_VIEWED_ATTR, set())
    fresh = []
    for row in rows:
        key = (row._meta.label_lower, row.pk)
        if key not in seen:
            seen.add(key)
            fresh.append(row)
    if not fresh:
        return
    who = _who(request.user, None)
    office = getattr(request, "office", None)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            **who,
            office=office,
            verb=verb or f"{row._meta.app_label}.{row._meta.model_name}.viewed",
            object_type=row._meta.label_lower,
            object_id=str(row.pk),
        )
        for row in fresh
    )


def allow_audit_purge() -> None:
    """Let this transaction change audit rows (an office leaving, retention). PostgreSQL only.

    The caller must be inside ``transaction.atomic`` and must have recorded why.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('mpoffice.audit_purge', 'on', true)")
