from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from .services import enqueue_on_commit
from .tasks import email_send_task


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) from ``<template>_subject.txt`` and ``<template>_body.txt``."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, render_to_string(f"{template}_body.txt", context)


def email_queue(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render the email now and send it through Celery after the transaction commits."""
    subject, body = email_render(template=template, context=context)
    email_send_on_commit(to=[to], subject=subject, body=body)


def email_send_on_commit(*, to: list[str], subject: str, body: str) -> None:
    """Send one email through Celery after the transaction commits. If the broker cannot
    take it, the email is sent from this process instead (the request waits for SMTP, and
    has no retries): no sweep would find it later."""

    def send_now() -> None:
        EmailMessage(subject=subject, body=body, to=to).send(fail_silently=False)

    enqueue_on_commit(email_send_task, to=to, subject=subject, body=body, fallback=send_now)
