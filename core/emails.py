from __future__ import annotations

from typing import Any

from django.conf import settings
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
    enqueue_on_commit(email_send_task, to=[to], subject=subject, body=body)
