"""``check --deploy`` is clean with the production variables the README documents."""

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "casework.example.org",
    "SITE_URL": "https://casework.example.org",
    "EMAIL_URL": "smtp+tls://crm:password@smtp.example.org:587",
    "BEHIND_TLS_PROXY": "true",
    "MAILBOX_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLWRlcGxveS10ZXN0ISE=",
}


def _production_env(**overrides: str) -> dict[str, str]:
    # The test run's own relaxations (SECURE_SSL_REDIRECT=false, ...) must not leak in.
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("SECURE_")}
    return {**inherited, **PRODUCTION_ENV, **overrides}


def test_it_reports_nothing_with_production_settings():
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_flags_a_plain_http_site_url_in_production():
    env = _production_env(SITE_URL="http://casework.example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, capture_output=True, text=True, check=False
    )
    assert "mpoffice.E001" in result.stderr


def test_it_flags_a_missing_mailbox_encryption_key_in_production():
    env = _production_env()
    del env["MAILBOX_ENCRYPTION_KEYS"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, capture_output=True, text=True, check=False
    )
    assert "mpoffice.E004" in result.stderr
