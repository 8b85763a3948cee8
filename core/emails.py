from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from .services import enqueue_on_commit
from .tasks import email_send_task


def email_queue(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` now and send them
    through Celery after the transaction commits."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_body.txt", context)
    enqueue_on_commit(
        email_send_task,
        to=[to],
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
    )
