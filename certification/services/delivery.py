"""Delivery: the issued certificate emailed to its holder, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Certificate
from core.emails import email_build, email_render
from core.services import audit_record, enqueue_on_commit

from .locks import certificate_lock

if TYPE_CHECKING:
    from accounts.models import User

MSG_CANNOT_RESEND = _("Only an issued certificate whose email failed can be emailed again.")
MSG_ALREADY_EMAILED = _("This certificate was emailed to its holder on {when}.")


def email_enqueue(certificate: Certificate) -> None:
    """Hand the email to a worker after the commit. No sweep looks for emails, so if the
    broker cannot take the message it is sent from this process at once, and if SMTP
    refuses that too the certificate is flagged for administrators."""
    from certification.tasks import certificate_email_task

    certificate_id = certificate.pk

    def send_now() -> None:
        try:
            certificate_email_send(certificate_id=certificate_id)
        except OSError as error:
            certificate_email_mark_failed(
                certificate_id=certificate_id, error=f"{type(error).__name__}: {error}", attempts=1
            )

    enqueue_on_commit(certificate_email_task, str(certificate_id), fallback=send_now)


def certificate_email_send(*, certificate_id) -> bool:
    """Email the holder their certificate, attached; once. The row stays locked while
    the message goes, so two deliveries of the task cannot both send."""
    with transaction.atomic():
        certificate = certificate_lock(certificate_id)
        if certificate.emailed_at is not None or certificate.status != Certificate.Status.ISSUED:
            return False
        subject, body = email_render(
            template="certification/email/certificate_issued",
            context={"certificate": certificate, "user": certificate.holder},
        )
        message = email_build(to=[certificate.holder.email], subject=subject, body=body)
        with certificate.pdf.open("rb") as handle:
            message.attach(f"{certificate.serial}.pdf", handle.read(), "application/pdf")
        message.send(fail_silently=False)
        certificate.emailed_at = timezone.now()
        certificate.email_failed_at = None
        certificate.email_error = ""
        certificate.save(update_fields=["emailed_at", "email_failed_at", "email_error"])
    return True


@transaction.atomic
def certificate_email_mark_failed(*, certificate_id, error: str, attempts: int) -> None:
    """The worker gave up emailing the certificate (SMTP failed through every retry):
    record it where administrators look, who can send it again."""
    certificate = certificate_lock(certificate_id)
    if certificate.emailed_at is not None:
        return
    certificate.email_failed_at = timezone.now()
    certificate.email_error = error[:2000]
    certificate.save(update_fields=["email_failed_at", "email_error"])
    audit_record(
        actor=None,
        action="certificate.email_failed",
        obj=certificate,
        summary=f"Emailing {certificate.serial} to {certificate.holder.email} failed after {attempts} attempts",
        details={"error": error[:500], "attempts": attempts},
    )


@transaction.atomic
def certificate_email_resend(*, certificate_id, actor: User) -> Certificate:
    """An administrator sends the certificate's email again, after the worker gave up.
    Locks the certificate."""
    certificate = certificate_lock(certificate_id)
    if certificate.emailed_at is not None:
        when = timezone.localtime(certificate.emailed_at).strftime("%d %b %Y %H:%M")
        raise ValidationError(MSG_ALREADY_EMAILED.format(when=when))
    if not certificate.can_resend_email:
        raise ValidationError(MSG_CANNOT_RESEND)
    certificate.email_failed_at = None
    certificate.email_error = ""
    certificate.save(update_fields=["email_failed_at", "email_error"])
    audit_record(
        actor=actor,
        action="certificate.email_resent",
        obj=certificate,
        summary=f"Emailing {certificate.serial} to {certificate.holder.email} again",
    )
    email_enqueue(certificate)
    return certificate
