"""Writes about issuing keys and stored credentials: generate, rotate and revoke a key
(audited: actor None, the command named in the details), and back-fill the signed
credential of certificates issued before signing existed."""

from __future__ import annotations

import dataclasses

from django.db import transaction

from certification.models import Certificate
from core.services import audit_record

from . import keys
from .openbadge import credential_issue

MSG_HAVE_ACTIVE = "An active key already exists ({key}); use `rotate` to replace it."
MSG_NO_SUCH_KEY = "No key {key}. `credential_keys list` shows the keys."
MSG_ALREADY_REVOKED = "Key {key} is already revoked."


class _KeyRecord:
    """What the audit trail needs of the object an event is about (keys are not rows)."""

    class _meta:  # noqa: N801 -- mirrors a model's _meta for core.services.audit_record
        label_lower = "certification.issuingkey"

    def __init__(self, key_id: str):
        self.pk = key_id


def _audit(action: str, key_id: str, summary: str, command: str, **details) -> None:
    audit_record(
        actor=None,
        action=action,
        obj=_KeyRecord(key_id),
        summary=summary,
        details={"command": f"manage.py credential_keys {command}", "store": keys.source(), **details},
    )


@transaction.atomic
def key_generate(*, command: str = "generate") -> keys.IssuerKey:
    """The first active key. Refuses if one is active (rotation is a deliberate act)."""
    current = keys.key_list()
    active = [key for key in current if key.status == keys.ACTIVE]
    if active:
        raise keys.KeyStoreError(MSG_HAVE_ACTIVE.format(key=active[0].id))
    key = keys.key_new()
    keys.key_store_save([*current, key])
    _audit("credential_key.generated", key.id, f"Issuing key {key.id} generated", command)
    return key


@transaction.atomic
def key_rotate() -> tuple[keys.IssuerKey, list[str]]:
    """A new active key; the previous active key is retired: its secret is dropped and
    its public key stays published, so what it signed still verifies."""
    current = keys.key_list()
    retired = [key.id for key in current if key.status == keys.ACTIVE]
    current = [
        dataclasses.replace(key, status=keys.RETIRED, secret_multibase="") if key.id in retired else key
        for key in current
    ]
    key = keys.key_new()
    keys.key_store_save([*current, key])
    _audit("credential_key.rotated", key.id, f"Issuing key {key.id} now active", "rotate", retired=retired)
    return key, retired


@transaction.atomic
def key_revoke(*, key_id: str) -> keys.IssuerKey:
    """No longer published: every credential it signed stops verifying. Its secret is
    dropped. Revoking the active key leaves none: issue stops until `rotate`."""
    current = keys.key_list()
    key = next((k for k in current if k.id == key_id), None)
    if key is None:
        raise keys.KeyStoreError(MSG_NO_SUCH_KEY.format(key=key_id))
    if key.status == keys.REVOKED:
        raise keys.KeyStoreError(MSG_ALREADY_REVOKED.format(key=key_id))
    keys.key_store_save(keys.keys_with(current, key_id, status=keys.REVOKED, secret_multibase=""))
    _audit("credential_key.revoked", key_id, f"Issuing key {key_id} revoked", f"revoke {key_id}", was=key.status)
    return dataclasses.replace(key, status=keys.REVOKED, secret_multibase="")


def credentials_backfill() -> int:
    """Sign and store the credential of every issued or expired certificate that has none
    (issued before signing). Each in its own transaction under the row lock; returns how
    many were signed. Raises ``keys.NoActiveKey`` first if there is no key."""
    from certification.services.locks import certificate_lock

    keys.key_active()
    done = 0
    pending = Certificate.objects.filter(
        credential__isnull=True, status__in=[Certificate.Status.ISSUED, Certificate.Status.EXPIRED]
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            certificate = certificate_lock(pk)
            if certificate.credential is not None or certificate.status not in (
                Certificate.Status.ISSUED,
                Certificate.Status.EXPIRED,
            ):
                continue
            certificate.credential = credential_issue(certificate)
            certificate.save(update_fields=["credential"])
            audit_record(
                actor=None,
                action="certificate.credential_signed",
                obj=certificate,
                summary=f"Signed credential stored for {certificate.serial} (back-fill)",
                details={"verificationMethod": certificate.credential["proof"]["verificationMethod"]},
            )
            done += 1
    return done
