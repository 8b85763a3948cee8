"""The emails a Celery worker process sent: its EMAIL_BACKEND is Django's file backend,
which appends each message to a file in the worker's mail folder, separated by a line
of 79 dashes."""

from __future__ import annotations

import email
from email.message import Message
from pathlib import Path

from tests.support.wait import wait_for


def mail_messages(folder: Path) -> list[Message]:
    """Every message written to ``folder`` so far, oldest file first."""
    files = sorted(folder.glob("*.log")) if folder.exists() else []
    # A connection that sends several messages writes them to one file; each but the
    # first then starts with the separator's newline, which would end its headers.
    return [
        email.message_from_string(m.lstrip("\n")) for f in files for m in f.read_text().split("-" * 79) if m.strip()
    ]


def read_mail(folder: Path, expected: int, timeout: float = 30) -> list[Message]:
    """The messages in ``folder`` once there are at least ``expected`` of them."""
    found: list[Message] = []

    def enough() -> bool:
        found[:] = mail_messages(folder)
        return len(found) >= expected

    try:
        wait_for(enough, timeout=timeout, interval=0.2)
    except AssertionError:
        raise AssertionError(f"expected {expected} emails, found {len(found)}") from None
    return list(found)


def certificate_mails(mail_dir: Path, certificate) -> list[Message]:
    """The messages in ``mail_dir`` about ``certificate`` (its serial is in the subject)."""
    return [m for m in mail_messages(mail_dir) if certificate.serial in (m["Subject"] or "")]
