"""The issuer's Ed25519 signing keys.

Private keys are never in the database or under the web root: they come from the
``CREDENTIAL_KEYS`` environment variable (JSON) or the file ``CREDENTIAL_KEYS_FILE``
(default ``var/credential-keys.json`` only in development). The JSON is
``{"keys": [{"id", "publicKeyMultibase", "secretKeyMultibase", "status", "created"}]}``.

A key is ``active`` (signs new credentials; one at a time), ``retired`` (rotated out: its
secret is dropped, its public key stays published so what it signed still verifies) or
``revoked`` (no longer published: what it signed stops verifying).
``manage.py credential_keys`` generates, rotates, revokes and lists them.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.utils import timezone

from .multibase import ED25519_PRIV, ED25519_PUB, multikey_decode, multikey_public, multikey_secret

ACTIVE, RETIRED, REVOKED = "active", "retired", "revoked"
STATUSES = (ACTIVE, RETIRED, REVOKED)
PUBLISHED = (ACTIVE, RETIRED)

MSG_NO_ACTIVE_KEY = "No active issuing key: run `manage.py credential_keys generate`."


class KeyStoreError(Exception):
    """The key store is missing, unreadable or cannot be changed."""


class NoActiveKey(KeyStoreError):
    def __init__(self):
        super().__init__(MSG_NO_ACTIVE_KEY)


@dataclasses.dataclass(frozen=True)
class IssuerKey:
    id: str
    public_multibase: str
    status: str
    created: str
    secret_multibase: str = dataclasses.field(default="", repr=False)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(multikey_decode(self.public_multibase, ED25519_PUB))

    @property
    def private_key(self) -> Ed25519PrivateKey:
        if not self.secret_multibase:
            raise KeyStoreError(f"Key {self.id} has no private key (it is {self.status}).")
        return Ed25519PrivateKey.from_private_bytes(multikey_decode(self.secret_multibase, ED25519_PRIV))

    @property
    def published(self) -> bool:
        return self.status in PUBLISHED

    def as_json(self) -> dict:
        data = {
            "id": self.id,
            "publicKeyMultibase": self.public_multibase,
            "status": self.status,
            "created": self.created,
        }
        if self.secret_multibase:
            data["secretKeyMultibase"] = self.secret_multibase
        return data


def key_new(*, now: datetime.datetime | None = None) -> IssuerKey:
    now = now or timezone.now()
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return IssuerKey(
        id=f"key-{now:%Y%m%d}-{secrets.token_hex(3)}",
        public_multibase=multikey_public(raw_public),
        secret_multibase=multikey_secret(seed),
        status=ACTIVE,
        created=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


# Reading -------------------------------------------------------------------------------


def source() -> str:
    """Where the keys come from, for messages: the environment or the file's path."""
    if settings.CREDENTIAL_KEYS:
        return "the CREDENTIAL_KEYS environment variable"
    return str(settings.CREDENTIAL_KEYS_FILE) if settings.CREDENTIAL_KEYS_FILE else ""


def _parse(text: str, where: str) -> list[IssuerKey]:
    try:
        data = json.loads(text)
        keys = [
            IssuerKey(
                id=item["id"],
                public_multibase=item["publicKeyMultibase"],
                secret_multibase=item.get("secretKeyMultibase", ""),
                status=item["status"],
                created=item["created"],
            )
            for item in data["keys"]
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise KeyStoreError(f"The credential keys in {where} are not JSON of the expected shape: {error}") from error
    for key in keys:
        if key.status not in STATUSES:
            raise KeyStoreError(f"Key {key.id} in {where} has an unknown status {key.status!r}.")
    return keys


def key_list() -> list[IssuerKey]:
    """Every key, oldest first; empty when none is configured."""
    if settings.CREDENTIAL_KEYS:
        return _parse(settings.CREDENTIAL_KEYS, "CREDENTIAL_KEYS")
    if not settings.CREDENTIAL_KEYS_FILE:
        return []
    path = Path(settings.CREDENTIAL_KEYS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return _parse(text, str(path))


def key_active() -> IssuerKey:
    for key in key_list():
        if key.status == ACTIVE and key.secret_multibase:
            return key
    raise NoActiveKey()


def key_get(key_id: str) -> IssuerKey | None:
    return next((key for key in key_list() if key.id == key_id), None)


def keys_published() -> list[IssuerKey]:
    return [key for key in key_list() if key.published]


# Writing (the management command) ------------------------------------------------------


def key_store_save(keys: list[IssuerKey]) -> Path:
    """Write the key file atomically, readable by its owner only."""
    if settings.CREDENTIAL_KEYS:
        raise KeyStoreError(
            "CREDENTIAL_KEYS is set, so the keys come from the environment and cannot be changed here. "
            "Unset it, point CREDENTIAL_KEYS_FILE at a file outside the web root, run the command, "
            "then copy the file's contents into CREDENTIAL_KEYS."
        )
    if not settings.CREDENTIAL_KEYS_FILE:
        raise KeyStoreError("Neither CREDENTIAL_KEYS nor CREDENTIAL_KEYS_FILE is set: say where the keys live.")
    path = Path(settings.CREDENTIAL_KEYS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"keys": [key.as_json() for key in keys]}, indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credential-keys-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def keys_with(keys: list[IssuerKey], key_id: str, **changes) -> list[IssuerKey]:
    return [dataclasses.replace(key, **changes) if key.id == key_id else key for key in keys]
