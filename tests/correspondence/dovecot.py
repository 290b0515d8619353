"""A real Dovecot IMAP server on loopback, started by the tests that ask for it, and helpers to
put mail in it and look at its folders.

Import the fixtures ``dovecot_server`` (named ``dovecot``: the port) and ``account_fixture``
(named ``account``) into a conftest or test module. Each module that uses ``dovecot`` gets its
own server (a fresh directory, an ephemeral port); each test takes a fresh account from
``account`` so tests never see each other's mail. Accounts log in with ``PASSWORD``; the
``oauth…`` accounts log in by XOAUTH2 with ``OAUTH_ACCESS_TOKEN`` (Dovecot checks the token as
a password: enough to prove the client sends the token it holds).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from imap_tools import A, MailBoxUnencrypted, MailMessageFlags

PASSWORD = "s3cret-Dovecot-pw"
USERS = [f"user{n}@example.org" for n in range(40)]
OAUTH_ACCESS_TOKEN = "eyJ0eXAi.fresh-access-token.from-the-token-endpoint"
OAUTH_USERS = [f"oauth{n}@example.org" for n in range(40)]
_next_user = count()
_next_oauth_user = count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(root: Path, port: int, user: str, group: str) -> str:
    return f"""protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login xoauth2
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
}}
"""


@pytest.fixture(scope="module", name="dovecot")
def dovecot_server() -> Iterator[int]:
    """The port of a Dovecot started for this module; stopped and removed after it.

    Its files live in a mkdtemp() directory opened to all (pytest's tmp_path is 0700 root and
    Dovecot's auth and imap processes run as nobody); Dovecot refuses mail uid 0, so as root the
    mail belongs to nobody.
    """
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)
    port = free_port()
    user, group = ("nobody", "nogroup") if os.geteuid() == 0 else (os.environ.get("USER", "nobody"), "nogroup")
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    lines = [f"{u}:{{PLAIN}}{PASSWORD}\n" for u in USERS]
    lines += [f"{u}:{{PLAIN}}{OAUTH_ACCESS_TOKEN}\n" for u in OAUTH_USERS]
    (root / "users").write_text("".join(lines))
    (root / "dovecot.conf").write_text(_config(root, port, user, group))
    if os.geteuid() == 0:
        shutil.chown(root / "mail", user, group)
        shutil.chown(root / "state", user, group)
    log = root / "dovecot.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=log_file
        )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"dovecot did not start: {log.read_text(errors='replace')}") from None
            time.sleep(0.02)
    yield port
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(root, ignore_errors=True)


def fresh_account() -> str:
    """An account no test has used yet (its own Maildir)."""
    return USERS[next(_next_user)]


def fresh_oauth_account() -> str:
    """An account that logs in by XOAUTH2 with OAUTH_ACCESS_TOKEN."""
    return OAUTH_USERS[next(_next_oauth_user)]


@pytest.fixture(name="account")
def account_fixture(dovecot: int) -> str:
    """A fresh Dovecot account for each test."""
    return fresh_account()


def imap_login(port: int, user: str) -> MailBoxUnencrypted:
    password = OAUTH_ACCESS_TOKEN if user in OAUTH_USERS else PASSWORD
    return MailBoxUnencrypted("127.0.0.1", port=port).login(user, password)


def deliver(port: int, user: str, raw: bytes, folder: str = "INBOX") -> None:
    """Put ``raw`` in ``folder`` as a mail server (INBOX, unread) or Outlook (Sent, read) would."""
    with imap_login(port, user) as box:
        if not box.folder.exists(folder):
            box.folder.create(folder)
        box.append(raw, folder, flag_set=[MailMessageFlags.SEEN] if folder != "INBOX" else [])


def uids_in(port: int, user: str, folder: str) -> list[str]:
    with imap_login(port, user) as box:
        if not box.folder.exists(folder):
            return []
        box.folder.set(folder)
        return box.uids(A(all=True))
