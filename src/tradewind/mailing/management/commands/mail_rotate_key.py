"""Re-encrypt every stored mail password under the first key of TRADEWIND_ENCRYPTION_KEY.

Put the new key first and keep the old ones after it, run this, then drop the old keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from tradewind.mailing.crypto import SecretUnreadable, rotate
from tradewind.mailing.models import MailAccount


class Command(BaseCommand):
    help = "Re-encrypt stored mail account passwords with the first configured key."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = unreadable = 0
        for account in MailAccount.objects.order_by("pk").iterator():
            try:
                smtp, imap = rotate(account.smtp_password_enc), rotate(account.imap_password_enc)
            except SecretUnreadable:
                unreadable += 1
                self.stderr.write(f"account {account.pk}: a password no configured key can read")
                continue
            with transaction.atomic():
                MailAccount.objects.filter(pk=account.pk).update(
                    smtp_password_enc=smtp, imap_password_enc=imap
                )
            rotated += 1
        self.stdout.write(f"re-encrypted {rotated} account(s); {unreadable} unreadable")
