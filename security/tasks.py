from celery import shared_task

from security import services


@shared_task
def heartbeat() -> None:
    services.heartbeat_record()


@shared_task
def email_notifications() -> int:
    return services.notifications_email_due()


@shared_task
def cleanups_run() -> int:
    from security.dataprotection import cleanup

    return cleanup.cleanups_run()


@shared_task
def retention_sweep() -> int:
    from security.dataprotection import retention

    return retention.retention_sweep()


@shared_task
def office_export_run(export_id: int) -> str | None:
    from security.dataprotection import office_export

    export = office_export.office_export_run(export_id)
    return export.status if export else None


@shared_task
def office_exports_sweep() -> int:
    from security.dataprotection import office_export

    return office_export.office_exports_sweep()
