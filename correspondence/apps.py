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
                fields=("sender_name", "sender_email", "recipients", "subject", "text", "html", "form_data"),
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
        register(
            PersonalData(
                model=m.OutgoingEmail,
                fields=("to_email", "to_name", "subject", "text", "html", "headers"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=erasure.outgoing_of,
                rows_for_cases=lambda office, ids: m.OutgoingEmail.objects.for_office(office).filter(
                    timeline_message__case_id__in=ids
                ),
                erase=erasure.outgoing_anonymise,
                describe=lambda row: (
                    f"Email {row.get_status_display().lower()}, {row.created_at:%-d %b %Y}: {row.subject}"
                ),
            )
        )
        register(
            PersonalData(
                model=m.Enquiry,
                fields=("question", "identifiers"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=lambda office, c: m.Enquiry.objects.for_office(office).filter(case__constituent=c),
                rows_for_cases=lambda office, ids: m.Enquiry.objects.for_office(office).filter(case_id__in=ids),
                erase=erasure.enquiry_anonymise,
                move=erasure.enquiry_move,
                describe=lambda row: f"Enquiry to {row.organisation}, sent {row.sent_on:%-d %b %Y}",
            )
        )
        register(
            PersonalData(
                model=m.EnquiryStep,
                fields=("note", "draft_subject", "draft_text"),
                retention=Retention.CORRESPONDENCE,
                rows_for_constituent=lambda office, c: m.EnquiryStep.objects.for_office(office).filter(
                    enquiry__case__constituent=c
                ),
                rows_for_cases=lambda office, ids: m.EnquiryStep.objects.for_office(office).filter(
                    enquiry__case_id__in=ids
                ),
                erase=erasure.enquiry_step_erase,
                describe=lambda row: f"{row.get_kind_display()}, {row.created_at:%-d %b %Y}",
            )
        )
        from security.personal_data import declare_no_personal_data

        declare_no_personal_data(m.EnquirySettings, "The office's chasing rules")
        declare_no_personal_data(m.DigestOptOut, "A staff preference: no daily digest")
        declare_no_personal_data(m.DigestSent, "Which staff digest went out on which day")

        declare_no_personal_data(m.SendingIdentity, "The office's own From address and mail server settings")
        declare_no_personal_data(m.ContactTopic, "The office's public contact page: topics and where to go")
        declare_no_personal_data(m.PublishedPosition, "The MP's published views on issues")
        declare_no_personal_data(m.OutboxBatch, "A label and a state for a group of outgoing emails")

        declare_no_personal_data(m.Mailbox, "The office's own mailbox settings (a staff account, not a constituent)")
        declare_no_personal_data(m.MailboxFolderState, "Polling positions: folder names and UIDs")
        declare_no_personal_data(m.LetterTemplate, "The office's own letter wording, with merge fields, not values")
        declare_no_personal_data(m.StandardParagraph, "The office's own reusable wording, with merge fields")
        declare_no_personal_data(
            m.Letterhead, "The office's letterhead: the MP's public name and title, office address, logo, signature"
        )
        from mpoffice.lib.encryption import register_encrypted

        register_encrypted(m.Mailbox, m.Mailbox.ENCRYPTED_FIELDS)
        register_encrypted(m.SendingIdentity, ("smtp_password_encrypted",))
        casework_search.register(casework_search.Provider("messages", "Messages", message_hits, order=40))
        from correspondence import demo, demo_letters, sections, sections_letters
        from security import demo as demo_registry

        sections.register_all()
        sections_letters.register_all()
        demo_registry.register(demo.seed_demo)
        demo_registry.register(demo_letters.seed)
        _register_office_menu()


def _register_office_menu() -> None:
    from security.office_menu import Entry, register
    from security.roles import Perm

    manage = Perm.MANAGE_OFFICE
    register(
        Entry("Work queues", "Outbox", "correspondence:outbox", manage, "Outgoing email: waiting, sent, failed"),
        Entry("Work queues", "Quarantine", "correspondence:quarantine", manage, "Email that could not be read"),
        Entry("Correspondence", "Mailboxes", "correspondence:mailbox_list", manage, "Where incoming mail is read"),
        Entry("Correspondence", "Sending email", "correspondence:identity_edit", manage, "From, server, limits"),
        Entry("Correspondence", "Chasing", "correspondence:enquiry_settings", manage, "Reminders, escalation ladder"),
        Entry(
            "Reports",
            "Agency responsiveness",
            "correspondence:responsiveness",
            Perm.VIEW_DASHBOARD,
            "How quickly each organisation answers",
        ),
        Entry("Correspondence", "Letters", "correspondence:letter_template_list", manage, "Templates, paragraphs"),
        Entry("Correspondence", "Public contact page", "correspondence:contact_settings", manage, "Topics, positions"),
    )
