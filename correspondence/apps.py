from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"

    def ready(self) -> None:
        from casework import search as casework_search
        from correspondence import erasure, retention, search_index
        from correspondence import models as m
        from correspondence.search import message_hits
        from security.dataprotection import cleanup
        from security.personal_data import PersonalData, Retention, register

        register(
            PersonalData(
                model=m.Message,
                fields=("sender_name", "sender_email", "recipients", "subject", "text", "html"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=erasure.messages_of,
                rows_for_cases=lambda office, ids: m.Message.objects.for_office(office).filter(case_id__in=ids),
                erase=erasure.message_anonymise,
                reindex=search_index.refresh_messages,
                names=lambda msg: [
                    msg.sender_name,
                    *(r.get("name", "") for r in msg.recipients if isinstance(r, dict)),
                ],
                describe=lambda msg: (
                    f"{msg.get_channel_display()} {msg.get_direction_display().lower()} "
                    f"{msg.received_at:%-d %b %Y}: {msg.subject or '(no subject)'}"
                ),
            )
        )
        register(
            PersonalData(
                model=m.RawEmail,
                fields=("raw",),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=erasure.raw_emails_of,
                rows_for_cases=lambda office, ids: m.RawEmail.objects.for_office(office).filter(
                    message__case_id__in=ids
                ),
                erase=erasure.raw_email_erase,
                move=erasure.raw_email_move,
                # The bytes as they came: exported as text, not as a Python bytes repr.
                export=lambda row: {"raw": bytes(row.raw).decode("utf-8", "replace")},
                describe=lambda row: f"The email as received, {row.received_at:%-d %b %Y} ({row.size} bytes)",
            )
        )
        register(
            PersonalData(
                model=m.Attachment,
                fields=("name", "file"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=erasure.attachments_of,
                rows_for_cases=lambda office, ids: m.Attachment.objects.for_office(office).filter(
                    message__case_id__in=ids
                ),
                describe=lambda row: f"Attachment “{row.name}” ({row.size} bytes)",
            )
        )
        cleanup.register_handler(erasure.IMAP_DELETE, erasure.imap_copy_delete)
        retention.register()
        from security.personal_data import declare_no_personal_data

        declare_no_personal_data(m.Mailbox, "The office's own mailbox settings (a staff account, not a constituent)")
        declare_no_personal_data(m.MailboxFolderState, "Polling positions: folder names and UIDs")
        casework_search.register(casework_search.Provider("messages", "Messages", message_hits, order=40))
        from correspondence.sections import register_all

        register_all()
