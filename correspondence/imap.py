"""The IMAP poller: each office's mailboxes, read with imap-tools, stored raw first.

For the inbox, then the Sent folder: read UIDVALIDITY (a change means the server renumbered the
folder, so reading starts again from UID 1 — ``store_raw``'s Message-ID + hash dedupe keeps the
copies out); fetch the exact bytes of every UID above the last one processed; ``store_raw``
commits them; only then is an inbox message moved to the processed folder (never deleted), and
the folder's ``last_uid`` advanced. A crash between the commit and the move finds the message
again next time, and the dedupe on mailbox + UIDVALIDITY + UID stores nothing twice.

A failure (login, network, server, renewing an OAuth2 token) is recorded on that mailbox only:
``last_error`` (never a secret) and ``consecutive_failures``; the beat task goes on to the next
mailbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from imap_tools import A, H, MailBox, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

from correspondence import ingest, oauth
from correspondence.models import AuthMethod, Mailbox, MailboxFolderState, RawEmail, RawSource

logger = logging.getLogger(__name__)
MAX_ERROR = 500
FETCH_BATCH = 50
_COPYUID = re.compile(rb"(\d+)\s+(\S+)\s+(\S+)")


@dataclass
class FolderResult:
    folder: str
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    moved: int = 0
    uidvalidity_changed: bool = False


@dataclass
class PollResult:
    mailbox_id: int
    ok: bool = True
    skipped: bool = False  # another worker holds the claim
    error: str = ""
    folders: list[FolderResult] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.folders)


class PollError(Exception):
    pass


# --- Connecting ---------------------------------------------------------------------------------
def mailbox_connect(mailbox: Mailbox) -> BaseMailBox:
    timeout = settings.MAILBOX_TIMEOUT_SECONDS
    cls = MailBox if mailbox.use_tls else MailBoxUnencrypted
    client = cls(mailbox.host, port=mailbox.port, timeout=timeout)
    try:
        if mailbox.auth_method == AuthMethod.XOAUTH2:
            # Renewed first when it is missing or about to expire (and a refresh token is stored).
            return client.xoauth2(mailbox.username, oauth.access_token(mailbox=mailbox), initial_folder=None)
        return client.login(mailbox.username, mailbox.secret_get(), initial_folder=None)
    except BaseException:
        client.client.shutdown()  # a failed login leaves the socket open otherwise
        raise


def error_describe(error: BaseException, *, secrets: Iterable[str] = ()) -> str:
    """A short description for the manager, with the secrets scrubbed should a server echo one."""
    text = f"{type(error).__name__}: {error}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text[:MAX_ERROR]


def mailbox_test(*, mailbox: Mailbox) -> str:
    """Log in and out; returns '' or the error (also recorded on the mailbox)."""
    try:
        with mailbox_connect(mailbox) as client:
            client.folder.status(mailbox.inbox_folder, ["UIDVALIDITY"])
    except Exception as error:  # noqa: BLE001 - any failure is the manager's to see
        return error_describe(error, secrets=_secrets(mailbox))
    return ""


def _secrets(mailbox: Mailbox) -> list[str]:
    """Every secret of the mailbox in plain text, to scrub from an error; those that cannot be
    decrypted cannot leak either."""
    found = []
    for read in (mailbox.secret_get, mailbox.oauth_refresh_token_get, mailbox.oauth_client_secret_get):
        try:
            found.append(read())
        except Exception:  # noqa: BLE001, S112
            continue
    return found


# --- Claiming -----------------------------------------------------------------------------------
def _claim(mailbox: Mailbox) -> bool:
    """Committed at once, so two workers never poll one mailbox; a dead worker's claim expires."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.MAILBOX_POLL_LEASE_SECONDS)
    free = Q(poll_claimed_at__isnull=True) | Q(poll_claimed_at__lt=now - lease)
    return bool(Mailbox.unscoped.filter(free, pk=mailbox.pk).update(poll_claimed_at=now))


def _release(mailbox: Mailbox, *, error: str) -> None:
    now = timezone.now()
    rows = Mailbox.unscoped.filter(pk=mailbox.pk)
    if error:
        rows.update(
            poll_claimed_at=None,
            last_polled_at=now,
            last_error=error[:MAX_ERROR],
            consecutive_failures=F("consecutive_failures") + 1,
        )
    else:
        rows.update(
            poll_claimed_at=None, last_polled_at=now, last_success_at=now, last_error="", consecutive_failures=0
        )
    mailbox.refresh_from_db(
        fields=["poll_claimed_at", "last_polled_at", "last_success_at", "last_error", "consecutive_failures"]
    )


# --- Polling ------------------------------------------------------------------------------------
def mailbox_poll(*, mailbox: Mailbox) -> PollResult:
    """Poll one mailbox. Never raises for a mailbox's own failure: it is recorded on the row."""
    result = PollResult(mailbox_id=mailbox.pk)
    if not _claim(mailbox):
        result.skipped = True
        return result
    error = ""
    try:
        with mailbox_connect(mailbox) as client:
            result.folders.append(_folder_poll(client, mailbox, mailbox.inbox_folder, inbox=True))
            # A Sent folder not made yet (a new account) has nothing to read.
            if mailbox.sent_folder and client.folder.exists(mailbox.sent_folder):
                result.folders.append(_folder_poll(client, mailbox, mailbox.sent_folder, inbox=False))
    except Exception as failure:  # noqa: BLE001 - recorded for the manager; other mailboxes go on
        error = error_describe(failure, secrets=_secrets(mailbox))
        logger.warning("Polling mailbox %s failed: %s", mailbox.pk, error)
    finally:
        _release(mailbox, error=error)
    result.ok = not error
    result.error = error
    return result


