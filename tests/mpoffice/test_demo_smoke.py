"""Smoke test of the demo as ``make run`` starts it: separate web, worker and beat processes.

Embedded defaults only (SQLite and Celery's filesystem transport under a temporary VAR_DIR),
an ephemeral port, and no test database: the processes migrate and seed their own. It signs in
over HTTP with the demo manager's password and current TOTP code, sees the office's home page,
then waits for /healthz to report a fresh heartbeat, which beat scheduled and a worker ran.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from security.management.commands.seed_demo import DEMO_PASSWORD, demo_totp_key

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE_PY = str(BASE_DIR / "manage.py")
OFFICE_NAME = "Office of Alex Example MP"
MANAGER_EMAIL = "manager@demo.example"
START_DEADLINE_SECONDS = 20
HEARTBEAT_DEADLINE_SECONDS = 30

# Variables the test run sets (pytest-env) or a developer might have exported, which would
# take the demo off its embedded defaults. ``NAME_FILE`` is read in place of ``NAME``.
_CLEARED_VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "S3_BUCKET",
    "SECRET_KEY",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "SITE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "BEHIND_TLS_PROXY",
]


@dataclass
class Demo:
    var_dir: Path
    env: dict[str, str]
    port: int = 0
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_path(self, name: str) -> Path:
        return self.var_dir / f"{name}.log"

    def run(self, name: str, *args: str) -> None:
        """Run a one-shot command to completion, failing with its output."""
        with self.log_path(name).open("wb") as log:
            result = subprocess.run(
                [sys.executable, *args],
                cwd=self.var_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=60,
                check=False,
            )
        assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}\n{self.tail(name)}"

    def start(self, name: str, *args: str) -> None:
        with self.log_path(name).open("wb") as log:
            # The child keeps its own copy of the descriptor; ours is closed at once.
            self.processes[name] = subprocess.Popen(
                [sys.executable, *args],
                cwd=self.var_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                pytest.fail(f"The {name} process exited with {process.returncode}.\n{self.output()}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.log_path(name)
        if not path.exists():
            return f"--- {name}: no output file ---"
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return f"--- {name} (last {len(text)} lines) ---\n" + "\n".join(text)

    def output(self) -> str:
        """The tail of each long-running process's output (a failed one-shot reports its own)."""
        return "\n".join(self.tail(name) for name in self.processes)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _child_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in _CLEARED_VARIABLES:
        env.pop(name, None)
        env.pop(f"{name}_FILE", None)
    env.update(
        {
            "DEBUG": "true",
            "VAR_DIR": str(var_dir),
            "HEARTBEAT_INTERVAL_SECONDS": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "mpoffice.settings",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            # The processes run in the temporary directory, so whatever a library writes
            # relative to the working directory (kombu's filesystem ``control`` folder) lands
            # there rather than in the checkout; the project is found on the path instead.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
        }
    )
    return env


@pytest.fixture
def demo() -> Iterator[Demo]:
    var_dir = Path(tempfile.mkdtemp(prefix="mpoffice-demo-smoke-"))
    demo = Demo(var_dir=var_dir, env=_child_env(var_dir))
    try:
        demo.run("migrate", MANAGE_PY, "migrate", "--no-input")
        demo.run("seed_demo", MANAGE_PY, "seed_demo")
        demo.port = _free_port()
        demo.start(
            "worker", "-m", "celery", "-A", "mpoffice", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO"
        )
        demo.start(
            "beat",
            "-m",
            "celery",
            "-A",
            "mpoffice",
            "beat",
            "--loglevel=INFO",
            f"--schedule={var_dir / 'celerybeat-schedule'}",
            f"--pidfile={var_dir / 'celerybeat.pid'}",
        )
        demo.start("web", MANAGE_PY, "runserver", f"127.0.0.1:{demo.port}", "--noreload")
        yield demo
    finally:
        demo.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def _wait_for_port(demo: Demo) -> None:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        demo.check_alive()
        try:
            with socket.create_connection(("127.0.0.1", demo.port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(
        f"The web server did not answer on port {demo.port} within {START_DEADLINE_SECONDS} s.\n{demo.output()}"
    )


class _Browser:
    """Just enough of a browser: cookies, redirects, and the CSRF token from its cookie."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) after following redirects; an HTTP error is returned too."""
        body = None
        headers = {}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf_token()}).encode()
            # Django checks the Referer only over HTTPS; the Origin header, when sent, must match.
            headers["Origin"] = self.base_url
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310 - http://127.0.0.1 only
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.url, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.url, error.read().decode("utf-8", errors="replace")


def _current_code(email: str) -> str:
    return f"{TOTP(bytes.fromhex(demo_totp_key(email))).token():06d}"


def test_the_demo_signs_in_and_runs_a_task_through_a_worker(demo: Demo) -> None:
    _wait_for_port(demo)
    browser = _Browser(demo.base_url)

    status, _, _ = browser.request("/login")
    assert status == 200, f"GET /login answered {status}.\n{demo.output()}"

    status, url, body = browser.request("/login", {"username": MANAGER_EMAIL, "password": DEMO_PASSWORD})
    assert status == 200, f"POST /login answered {status}.\n{body[:2000]}\n{demo.output()}"
    assert urllib.parse.urlsplit(url).path == "/2fa/verify", f"Sign-in ended at {url}.\n{body[:2000]}"

    status, url, body = browser.request(
        f"/2fa/verify?{urllib.parse.urlsplit(url).query}", {"otp_token": _current_code(MANAGER_EMAIL)}
    )
    assert status == 200, f"POST /2fa/verify answered {status}.\n{body[:2000]}\n{demo.output()}"
    assert urllib.parse.urlsplit(url).path == "/", f"2FA ended at {url}.\n{body[:2000]}"
    assert OFFICE_NAME in body, f"The home page does not name the office.\n{body[:2000]}"

    deadline = time.monotonic() + HEARTBEAT_DEADLINE_SECONDS
    report: dict = {}
    while time.monotonic() < deadline:
        demo.check_alive()
        status, _, body = browser.request("/healthz")
        try:
            report = json.loads(body)
        except ValueError:
            pytest.fail(f"/healthz answered {status} with no JSON report.\n{body[:2000]}\n{demo.output()}")
        if report.get("heartbeat", {}).get("ok"):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"No fresh heartbeat within {HEARTBEAT_DEADLINE_SECONDS} s: {report}\n{demo.output()}")
    assert status == 200, report
    assert report["database"]["ok"], report
    assert report["broker"]["ok"], report
    assert report["status"] == "ok", report
