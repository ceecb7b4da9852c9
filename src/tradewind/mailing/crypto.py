"""Mail account passwords, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from the TRADEWIND_ENCRYPTION_KEY environment variable, else it is derived from
SECRET_KEY with HKDF-SHA256. The variable may hold several comma-separated keys: the first
encrypts, every one decrypts (MultiFernet), which is how a key is rotated: put the new key first,
keep the old one after it, run `tradewind mail_rotate_key`, then drop the old one. Each entry is
either a Fernet key (32 url-safe base64 bytes) or any passphrase, which is stretched with HKDF.

Limits: whoever holds the key and the database holds the passwords; changing SECRET_KEY while the
variable is unset makes every stored password unreadable (the account then says so and asks for
the password again — nothing else breaks).
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ENV_VAR = "TRADEWIND_ENCRYPTION_KEY"
_INFO = b"tradewind mail account credentials"
_SALT = b"tradewind-mailing-v1"


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key we no longer have."""


def _stretch(material: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
        material.encode()
    )
    return base64.urlsafe_b64encode(derived)


def _as_key(entry: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(entry.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == 32:
        return entry.encode()
    return _stretch(entry)


def key_entries() -> list[str]:
    configured = [part.strip() for part in os.environ.get(ENV_VAR, "").split(",") if part.strip()]
    return configured or [f"secret-key:{settings.SECRET_KEY}"]


@lru_cache(maxsize=4)
def _fernet(entries: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_as_key(entry)) for entry in entries])


def fernet() -> MultiFernet:
    return _fernet(tuple(key_entries()))


def encrypt(secret: str) -> str:
    """The token to store for `secret`; "" stays "" (no password)."""
    if not secret:
        return ""
    return fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc


def rotate(token: str) -> str:
    """The token re-encrypted under the first key (unchanged when empty)."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc
