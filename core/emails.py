"""Every email the site sends is built here: the subject and plain text rendered from
``<template>_subject.txt`` and ``<template>_body.txt``, an HTML alternative with the same
content in the branded layout (``email/layout.html``: inline styles, no remote images),
``Auto-Submitted: auto-generated`` (RFC 3834: auto-responders stay quiet) and a
Message-ID on the site's own domain."""

from __future__ import annotations

import re
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

from .services import enqueue_on_commit
from .tasks import email_send_task


def site_domain() -> str:
    """The host of SITE_URL, without the port: the domain of the Message-IDs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _html_paragraphs(text: str) -> str:
    """Plain text as HTML: blank lines part paragraphs, single newlines break lines,
    addresses become links. Everything else is escaped."""
    paragraphs = [part.strip("\n") for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    html = []
    for paragraph in paragraphs:
        lines = [urlize(escape(line), autoescape=False) for line in paragraph.split("\n")]
        html.append('<p style="margin:0 0 16px">' + "<br>".join(lines) + "</p>")
    return "\n".join(html)


def email_html(*, subject: str, body: str) -> str:
    """The HTML alternative of a plain-text email: the same words, in the layout."""
    return render_to_string(
        "email/layout.html",
        {
            "subject": subject,
            "content": mark_safe(_html_paragraphs(body)),  # noqa: S308 - built from escaped text above
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        },
    )


def email_build(*, to: list[str], subject: str, body: str) -> EmailMultiAlternatives:
    """The message as it is sent: plain text, an HTML alternative and the headers."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=to,
        headers={"Auto-Submitted": "auto-generated", "Message-ID": make_msgid(domain=site_domain())},
    )
    message.attach_alternative(email_html(subject=subject, body=body), "text/html")
    return message


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) from ``<template>_subject.txt`` and ``<template>_body.txt``."""
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_body.txt", context)
    body = body.rstrip() + "\n\n" + render_to_string("email/signature.txt", context)
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body


def email_queue(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render the email now and send it through Celery after the transaction commits."""
    subject, body = email_render(template=template, context=context)
    email_send_on_commit(to=[to], subject=subject, body=body)


def email_send_on_commit(*, to: list[str], subject: str, body: str) -> None:
    """Send one email through Celery after the transaction commits. If the broker cannot
    take it, the email is sent from this process instead (the request waits for SMTP, and
    has no retries): no sweep would find it later."""

    def send_now() -> None:
        email_build(to=to, subject=subject, body=body).send(fail_silently=False)

    enqueue_on_commit(email_send_task, to=to, subject=subject, body=body, fallback=send_now)
