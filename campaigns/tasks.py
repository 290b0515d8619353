"""Celery tasks of campaigns: thin, idempotent. The database is the queue."""

from celery import shared_task


@shared_task
def detect_pending() -> int:
    from campaigns import detection

    return detection.detect_pending()


@shared_task
def prune_signatures() -> int:
    from campaigns import services

    return services.signatures_prune()
