"""Celery tasks of ingestion: thin, idempotent, taking ids. The database is the queue."""

from celery import shared_task

from correspondence import ingest


@shared_task
def process_raw(raw_id: int) -> str | None:
    outcome = ingest.process_raw(raw_id)
    return outcome.state if outcome else None


@shared_task
def parse_pending() -> int:
    return ingest.raw_parse_pending()


@shared_task
def poll_mailboxes() -> int:
    from correspondence import imap

    return sum(result.stored for result in imap.mailboxes_poll())


@shared_task
def send_outbox() -> int:
    from correspondence import outbox

    return outbox.outbox_send_due()


@shared_task
def sweep_enquiries() -> int:
    from correspondence import enquiries

    return enquiries.enquiries_sweep()


@shared_task
def send_enquiry_digests() -> int:
    from correspondence import digests

    return digests.digests_send_due()