def mailboxes_poll() -> list[PollResult]:
    """Every active mailbox of every office, each on its own: one failing stops no other."""
    results = []
    for mailbox in Mailbox.unscoped.filter(is_active=True).select_related("office").order_by("pk"):
        try:
            results.append(mailbox_poll(mailbox=mailbox))
        except Exception:  # a bug, or the database: log it and go on to the next mailbox
            logger.exception("Polling mailbox %s crashed", mailbox.pk)
    return results


def _state(mailbox: Mailbox, folder: str) -> MailboxFolderState:
    state, _ = MailboxFolderState.unscoped.get_or_create(office=mailbox.office, mailbox=mailbox, folder=folder)
    return state


def _folder_poll(client: BaseMailBox, mailbox: Mailbox, folder: str, *, inbox: bool) -> FolderResult:
    result = FolderResult(folder=folder)
    state = _state(mailbox, folder)
    uidvalidity = int(client.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
    if state.uidvalidity != uidvalidity:
        result.uidvalidity_changed = state.uidvalidity is not None
        state.uidvalidity = uidvalidity
        state.last_uid = 0
        state.save(update_fields=["uidvalidity", "last_uid"])
    if inbox and not client.folder.exists(mailbox.processed_folder):
        client.folder.create(mailbox.processed_folder)
    client.folder.set(folder)
    uids = _uids_after(client, state.last_uid)
    for start in range(0, len(uids), FETCH_BATCH):
        for uid, raw in _fetch(client, uids[start : start + FETCH_BATCH]):
            result.fetched += 1
            row, created = ingest.store_raw(
                office=mailbox.office,
                raw=raw,
                source=RawSource.IMAP if inbox else RawSource.SENT_FOLDER,
                mailbox_key=mailbox.key,
                uidvalidity=uidvalidity,
                uid=uid,
                folder=folder,
            )
            result.stored += created
            result.duplicates += not created
            if inbox:
                _move(client, row, uid, mailbox.processed_folder)
                result.moved += 1
            state.last_uid = uid
            state.save(update_fields=["last_uid"])
    return result


def _uids_after(client: BaseMailBox, last_uid: int) -> list[int]:
    typ, data = client.client.uid("SEARCH", f"UID {last_uid + 1}:*")
    if typ != "OK":
        raise PollError(f"UID SEARCH failed: {data!r}"[:MAX_ERROR])
    # "n:*" always matches the highest UID, even when it is below n.
    return sorted(u for u in (int(x) for x in b" ".join(d for d in data if d).split()) if u > last_uid)


def _fetch(client: BaseMailBox, uids: list[int]):
    """(uid, the exact bytes) of each message; BODY.PEEK leaves the \\Seen flag alone."""
    typ, data = client.client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise PollError(f"UID FETCH failed: {data!r}"[:MAX_ERROR])
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            found = re.search(rb"UID (\d+)", item[0])
            if found:
                yield int(found.group(1)), bytes(item[1])


def _move(client: BaseMailBox, row: RawEmail, uid: int, destination: str) -> None:
    """Move the stored message out of the inbox; record where it went (and its new UID)."""
    client.client.untagged_responses.pop("COPYUID", None)
    client.move(str(uid), destination)
    copyuid = client.client.untagged_responses.pop("COPYUID", None)
    new_validity = new_uid = None
    if copyuid:
        found = _COPYUID.match(copyuid[-1] if isinstance(copyuid[-1], bytes) else str(copyuid[-1]).encode())
        if found and found.group(3).isdigit():
            new_validity, new_uid = int(found.group(1)), int(found.group(3))
    RawEmail.unscoped.filter(pk=row.pk).update(
        folder=destination[:200], moved_uidvalidity=new_validity, moved_uid=new_uid
    )


# --- Erasure ------------------------------------------------------------------------------------
def message_delete(
    *, mailbox: Mailbox, folder: str, uidvalidity: int | None, uid: int | None, message_id: str = ""
) -> int:
    """Delete a stored message's copy from ``folder`` (an erasure's clean-up). Returns how many
    were deleted; 0 when it is already gone. Raises on a connection or server failure (retried).

    By UID when the folder's UIDVALIDITY is still the one recorded (otherwise the UID may now
    name another message), else by Message-ID. UID EXPUNGE removes only this message where the
    server has UIDPLUS, as Dovecot, Exchange and Gmail do.
    """
    with mailbox_connect(mailbox) as client:
        if not client.folder.exists(folder):
            return 0
        current = int(client.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        client.folder.set(folder)
        if uid is not None and uidvalidity == current:
            uids = [u for u in client.uids(A(uid=str(uid))) if int(u) == uid]
        elif message_id:
            uids = client.uids(A(header=H("Message-ID", f"<{message_id.strip('<>')}>")))
        else:
            return 0
        if not uids:
            return 0
        uid_set = ",".join(uids)
        typ, data = client.client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
        if typ != "OK":
            raise PollError(f"UID STORE failed: {data!r}"[:MAX_ERROR])
        if "UIDPLUS" in client.client.capabilities:
            typ, data = client.client.uid("EXPUNGE", uid_set)
        else:
            typ, data = client.client.expunge()
        if typ != "OK":
            raise PollError(f"EXPUNGE failed: {data!r}"[:MAX_ERROR])
        return len(uids)
