from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"

    def ready(self) -> None:
        from casework import search as casework_search
        from correspondence import models as m
        from correspondence.search import message_hits
        from security.personal_data import PersonalData, Retention, register

        register(
            PersonalData(
                model=m.Message,
                fields=("sender_name", "sender_email", "recipients", "subject", "text", "html"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=lambda office, c: m.Message.objects.for_office(office).filter(constituent=c),
            )
        )
        register(
            PersonalData(
                model=m.RawEmail,
                fields=("raw",),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=lambda office, c: m.RawEmail.objects.for_office(office).filter(
                    message__constituent=c
                ),
                # The bytes as they came: exported as text, not as a Python bytes repr.
                export=lambda row: {"raw": bytes(row.raw).decode("utf-8", "replace")},
            )
        )
        register(
            PersonalData(
                model=m.Attachment,
                fields=("name", "file"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=lambda office, c: m.Attachment.objects.for_office(office).filter(
                    message__constituent=c
                ),
            )
        )
        from security.personal_data import declare_no_personal_data

        declare_no_personal_data(m.Mailbox, "The office's own mailbox settings (a staff account, not a constituent)")
        declare_no_personal_data(m.MailboxFolderState, "Polling positions: folder names and UIDs")
        declare_no_personal_data(m.LetterTemplate, "The office's own letter wording, with merge fields, not values")
        declare_no_personal_data(m.StandardParagraph, "The office's own reusable wording, with merge fields")
        declare_no_personal_data(
            m.Letterhead, "The office's letterhead: the MP's public name and title, office address, logo, signature"
        )
        casework_search.register(casework_search.Provider("messages", "Messages", message_hits, order=40))
        from correspondence import demo_letters, sections, sections_letters
        from security import demo as demo_registry

        sections.register_all()
        sections_letters.register_all()
        demo_registry.register(demo_letters.seed)
