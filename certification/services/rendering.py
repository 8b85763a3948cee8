"""Rendering: the PDF made by a worker, stored and recorded once; a render that keeps
failing is marked failed for an administrator to retry."""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import licence_valid_for
from certification.models import Certificate, StatusList
from core.services import audit_record, enqueue_on_commit

from .delivery import email_enqueue
from .locks import certificate_lock
from .status_lists import certificate_status_publish

if TYPE_CHECKING:
    from accounts.models import User

MSG_CANNOT_RETRY = _("Only a certificate whose rendering failed can be retried; this one is {status}.")
MSG_RENDER_GAVE_UP = _(
    "Gave up after {n} attempts: the worker stopped while rendering (killed, out of memory or over its time limit)."
)

# A failed certificate is rendered again only once an administrator retries it (which
# queues it): a delivery still in flight when it failed does nothing.
RENDERABLE = (Certificate.Status.QUEUED, Certificate.Status.RENDERING)
# Renders started for one certificate, counting those whose worker died mid-way, before
# it is marked failed. The render task's retries stay within it; the limit is what stops
# a certificate that kills its worker every time from being redelivered for ever (acks
# late with reject on worker lost requeues it at once, and the stalled sweep again).
RENDER_ATTEMPTS_MAX = 5


def render_enqueue(certificate: Certificate, *, now: datetime.datetime | None = None) -> None:
    """Stamp ``queued_at`` (the stalled sweep measures from it) and hand the rendering
    to a worker once the transaction commits. The caller holds the certificate's row
    lock, or has just created the row."""
    from certification.tasks import certificate_render_task

    certificate.queued_at = now or timezone.now()
    certificate.save(update_fields=["queued_at"])
    enqueue_on_commit(certificate_render_task, str(certificate.pk))


def certificate_render(*, certificate_id) -> bool:
    """Render, store and record the PDF; returns True if this call issued it. Running it
    again after success changes nothing; after a crash it overwrites the half-written
    file, so one file per certificate is stored."""
    from certification.credentials.keys import KeyStoreError
    from certification.credentials.openbadge import credential_issue
    from certification.documents import certificate_pdf

    with transaction.atomic():
        certificate = certificate_lock(certificate_id)
        if certificate.status not in RENDERABLE:
            return False
        if certificate.render_attempts >= RENDER_ATTEMPTS_MAX:
            _mark_failed(certificate, error=MSG_RENDER_GAVE_UP.format(n=certificate.render_attempts))
            return False
        certificate.status = Certificate.Status.RENDERING
        certificate.render_attempts += 1
        certificate.save(update_fields=["status", "render_attempts"])

    # Signed before the PDF is drawn: the PDF carries it (pdf_sha256 below is of the final
    # bytes, so the uploaded file still verifies byte for byte). Without a usable key the
    # render fails at once with the operator's fix, rather than retrying until it gives up.
    try:
        credential = credential_issue(certificate)
    except KeyStoreError as error:
        certificate_mark_failed(certificate_id=certificate_id, error=str(error))
        return False
    content = certificate_pdf(certificate, credential=credential)  # slow: outside any transaction or lock

    with transaction.atomic():
        certificate = certificate_lock(certificate_id)
        if certificate.status != Certificate.Status.RENDERING:
            return False  # another delivery of the task finished first, or it was revoked
        storage = certificate.pdf.storage
        name = certificate.pdf.field.generate_filename(certificate, f"{certificate.serial}.pdf")
        if storage.exists(name):
            storage.delete(name)
        certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(content), save=False)
        certificate.pdf_sha256 = hashlib.sha256(content).hexdigest()
        certificate.credential = credential
        certificate.status = Certificate.Status.ISSUED
        certificate.rendered_at = timezone.now()
        certificate.last_error = ""
        if not licence_valid_for(user=certificate.holder).exists():
            # The licence lapsed while the certificate was queued.
            certificate.suspended_at = certificate.rendered_at
        certificate.save(
            update_fields=["pdf", "pdf_sha256", "credential", "status", "rendered_at", "last_error", "suspended_at"]
        )
        if certificate.suspended_at is not None:
            certificate_status_publish(certificate, purpose=StatusList.Purpose.SUSPENSION, value=True)
        audit_record(
            actor=None,
            action="certificate.issued",
            obj=certificate,
            summary=f"{certificate.serial} issued to {certificate.holder.email}",
            details={"sha256": certificate.pdf_sha256, "bytes": len(content)},
        )
        email_enqueue(certificate)
    return True


@transaction.atomic
def certificate_mark_failed(*, certificate_id, error: str) -> None:
    """The worker gave up on rendering; an administrator can retry."""
    _mark_failed(certificate_lock(certificate_id), error=error)


def _mark_failed(certificate: Certificate, *, error: str) -> None:
    if certificate.status not in RENDERABLE:
        return
    certificate.status = Certificate.Status.FAILED
    certificate.last_error = error[:2000]
    certificate.save(update_fields=["status", "last_error"])
    audit_record(
        actor=None,
        action="certificate.failed",
        obj=certificate,
        summary=f"Rendering {certificate.serial} failed after {certificate.render_attempts} attempts",
        details={"error": error[:500]},
    )


@transaction.atomic
def certificate_retry(*, certificate_id, actor: User) -> Certificate:
    """An administrator queues a failed certificate again. Locks it."""
    certificate = certificate_lock(certificate_id)
    if not certificate.can_retry_render:
        raise ValidationError(MSG_CANNOT_RETRY.format(status=certificate.get_status_display().lower()))
    certificate.status = Certificate.Status.QUEUED
    certificate.render_attempts = 0  # a fresh allowance (the failure is in the history)
    certificate.save(update_fields=["status", "render_attempts"])
    audit_record(actor=actor, action="certificate.retried", obj=certificate, summary=f"Retrying {certificate.serial}")
    render_enqueue(certificate)
    return certificate
