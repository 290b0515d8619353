from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from mpoffice import checks  # noqa: F401 - registers the configuration checks
        from security import personal_data
        from security.models import (
            ApiToken,
            Erasure,
            Handover,
            Invitation,
            Notification,
            OfficeExport,
            PendingCleanup,
            RetentionPolicy,
            RetentionRun,
            SubjectAccessRequest,
        )

        personal_data.register(
            personal_data.PersonalData(model=Invitation, fields=("email",), retention=personal_data.Retention.STAFF)
        )
        personal_data.declare_no_personal_data(
            Notification, "Staff notifications: titles name case references, never constituents' details."
        )
        personal_data.declare_no_personal_data(
            ApiToken, "API tokens: the name of an integration and a hash of its token; nobody's personal details."
        )
        personal_data.register(
            personal_data.PersonalData(
                model=SubjectAccessRequest,
                fields=("notes", "extension_reason", "redact_terms", "export_file"),
                retention=personal_data.Retention.DATA_PROTECTION,
                rows_for_constituent=lambda office, c: SubjectAccessRequest.objects.for_office(office).filter(
                    subject_id=c.pk
                ),
                describe=lambda row: f"Subject access request received {row.received_on:%-d %b %Y}",
                # Their own request, not the reviewer's working notes (names to redact).
                export=lambda row: {
                    "received_on": row.received_on,
                    "received_by": row.get_received_by_display(),
                    "due_on": row.due_on,
                    "notes": row.notes,
                    "answered_at": row.answered_at,
                },
                erase=_sar_erase,
                # The office that answered keeps the record of answering: a handover leaves it.
                move=lambda row, office: None,
            )
        )
        from security.dataprotection import office_export, retention_rules

        retention_rules.register()
        personal_data.register_erasure_hook("security.office_exports", office_export.exports_discard)
        personal_data.declare_no_personal_data(Erasure, "Ids, counts and dates of an erasure; no values.")
        personal_data.declare_no_personal_data(
            PendingCleanup, "A storage name or IMAP UID to delete after an erasure; deleted once done."
        )
        personal_data.declare_no_personal_data(RetentionPolicy, "The office's retention periods.")
        personal_data.declare_no_personal_data(RetentionRun, "Counts of rows a retention sweep removed.")
        personal_data.declare_no_personal_data(
            Handover, "Case and constituent ids; its export file is deleted when the handover completes."
        )
        personal_data.declare_no_personal_data(
            OfficeExport, "The whole office's data in a file, deleted after a week and on any erasure."
        )
        _register_office_menu()


def _sar_erase(row) -> None:  # type: ignore[no-untyped-def]
    """The record that a request was made and answered stays (dates, status); its text goes."""
    from security.dataprotection.sar import sar_erase_details

    sar_erase_details(sar=row)


def _register_office_menu() -> None:
    from security.office_menu import Entry, register
    from security.roles import Perm

    register(
        Entry("People and security", "Staff", "security:staff", Perm.MANAGE_STAFF, "Invite, change roles, 2FA status"),
        Entry("People and security", "Audit log", "security:audit", Perm.VIEW_AUDIT, "Who saw and changed what"),
        Entry("People and security", "API tokens", "security:api_tokens", Perm.USE_API, "Integrations' access"),
        Entry("People and security", "Approvers", "security:approvers", Perm.NAME_APPROVERS, "Who approves responses"),
        Entry(
            "People and security", "Security health", "security:security_health", Perm.DATA_PROTECTION, "2FA, sign-ins"
        ),
    )
    dp = Perm.DATA_PROTECTION
    register(
        Entry("Data protection", "Overview", "security:data_protection", dp, "Requests due; find a person", order=10),
        Entry("Data protection", "Subject access requests", "security:sar_list", dp, "Log, review, export", order=20),
        Entry("Data protection", "Retention", "security:retention", dp, "How long records are kept", order=30),
        Entry("Data protection", "Handover", "security:handover_list", dp, "Cases to another office", order=40),
        Entry("Data protection", "Office export", "security:office_exports", Perm.EXPORT, "Everything, open format"),
    )
