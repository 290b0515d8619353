"""Configuration checks with stable ids, run by ``manage.py check`` and at every start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.DEBUG and not settings.SITE_URL.startswith("https://"):
        return [
            Error(
                "SITE_URL must be an https:// address in production.",
                hint="Links in invitations and notifications use it; set SITE_URL=https://your.host.",
                id="mpoffice.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_email_backend(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith(("filebased.EmailBackend", "console.EmailBackend")):
        return [
            Warning(
                "Email is written to files or the console, not sent.",
                hint="Set EMAIL_URL=smtp+tls://user:password@host:587 for production.",
                id="mpoffice.W001",
            )
        ]
    return []


@register()
def check_sessions(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.SESSION_IDLE_SECONDS > settings.SESSION_ABSOLUTE_SECONDS:
        return [
            Error(
                "SESSION_IDLE_SECONDS is longer than SESSION_ABSOLUTE_SECONDS.",
                hint="The idle timeout must be shorter than the absolute session lifetime.",
                id="mpoffice.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.DEBUG and "*" in settings.ALLOWED_HOSTS:
        return [Error("ALLOWED_HOSTS must name the hosts, not '*'.", id="mpoffice.E003")]
    return []


@register(Tags.security, deploy=True)
def check_mailbox_encryption_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    from mpoffice.lib import encryption

    try:
        encryption.fernet()
    except encryption.KeyMissing as error:
        return [
            Error(
                str(error),
                hint="Set MAILBOX_ENCRYPTION_KEYS to one or more comma-separated Fernet keys "
                "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').",
                id="mpoffice.E004",
            )
        ]
    return []
