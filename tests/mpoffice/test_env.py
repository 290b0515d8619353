import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from mpoffice.lib.env import env_bool, env_int, env_list, env_str


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    monkeypatch.delenv("SOME_SECRET", raising=False)
    assert env_str("SOME_SECRET") == "s3cret"


def test_it_refuses_both_a_value_and_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_SECRET", "a")
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "x"))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET or SOME_SECRET_FILE"):
        env_str("SOME_SECRET")


def test_it_names_an_unreadable_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE"):
        env_str("SOME_SECRET")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("ON", True), ("0", False), ("no", False)])
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_it_refuses_a_malformed_boolean(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env_bool("FLAG", False)


def test_it_refuses_malformed_and_too_small_numbers(monkeypatch):
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUMBER must be a whole number"):
        env_int("NUMBER", 1)
    monkeypatch.setenv("NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="NUMBER must be at least 1"):
        env_int("NUMBER", 1, minimum=1)


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_it_requires_a_missing_value_by_name(monkeypatch):
    monkeypatch.delenv("NOT_THERE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NOT_THERE is required"):
        env_str("NOT_THERE")


def _start_with(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py check`` with variables changed (None removes one)."""
    env = {key: value for key, value in os.environ.items() if key not in overrides}
    env.update({key: value for key, value in overrides.items() if value is not None})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"SESSION_IDLE_SECONDS": "soon"}, "SESSION_IDLE_SECONDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"EMAIL_URL": "carrier-pigeon://x"}, "EMAIL_URL"),
    ],
)
def test_it_stops_start_up_naming_a_malformed_variable(overrides, named):
    result = _start_with(**overrides)
    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error:")
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_it_stops_start_up_without_a_secret_key_in_production():
    result = _start_with(DEBUG="false", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
