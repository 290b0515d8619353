"""Celery tasks of the reports app: thin, idempotent, taking ids. The database is the queue."""

from celery import shared_task

from reports import services


@shared_task
def sweep() -> int:
    """Beat: create the reports that have fallen due and hand every waiting one to a worker."""
    due = services.reports_sweep()
    for report_id in due:
        services.enqueue(report_id)
    return len(due)


@shared_task
def produce(report_id: int) -> str | None:
    report = services.report_produce(report_id=report_id)
    return report.status if report else None


@shared_task
def deliver() -> int:
    return services.report_deliveries_email_due()
