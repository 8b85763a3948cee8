"""Celery tasks of the certificate pipeline. Each calls an idempotent service, so a
retried or redelivered task changes nothing that is already done. Their names
(``certification.tasks.<function>``) are in the beat schedule and in queued messages:
they stay as they are."""

from __future__ import annotations

import logging
import secrets

from celery import shared_task

from .services import delivery, lifecycle, rendering

logger = logging.getLogger(__name__)

RENDER_RETRIES = rendering.RENDER_ATTEMPTS_MAX - 1
EMAIL_RETRIES = 8


def render_retry_countdown(retries: int) -> int:
    """Seconds before render retry ``retries + 1``: 30 s, 1, 2, 4 min."""
    return 30 * 2**retries


def email_retry_delay_max(retries: int) -> int:
    """The longest wait before email retry ``retries + 1``: 30 s, 1, 2, 4, 8 min, then
    10 min each (about 45 min in all)."""
    return min(30 * 2**retries, 600)


def email_retry_countdown(retries: int) -> int:
    """A random wait up to that (full jitter), so that the emails held up by one SMTP
    outage do not all come back at once."""
    return 1 + secrets.randbelow(email_retry_delay_max(retries))


# The longest countdown of each task that schedules its own retries. Each stays below the
# broker's visibility_timeout (a test reads them): a message a worker holds, waiting out
# its countdown, for longer than that is delivered again.
RETRY_DELAYS_MAX = {
    "certification.tasks.certificate_render_task": render_retry_countdown,
    "certification.tasks.certificate_email_task": email_retry_delay_max,
}


@shared_task(
    name="certification.tasks.certificate_render_task",
    bind=True,
    acks_late=True,
    soft_time_limit=90,
    time_limit=120,
    max_retries=RENDER_RETRIES,
)
def certificate_render_task(self, certificate_id: str) -> bool:
    """Render and store one certificate. A failure retries with a growing delay (30 s,
    1, 2, 4 min); after the last one the certificate is marked failed for an
    administrator to see and retry."""
    try:
        return rendering.certificate_render(certificate_id=certificate_id)
    except Exception as error:
        logger.exception("Rendering certificate %s failed (attempt %s)", certificate_id, self.request.retries + 1)
        if self.request.retries >= self.max_retries:
            rendering.certificate_mark_failed(certificate_id=certificate_id, error=f"{type(error).__name__}: {error}")
            return False
        if self.request.is_eager:
            # No broker to hold a delayed retry (the embedded demo): try again at once.
            return self.apply(args=[certificate_id], retries=self.request.retries + 1).get()
        raise self.retry(exc=error, countdown=render_retry_countdown(self.request.retries)) from error


@shared_task(name="certification.tasks.certificate_email_task", bind=True, acks_late=True, max_retries=EMAIL_RETRIES)
def certificate_email_task(self, certificate_id: str) -> bool:
    """Email the holder their certificate. SMTP errors (OSError and its subclasses) retry
    with backoff; after the last retry the failure is recorded on the certificate, where
    administrators see it and can send the email again."""
    try:
        return delivery.certificate_email_send(certificate_id=certificate_id)
    except OSError as error:
        attempts = self.request.retries + 1
        logger.warning("Emailing certificate %s failed (attempt %s): %s", certificate_id, attempts, error)
        if self.request.retries >= self.max_retries:
            delivery.certificate_email_mark_failed(
                certificate_id=certificate_id, error=f"{type(error).__name__}: {error}", attempts=attempts
            )
            return False
        if self.request.is_eager:
            # No broker to hold a delayed retry (the embedded demo): try again at once.
            return self.apply(args=[certificate_id], retries=self.request.retries + 1).get()
        raise self.retry(exc=error, countdown=email_retry_countdown(self.request.retries)) from error


@shared_task(
    name="certification.tasks.certificates_expire_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def certificates_expire_task() -> int:
    return lifecycle.certificates_expire()


@shared_task(
    name="certification.tasks.certificate_expiry_reminders_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def certificate_expiry_reminders_task() -> int:
    return lifecycle.certificate_expiry_reminders_send()


@shared_task(name="certification.tasks.certificates_requeue_stalled_task", acks_late=True)
def certificates_requeue_stalled_task() -> int:
    return lifecycle.certificates_requeue_stalled()
