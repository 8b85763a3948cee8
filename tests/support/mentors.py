"""Cases with a trainee's mentor, drafted and sent through the real services, and the
link the mentor was emailed."""

from __future__ import annotations

import re

from django.core import mail
from django.test import TestCase

from courses.handson import mentor_services
from courses.models import InjectionSession

from .handson import GLABELLA, RATINGS, data

LINK = re.compile(r"https?://\S+/signoff/([A-Za-z0-9_-]+)/")
FEEDBACK = {
    "overall_independence": "competent",
    "went_well": "Calm landmarking.",
    "to_improve": "",
    "agreed_actions": "",
}


def draft_case(enrolment, mentor, units=None, **overrides) -> InjectionSession:
    """A draft case of ``enrolment``'s trainee with ``mentor``, as the case form saves it."""
    return mentor_services.mentor_case_save_draft(
        enrolment=enrolment, trainee=enrolment.trainee, mentor=mentor, data=data(**overrides),
        units_by_site=units or GLABELLA, acknowledged=True,
    )  # fmt: skip


def send_link(session: InjectionSession) -> str:
    """Send the case to its mentor and return the token of the link emailed (the
    database keeps only its hash). The email goes out on commit, run here."""
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        mentor_services.signoff_request_send(session_id=session.pk, trainee=session.enrolment.trainee)
    (message,) = mail.outbox[before:]
    return LINK.search(message.body).group(1)


def sign_form(**overrides) -> dict:
    """What the mentor's sign-off form posts to sign with every competency rated."""
    values = {f"rating_{code}": level for code, level in RATINGS.items()}
    values.update(FEEDBACK)
    values.update({"decision": "signed", "confirm": "on"})
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def sign_by_link(token: str) -> None:
    mentor_services.signoff_decide_by_link(token=token, decision="signed", ratings=dict(RATINGS), feedback=FEEDBACK)
