"""Checks behind /healthz. They report status only, never data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from mpoffice.celery import app as celery_app


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def check_broker() -> dict[str, Any]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "transport": conn.transport_cls}


def check_heartbeat() -> dict[str, Any]:
    # Imported here: mpoffice.lib imports no app, but the health report reads security's row.
    from security.models import Heartbeat

    try:
        last = Heartbeat.objects.filter(pk=Heartbeat.SINGLETON_ID).values_list("beat_at", flat=True).first()
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": type(error).__name__}
    if last is None:
        return {"ok": False, "last_beat_at": None, "age_seconds": None}
    age = (timezone.now() - last).total_seconds()
    stale_after = 3 * settings.HEARTBEAT_INTERVAL_SECONDS
    return {"ok": age <= stale_after, "last_beat_at": last.isoformat(), "age_seconds": round(age, 1)}


def check_all() -> dict[str, Any]:
    report = {"database": check_database(), "broker": check_broker()}
    report["heartbeat"] = check_heartbeat() if report["database"]["ok"] else {"ok": False}
    ok = all(part["ok"] for part in report.values())
    return {"status": "ok" if ok else "degraded", **report}
