"""manage.py rotate_mailbox_keys: every stored mailbox secret re-encrypted with the first key of
MAILBOX_ENCRYPTION_KEYS, so the old key can then be dropped. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from correspondence.mailboxes import mailbox_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored mailbox secret (password or access token, refresh token, client secret) "
        "with the first key in MAILBOX_ENCRYPTION_KEYS. Put the new key first, run this, then drop the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = mailbox_secrets_rotate()
        self.stdout.write(
            f"Re-encrypted {result.rotated} secret{'s' if result.rotated != 1 else ''} in {result.rows} "
            f"row{'s' if result.rows != 1 else ''}; {result.current} already under the first key."
        )
        if result.failed:
            for where in result.failed:
                self.stderr.write(f"Cannot decrypt {where} with any configured key: set that secret again.")
            raise CommandError(f"{len(result.failed)} secret(s) could not be decrypted; the rest were rotated.")
