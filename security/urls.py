from django.urls import path

from security.views import account, auth, dataprotection, integrations, retention, staff

app_name = "security"

urlpatterns = [
    path("", account.home, name="home"),
    path("login", auth.login_view, name="login"),
    path("logout", auth.logout_view, name="logout"),
    path("2fa/setup", auth.otp_setup, name="otp_setup"),
    path("2fa/verify", auth.otp_verify, name="otp_verify"),
    path("2fa/confirm", auth.otp_confirm, name="otp_confirm"),
    path("invitation/<str:token>", auth.invitation_accept, name="invitation_accept"),
    path("office", account.office_choose, name="office_choose"),
    path("account/sessions", account.session_list, name="sessions"),
    path("account/sessions/end-others", account.sessions_end_others, name="sessions_end_others"),
    path("account/sessions/end-all", account.sessions_end_all, name="sessions_end_all"),
    path("notifications", account.notification_list, name="notifications"),
    path("notifications/badge", account.notification_badge, name="notification_badge"),
    path("notifications/read", account.notification_read, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read", account.notification_read, name="notification_read"),
    path("staff", staff.staff_list, name="staff"),
    path("staff/<int:membership_id>/role", staff.staff_change_role, name="staff_change_role"),
    path("staff/<int:membership_id>/deactivate", staff.staff_deactivate, name="staff_deactivate"),
    path("approvers", staff.approvers, name="approvers"),
    path("audit", staff.audit_log, name="audit"),
    path("api-tokens", integrations.api_token_list, name="api_tokens"),
    path("api-tokens/new", integrations.api_token_create, name="api_token_create"),
    path("api-tokens/<int:token_id>/revoke", integrations.api_token_revoke, name="api_token_revoke"),
    path("data-protection", dataprotection.overview, name="data_protection"),
    path("data-protection/requests", dataprotection.sar_list, name="sar_list"),
    path("data-protection/requests/new/<int:constituent_id>", dataprotection.sar_create, name="sar_create"),
    path("data-protection/requests/<int:sar_id>", dataprotection.sar_detail, name="sar_detail"),
    path("data-protection/requests/<int:sar_id>/extend", dataprotection.sar_extend, name="sar_extend"),
    path("data-protection/requests/<int:sar_id>/review", dataprotection.sar_review, name="sar_review"),
    path("data-protection/requests/<int:sar_id>/generate", dataprotection.sar_generate, name="sar_generate"),
    path("data-protection/requests/<int:sar_id>/download", dataprotection.sar_download, name="sar_download"),
    path("data-protection/requests/<int:sar_id>/answered", dataprotection.sar_answered, name="sar_answered"),
    path("data-protection/requests/<int:sar_id>/withdraw", dataprotection.sar_withdraw, name="sar_withdraw"),
    path("data-protection/erase/<int:constituent_id>", dataprotection.subject_erase, name="subject_erase"),
    path("data-protection/retention", retention.retention_policy, name="retention"),
    path("data-protection/retention/preview", retention.retention_preview, name="retention_preview"),
]
