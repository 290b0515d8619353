"""Production-like settings for a benchmark process, set before Django starts.

``mpoffice.settings`` reads the environment once at import, so ``python -m bench`` fixes the
variables here and only then calls ``django.setup()``. The values a developer may have in their
shell (DEBUG=true, another DATABASE_URL) are overridden on purpose: a benchmark of a debug
build or of the wrong database would be meaningless.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
# Static files, logs and the like of benchmark processes; never the app's own var/.
VAR_DIR = BENCH_DIR / ".var"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mpoffice_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


def production_like(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "mpoffice.settings",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # The test client speaks plain HTTP to "testserver"; everything else stays as deployed.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-secret-key-not-for-production-0123456789abcdef",
        "VAR_DIR": str(VAR_DIR),
        "STATIC_ROOT": str(VAR_DIR / "static"),
    }


def configure(database_url: str, redis_url: str) -> None:
    """Set the environment and start Django. Call once, before any app import."""
    os.environ.update(production_like(database_url, redis_url))
    import django

    django.setup()
