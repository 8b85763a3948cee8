from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMessage


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def email_send_task(self, *, to: list[str], subject: str, body: str) -> None:
    """Send one plain-text email. SMTP errors (OSError and its subclasses) retry with
    backoff; the message is rendered by the caller so a retry sends the same text."""
    EmailMessage(subject=subject, body=body, to=to).send(fail_silently=False)
