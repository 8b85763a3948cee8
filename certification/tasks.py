"""Celery tasks of the certificate pipeline. Each calls an idempotent service, so a
retried or redelivered task changes nothing that is already done."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)

RENDER_RETRIES = 4


@shared_task(bind=True, acks_late=True, soft_time_limit=90, time_limit=120, max_retries=RENDER_RETRIES)
def certificate_render_task(self, certificate_id: str) -> bool:
    """Render and store one certificate. A failure retries with a growing delay (30 s,
    1, 2, 4 min); after the last one the certificate is marked failed for an
    administrator to see and retry."""
    try:
        return services.certificate_render(certificate_id=certificate_id)
    except Exception as error:
        logger.exception("Rendering certificate %s failed (attempt %s)", certificate_id, self.request.retries + 1)
        if self.request.retries >= self.max_retries:
            services.certificate_mark_failed(certificate_id=certificate_id, error=f"{type(error).__name__}: {error}")
            return False
        if self.request.is_eager:
            # No broker to hold a delayed retry (the embedded demo): try again at once.
            return self.apply(args=[certificate_id], retries=self.request.retries + 1).get()
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8
)
def certificate_email_task(self, certificate_id: str) -> bool:
    return services.certificate_email_send(certificate_id=certificate_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def certificates_expire_task() -> int:
    return services.certificates_expire()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def certificate_expiry_reminders_task() -> int:
    return services.certificate_expiry_reminders_send()


@shared_task(acks_late=True)
def certificates_requeue_stalled_task() -> int:
    return services.certificates_requeue_stalled()
