"""Settings for the MP office casework CRM, read from the environment.

With no environment set the app runs on embedded defaults: SQLite and Celery's filesystem
transport under ``var/``, files under ``var/media/`` and email written to ``var/mail/``.
``DATABASE_URL``, ``REDIS_URL``, ``EMAIL_URL`` and ``S3_BUCKET`` switch to real services.
The README lists every variable.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from mpoffice.lib.env import env_bool, env_int, env_list, env_raw, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """A configured key; on the embedded defaults (DEBUG, or no DATABASE_URL: one machine, files
    under ``var/``), a key generated once and kept under ``var/``. A deployment with its own
    database must set one."""
    configured = env_raw("SECRET_KEY")
    if configured:
        return configured
    if not DEBUG and env_raw("DATABASE_URL"):
        raise ImproperlyConfigured("The environment variable SECRET_KEY is required when DEBUG is off.")
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key(), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _mailbox_encryption_keys() -> list[str]:
    """Fernet keys for mailbox secrets, newest first (the first encrypts; all decrypt, for
    rotation). In DEBUG only, a key generated once and kept under ``var/``. In production a
    missing key fails ``check`` (mpoffice.E004) and any use of a mailbox secret."""
    configured = env_list("MAILBOX_ENCRYPTION_KEYS", [])
    if configured or not DEBUG:
        return configured
    key_file = VAR_DIR / "dev-mailbox-key"
    if not key_file.exists():
        from cryptography.fernet import Fernet

        key_file.write_text(Fernet.generate_key().decode(), encoding="utf-8")
        key_file.chmod(0o600)
    return [key_file.read_text(encoding="utf-8").strip()]


MAILBOX_ENCRYPTION_KEYS = _mailbox_encryption_keys()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "django_htmx",
    "taggit",
    "axes",
    "csp",
    "security",
    "constituents",
    "casework",
    "correspondence",
    "campaigns",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "security.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.SessionLifetimeMiddleware",
    "security.middleware.TwoFactorRequiredMiddleware",
    "security.middleware.OfficeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so a locked-out attempt never reaches the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mpoffice.urls"
WSGI_APPLICATION = "mpoffice.wsgi.application"
ASGI_APPLICATION = "mpoffice.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "security.context_processors.office",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
try:
    DATABASES = {"default": environ.Env.db_url_config(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
except (KeyError, ValueError, ImproperlyConfigured) as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL ({error}).") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server, the worker and beat write together
    # without "database is locked" errors in the embedded demo.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL or SQLite database.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env_raw("REDIS_URL") or None
if REDIS_URL is not None and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis:// or rediss://, not {REDIS_URL!r}.")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any task may run, so a busy worker's task is not redelivered to another.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # Otherwise the transport writes a control/ folder into the working directory.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }

CELERY_TIMEZONE = "Europe/London"
# A task whose worker dies mid-run goes back to the queue; every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The database is the memory; tasks return nothing anyone waits for.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", 60, minimum=1)
MAILBOX_POLL_INTERVAL_SECONDS = env_int("MAILBOX_POLL_INTERVAL_SECONDS", 60, minimum=5)
# A poll claim older than this belongs to a dead worker and may be taken over.
MAILBOX_POLL_LEASE_SECONDS = env_int("MAILBOX_POLL_LEASE_SECONDS", 600, minimum=30)
MAILBOX_TIMEOUT_SECONDS = env_int("MAILBOX_TIMEOUT_SECONDS", 30, minimum=1)
# Data protection: clean-ups an erasure leaves (files, IMAP copies), and the daily retention sweep.
DATA_PROTECTION_CLEANUP_INTERVAL_SECONDS = env_int("DATA_PROTECTION_CLEANUP_INTERVAL_SECONDS", 300, minimum=5)
DATA_PROTECTION_CLEANUP_LEASE_SECONDS = env_int("DATA_PROTECTION_CLEANUP_LEASE_SECONDS", 600, minimum=30)
# A retention run claimed longer ago than this belongs to a dead worker and is taken over.
RETENTION_RUN_LEASE_SECONDS = env_int("RETENTION_RUN_LEASE_SECONDS", 3600, minimum=60)
RETENTION_SWEEP_HOUR = env_int("RETENTION_SWEEP_HOUR", 3, minimum=0)
OFFICE_EXPORT_LEASE_SECONDS = env_int("OFFICE_EXPORT_LEASE_SECONDS", 3600, minimum=60)
# A full office export holds everyone's data: its file is deleted this many days after writing.
OFFICE_EXPORT_KEEP_DAYS = env_int("OFFICE_EXPORT_KEEP_DAYS", 7, minimum=1)
if RETENTION_SWEEP_HOUR > 23:
    raise ImproperlyConfigured(f"RETENTION_SWEEP_HOUR is an hour of the day (0-23), not {RETENTION_SWEEP_HOUR}.")
CELERY_BEAT_SCHEDULE = {
    "security.heartbeat": {
        "task": "security.tasks.heartbeat",
        "schedule": timedelta(seconds=HEARTBEAT_INTERVAL_SECONDS),
    },
    "security.notifications.email": {
        "task": "security.tasks.email_notifications",
        "schedule": timedelta(seconds=env_int("NOTIFICATION_EMAIL_INTERVAL_SECONDS", 60, minimum=1)),
    },
    "correspondence.poll_mailboxes": {
        "task": "correspondence.tasks.poll_mailboxes",
        "schedule": timedelta(seconds=MAILBOX_POLL_INTERVAL_SECONDS),
    },
    "security.data_protection.cleanups": {
        "task": "security.tasks.cleanups_run",
        "schedule": timedelta(seconds=DATA_PROTECTION_CLEANUP_INTERVAL_SECONDS),
    },
    "security.data_protection.office_exports": {
        "task": "security.tasks.office_exports_sweep",
        "schedule": timedelta(seconds=DATA_PROTECTION_CLEANUP_INTERVAL_SECONDS),
    },
    # Daily, at night (Europe/London): each office's confirmed retention policy.
    "security.data_protection.retention": {
        "task": "security.tasks.retention_sweep",
        "schedule": crontab(hour=RETENTION_SWEEP_HOUR, minute=17),
    },
    # Outgoing email whose next attempt has come (the on-commit nudge only makes it sooner).
    "correspondence.send_outbox": {
        "task": "correspondence.tasks.send_outbox",
        "schedule": timedelta(seconds=env_int("OUTBOX_SWEEP_SECONDS", 15, minimum=1)),
    },
    # Reminders, chasers and escalations of third-party enquiries whose day has come.
    "correspondence.sweep_enquiries": {
        "task": "correspondence.tasks.sweep_enquiries",
        "schedule": timedelta(seconds=env_int("ENQUIRY_SWEEP_SECONDS", 900, minimum=1)),
    },
    # The daily email of what is due and overdue, to each member who has not opted out.
    "correspondence.send_enquiry_digests": {
        "task": "correspondence.tasks.send_enquiry_digests",
        "schedule": timedelta(seconds=env_int("DIGEST_SWEEP_SECONDS", 900, minimum=1)),
    },
    # Raw email not yet parsed (the on-commit task was lost, or its worker died).
    "correspondence.parse_pending": {
        "task": "correspondence.tasks.parse_pending",
        "schedule": timedelta(seconds=env_int("INBOUND_PARSE_INTERVAL_SECONDS", 60, minimum=1)),
    },
    # Weekly and monthly reports that have fallen due (in each office's time zone), and any
    # report whose worker died: the database decides, so a missed run only delays them.
    "reports.sweep": {
        "task": "reports.tasks.sweep",
        "schedule": timedelta(seconds=env_int("REPORTS_SWEEP_INTERVAL_SECONDS", 300, minimum=1)),
    },
    # Reports emailed with their PDF attached (offices that chose it); links go as notifications.
    "reports.deliver": {
        "task": "reports.tasks.deliver",
        "schedule": timedelta(seconds=env_int("NOTIFICATION_EMAIL_INTERVAL_SECONDS", 60, minimum=1)),
    },
    # Inbound email campaign detection has not seen (its hook failed inside ingestion).
    "campaigns.detect_pending": {
        "task": "campaigns.tasks.detect_pending",
        "schedule": timedelta(seconds=env_int("CAMPAIGN_DETECT_INTERVAL_SECONDS", 60, minimum=1)),
    },
    # Detection state that can no longer matter (messages outside campaigns, past the window).
    "campaigns.prune_signatures": {
        "task": "campaigns.tasks.prune_signatures",
        "schedule": timedelta(hours=6),
    },
}

# --- Email ----------------------------------------------------------------------------------
_email_url = env_raw("EMAIL_URL")
if _email_url:
    try:
        globals().update(environ.Env.email_url_config(_email_url))
    except (KeyError, ValueError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid email URL ({error}).") from None
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MP office CRM <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise warns about a missing root before the first collectstatic.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
_s3_bucket = env_raw("S3_BUCKET")
if _s3_bucket:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            # Personal data: never public, never served from a guessable URL.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Auth, 2FA, sessions and lockout --------------------------------------------------------
AUTH_USER_MODEL = "security.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "security:login"
LOGIN_REDIRECT_URL = "security:home"
LOGOUT_REDIRECT_URL = "security:login"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout: requests marked as background polling do not count as activity.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# Absolute lifetime: a session ends this long after sign-in, however active.
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=300)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# A fresh OTP is asked for before sensitive actions unless one was given this recently.
SENSITIVE_ACTION_OTP_SECONDS = env_int("SENSITIVE_ACTION_OTP_SECONDS", 5 * 60, minimum=0)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7, minimum=1)

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "MP office CRM")
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
# django-axes locks out for ever by default; a cool-off lets a person retry later.
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
# axes would otherwise log the email address tried; logs carry no personal data.
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp_token"]
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)

# --- HTTP security --------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- REST framework -------------------------------------------------------------------------
# Requests per minute (or /s, /hour, /day) for each API token, and for each person's session.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/min").strip()
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE must look like 600/min (or /s, /hour, /day), not {API_THROTTLE_RATE!r}."
    )
REST_FRAMEWORK = {
    # The token first: a request without valid credentials is answered 401 with a Bearer challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "security.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["security.permissions.OfficeAccess"],
    "DEFAULT_PAGINATION_CLASS": "security.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    # JSON in and out: no browsable API (it needs inline script) and no form parsing.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["security.parsers.StrictJSONParser"],
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "security.apierrors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["security.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_THROTTLE_RATE},
    "DEFAULT_SCHEMA_CLASS": "security.schema.ApiAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MP office casework API",
    "DESCRIPTION": (
        "Constituents, cases, tags and organisations of one office. Send an office's API token as "
        "`Authorization: Bearer mpo_…` (scopes: read to GET, write to change). Tokens never see "
        'restricted cases. Errors are `{"error": {"code", "message", "fields"}}`; lists are '
        "paginated (`page`, `page_size` up to 200)."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["security.permissions.IsVerifiedStaffOrToken"],
    # Separate request and response components: read-only fields are not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would fetch from a third-party site. No deep links: they put a
    # link inside each operation's button, which screen readers cannot reach (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None, "persistAuthorization": False},
    # Several choice sets are called "state"; each gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "CampaignStateEnum": "campaigns.models.CampaignState",
        "CampaignStateFilterEnum": "campaigns.api.STATES",
        "ResponseVersionStateEnum": "campaigns.models.VersionState",
    },
}

# --- Locale ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------------------
# One console handler whose filter scrubs email addresses, phone numbers and postcodes, so a
# library that logs what a user typed (a login failure, a bad header) leaks no personal data.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub": {"()": "mpoffice.lib.logscrub.ScrubPersonalDataFilter"},
        "request_id": {"()": "security.requestcontext.RequestIdLogFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "scrub"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Never email tracebacks (they carry request data) to anyone.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # WeasyPrint and fontTools narrate every PDF at INFO; their warnings (a refused URL) still show.
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Background work ------------------------------------------------------------------------
# A claim older than this belongs to a worker that died; its row is sent again.
NOTIFICATION_EMAIL_LEASE_SECONDS = env_int("NOTIFICATION_EMAIL_LEASE_SECONDS", 300, minimum=1)

# --- Outgoing email (the outbox) -------------------------------------------------------------
# A claim older than this belongs to a worker that died; its rows are queued again.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=1)
# Rows one worker claims at a time: small, so a crash returns few and others share the work.
OUTBOX_CLAIM_BATCH = env_int("OUTBOX_CLAIM_BATCH", 50, minimum=1)
# One sweep sends for at most this long, then leaves the rest to the next.
OUTBOX_RUN_SECONDS = env_int("OUTBOX_RUN_SECONDS", 50, minimum=1)
# Temporary failures are retried after 1, 2, 4 … minutes, at most an hour apart, this many times.
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60, minimum=1)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
OUTBOX_SMTP_TIMEOUT_SECONDS = env_int("OUTBOX_SMTP_TIMEOUT_SECONDS", 30, minimum=1)

# Enquiries one sweep transaction advances at a time (their steps commit together).
ENQUIRY_SWEEP_BATCH = env_int("ENQUIRY_SWEEP_BATCH", 500, minimum=1)
# The daily digest of due and overdue enquiries goes out from this hour (office time).
DIGEST_HOUR = env_int("DIGEST_HOUR", 7, minimum=0)

# Submissions of the public contact form allowed per IP address (django-ratelimit's syntax).
CONTACT_FORM_RATE = env_str("CONTACT_FORM_RATE", "10/h")

# --- Reports --------------------------------------------------------------------------------
# Dashboard figures are cached per office, period and tag this long (0: not cached).
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 300, minimum=0)
# A report claimed longer ago than this belongs to a worker that died; the sweep hands it on.
REPORTS_PRODUCE_LEASE_SECONDS = env_int("REPORTS_PRODUCE_LEASE_SECONDS", 900, minimum=30)

# --- Inbound email --------------------------------------------------------------------------
# Larger messages are kept raw and flagged; their attachments are not extracted.
INBOUND_MAX_BYTES = env_int("INBOUND_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
# A larger attachment is recorded and flagged but not extracted to storage; the raw email keeps it.
INBOUND_ATTACHMENT_MAX_BYTES = env_int("INBOUND_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# A parse claim older than this belongs to a worker that died; the sweep parses the row again.
INBOUND_PARSE_LEASE_SECONDS = env_int("INBOUND_PARSE_LEASE_SECONDS", 600, minimum=1)
# After this many interrupted attempts a raw email is quarantined for a person to look at.
INBOUND_PARSE_MAX_ATTEMPTS = env_int("INBOUND_PARSE_MAX_ATTEMPTS", 5, minimum=1)
# Rows parsed per sweep run, so one run stays short; the next run takes the rest.
INBOUND_PARSE_BATCH = env_int("INBOUND_PARSE_BATCH", 200, minimum=1)
