from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from mpoffice import checks  # noqa: F401 - registers the configuration checks
        from security import personal_data
        from security.models import ApiToken, Invitation, Notification

        personal_data.register(
            personal_data.PersonalData(model=Invitation, fields=("email",), retention=personal_data.Retention.STAFF)
        )
        personal_data.declare_no_personal_data(
            Notification, "Staff notifications: titles name case references, never constituents' details."
        )
        personal_data.declare_no_personal_data(
            ApiToken, "API tokens: the name of an integration and a hash of its token; nobody's personal details."
        )
        _register_office_menu()


def _register_office_menu() -> None:
    from security.office_menu import Entry, register
    from security.roles import Perm

    register(
        Entry("People and security", "Staff", "security:staff", Perm.MANAGE_STAFF, "Invite, change roles, 2FA status"),
        Entry("People and security", "Audit log", "security:audit", Perm.VIEW_AUDIT, "Who saw and changed what"),
        Entry("People and security", "API tokens", "security:api_tokens", Perm.USE_API, "Integrations' access"),
        Entry("People and security", "Approvers", "security:approvers", Perm.NAME_APPROVERS, "Who approves responses"),
    )
