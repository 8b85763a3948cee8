"""Mentors and external sign-off: the writes. A trainee adds a mentor, staff verify or
reject it (as licences are verified), the trainee drafts a case with a verified mentor
and sends it; the mentor signs it or returns it through an emailed link, or signs on the
trainee's device with a one-time code sent to the mentor's email.

How the link is secured: the URL carries ``secrets.token_urlsafe(32)`` (256 random bits)
and the database holds only its SHA-256 (``SignOffRequest.token_hash``). Nothing is
signed with ``django.core.signing``: a signature would prove we issued the token, but
single use, expiry, revocation and "the mentor has since been rejected" must be looked up
in the row anyway, and a random token with a stored hash needs no key and leaks nothing
usable if the table is read. The 6-digit code is too short for a bare hash (a million
guesses reverse it), so it is stored as an HMAC under SECRET_KEY, lives ten minutes and
allows five tries.

Every step writes an audit event: ``signoff.requested``, ``signoff.code_sent``,
``signoff.opened``, ``signoff.signed``, ``signoff.returned``, ``signoff.revoked`` and
``signoff.refused`` (a used, expired, revoked or withdrawn request, a rejected mentor or
a wrong code); a token matching no request is only logged, as there is no row to attach
it to. A refused use changes nothing else.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.emails import email_queue
from core.services import audit_record
from courses.models import COMPETENCIES, Enrolment, Independence, InjectionSession, Mentor, SignOffRequest

from . import services
from .consultation import consultation_sign_blocker
from .mentor_selectors import signoff_problem

logger = logging.getLogger(__name__)

LINK_TTL = datetime.timedelta(days=14)
CODE_TTL = datetime.timedelta(minutes=10)
CODE_TRIES = 5
# The fields the mentor fills when signing; the trainee's draft leaves them empty.
MENTOR_FIELDS = ("overall_independence", "went_well", "to_improve", "agreed_actions")

MSG_MENTOR_ON_FILE = _("You have already added a mentor with this registration number.")
MSG_MENTOR_DECIDED = _("This mentor has already been {status}.")
MSG_REASON_REQUIRED = _("Give a reason: the trainee reads it.")
MSG_MENTOR_NOT_VERIFIED = _("Choose one of your verified mentors.")
MSG_NOT_MENTOR_DRAFT = _("Only a draft case with your mentor can be changed or sent.")
MSG_NOT_ENROLLED = _("You are not enrolled in this course.")
MSG_CODE_WRONG = _("That code is not right. Check the latest email and try again.")
MSG_CODE_NONE = _("There is no current code for this case: send a new one.")
MSG_RETURN_COMMENT = _("Say what the trainee should change.")
MSG_CONFIRM = _("Confirm that you supervised this case and that the ratings are yours.")


class SignOffRefused(Exception):
    """A sign-off link or code that cannot be used; ``problem`` is a
    mentor_selectors.PROBLEMS key, which the page explains."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hash(request_id, code: str) -> str:
    return salted_hmac("courses.handson.signoff-code", f"{request_id}:{code}", algorithm="sha256").hexdigest()


# Mentors ------------------------------------------------------------------------------


@transaction.atomic
def mentor_add(*, trainee: User, data: dict) -> Mentor:
    """Record a trainee's mentor, awaiting verification by staff."""
    mentor = Mentor(trainee=trainee, **data)
    mentor.email = mentor.email.strip().lower()
    mentor.registration_number = mentor.registration_number.strip().upper()
    mentor.full_clean(exclude=["trainee", "decided_by"], validate_unique=False)
    try:
        with transaction.atomic():
            mentor.save()
    except IntegrityError:
        raise ValidationError({"registration_number": [MSG_MENTOR_ON_FILE]}) from None
    audit_record(actor=trainee, action="mentor.submitted", obj=mentor, summary=f"{trainee.email} added mentor {mentor}")
    return mentor


def _lock_mentor(mentor_id) -> Mentor:
    """The mentor, its row locked until the transaction ends (the trainee is joined)."""
    return Mentor.objects.select_for_update(of=("self",)).select_related("trainee").get(pk=mentor_id)


def _notify_trainee_of_decision(mentor: Mentor) -> None:
    email_queue(
        to=mentor.trainee.email,
        template="courses/handson/email/mentor_decided",
        context={"mentor": mentor, "user": mentor.trainee},
    )


@transaction.atomic
def mentor_verify(*, mentor_id, actor: User) -> Mentor:
    """Verify a submitted mentor. Holds a SELECT FOR UPDATE lock on the mentor row."""
    mentor = _lock_mentor(mentor_id)
    if mentor.status != Mentor.Status.SUBMITTED:
        raise ValidationError(str(MSG_MENTOR_DECIDED).format(status=mentor.get_status_display().lower()))
    mentor.status = Mentor.Status.VERIFIED
    mentor.decided_at = timezone.now()
    mentor.decided_by = actor
    mentor.decision_reason = ""
    mentor.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(actor=actor, action="mentor.verified", obj=mentor, summary=f"Verified mentor {mentor}")
    _notify_trainee_of_decision(mentor)
    return mentor


@transaction.atomic
def mentor_reject(*, mentor_id, actor: User, reason: str) -> Mentor:
    """Reject a submitted mentor, or withdraw a verified one's verification, with a reason
    the trainee reads. Links already sent to the mentor stop working (they check the
    mentor when used). Holds a SELECT FOR UPDATE lock on the mentor row."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [MSG_REASON_REQUIRED]})
    mentor = _lock_mentor(mentor_id)
    if mentor.status == Mentor.Status.REJECTED:
        raise ValidationError(str(MSG_MENTOR_DECIDED).format(status=mentor.get_status_display().lower()))
    was = mentor.status
    mentor.status = Mentor.Status.REJECTED
    mentor.decided_at = timezone.now()
    mentor.decided_by = actor
    mentor.decision_reason = reason
    mentor.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor, action="mentor.rejected", obj=mentor, summary=f"Rejected mentor {mentor}",
        details={"reason": reason, "was": was},
    )  # fmt: skip
    _notify_trainee_of_decision(mentor)
    return mentor


# The trainee's case -------------------------------------------------------------------


def _revoke_open(session: InjectionSession, *, actor: User, reason: str) -> None:
    """Revoke the case's open request, if any (the caller holds the session's lock)."""
    for request in SignOffRequest.objects.filter(session=session, used_at=None, revoked_at=None):
        request.revoked_at = timezone.now()
        request.revoked_reason = reason
        request.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(
            actor=actor, action="signoff.revoked", obj=request,
            summary=f"Revoked sign-off request for case {session.model_code} ({reason})",
            details={"session": str(session.pk), "reason": reason},
        )  # fmt: skip


def _lock_own_draft(session_id, trainee: User) -> InjectionSession:
    """The trainee's own draft mentor case, its row locked (PermissionDenied for anyone
    else's; views fetch it with mentor_selectors.get_own_mentor_case_for, a 404)."""
    session = (
        InjectionSession.objects.select_for_update(of=("self",))
        .select_related("enrolment__course", "enrolment__trainee", "mentor")
        .get(pk=session_id)
    )
    if session.enrolment.trainee_id != trainee.pk or session.mentor_id is None:
        raise PermissionDenied
    if session.status != InjectionSession.Status.DRAFT:
        raise ValidationError(MSG_NOT_MENTOR_DRAFT)
    return session


@transaction.atomic
def mentor_case_save_draft(
    *, enrolment: Enrolment, trainee: User, mentor: Mentor, data: dict, units_by_site: dict,
    acknowledged: bool = False, session: InjectionSession | None = None,
) -> InjectionSession:  # fmt: skip
    """Create or update the trainee's draft of a case with their verified mentor: the same
    checks as an instructor's session (services._check) without the ratings, which the
    mentor gives when signing. Editing a case that was sent revokes the link: the mentor
    must sign what the trainee finally wrote. Nothing is written when a rule fails."""
    if enrolment.trainee_id != trainee.pk:
        raise PermissionDenied
    if mentor.trainee_id != trainee.pk or not mentor.is_verified:
        raise ValidationError({"mentor": [MSG_MENTOR_NOT_VERIFIED]})
    if session is not None:
        session = _lock_own_draft(session.pk, trainee)
    data = {**data, **{name: "" for name in MENTOR_FIELDS}}
    warnings = services._check(
        enrolment=enrolment, instructor=None, data=data, units_by_site=units_by_site, ratings=None,
        acknowledged=acknowledged, exclude=[session.pk] if session else (),
    )  # fmt: skip
    if session is not None:
        _revoke_open(session, actor=trainee, reason="edited")
    session = session or InjectionSession(enrolment=enrolment)
    session.mentor = mentor
    services._write(session, data=data, units_by_site=units_by_site, ratings={}, warnings=warnings)
    return session


@transaction.atomic
def mentor_case_withdraw(*, session_id, trainee: User) -> None:
    """Withdraw (delete) a draft mentor case. Its requests are kept (their case set to
    null), so a link already emailed says the case was withdrawn. Locks the session row."""
    session = _lock_own_draft(session_id, trainee)
    _revoke_open(session, actor=trainee, reason="withdrawn")
    audit_record(
        actor=trainee, action="session.withdrawn", obj=session,
        summary=f"Withdrew draft case {session.model_code} of {session.performed_on}",
    )  # fmt: skip
    session.delete()


def _open_request(session: InjectionSession, *, trainee: User, channel: str, ttl) -> SignOffRequest:
    if session.enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(MSG_NOT_ENROLLED)
    if not session.mentor.is_verified:
        raise ValidationError(MSG_MENTOR_NOT_VERIFIED)
    _revoke_open(session, actor=trainee, reason="replaced")
    now = timezone.now()
    return SignOffRequest(session=session, mentor=session.mentor, channel=channel, created_at=now, expires_at=now + ttl)


@transaction.atomic
def signoff_request_send(*, session_id, trainee: User) -> tuple[SignOffRequest, str]:
    """Email the case's mentor a single-use link valid for 14 days (an earlier open
    request is revoked). Returns the request and the link's token, which only the email
    (and the caller) ever holds. Locks the session row."""
    session = _lock_own_draft(session_id, trainee)
    request = _open_request(session, trainee=trainee, channel=SignOffRequest.Channel.LINK, ttl=LINK_TTL)
    token = secrets.token_urlsafe(32)
    request.token_hash = token_hash(token)
    request.save()
    email_queue(
        to=session.mentor.email,
        template="courses/handson/email/signoff_request",
        context={
            "session": session, "mentor": session.mentor, "trainee": trainee, "request": request,
            "link": settings.SITE_URL + reverse("courses:signoff", args=[token]),
        },
    )  # fmt: skip
    audit_record(
        actor=trainee, action="signoff.requested", obj=request,
        summary=f"Sent case {session.model_code} to mentor {session.mentor} for sign-off by link",
        details={"session": str(session.pk), "mentor": str(session.mentor.pk), "expires_at": request.expires_at},
    )  # fmt: skip
    return request, token


@transaction.atomic
def signoff_code_send(*, session_id, trainee: User) -> SignOffRequest:
    """Email the case's mentor a 6-digit code for signing on the trainee's device, valid
    for 10 minutes and 5 tries (an earlier open request is revoked). Locks the session."""
    session = _lock_own_draft(session_id, trainee)
    request = _open_request(session, trainee=trainee, channel=SignOffRequest.Channel.CODE, ttl=CODE_TTL)
    code = f"{secrets.randbelow(10**6):06d}"
    request.code_hash = _code_hash(request.pk, code)
    request.save()
    email_queue(
        to=session.mentor.email,
        template="courses/handson/email/signoff_code",
        context={"session": session, "mentor": session.mentor, "trainee": trainee, "code": code},
    )
    audit_record(
        actor=trainee, action="signoff.code_sent", obj=request,
        summary=f"Sent a sign-off code for case {session.model_code} to mentor {session.mentor}",
        details={"session": str(session.pk), "mentor": str(session.mentor.pk)},
    )  # fmt: skip
    return request


# The mentor's decision ----------------------------------------------------------------


def _record_refusal(request: SignOffRequest, problem: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=None, action="signoff.refused", obj=request,
            summary=f"Refused use of sign-off request {request.pk}: {problem}",
            details={"problem": problem, "session": str(request.session_id or "")},
        )  # fmt: skip


def signoff_opened(*, request: SignOffRequest) -> None:
    """Note the first time a link is opened (later openings are not recorded again)."""
    with transaction.atomic():
        updated = SignOffRequest.objects.filter(pk=request.pk, opened_at=None).update(opened_at=timezone.now())
        if updated:
            audit_record(
                actor=None, action="signoff.opened", obj=request,
                summary=f"Mentor opened the sign-off link for case {request.session_id}",
            )  # fmt: skip


def signoff_refused(*, request: SignOffRequest | None, problem: str) -> None:
    """Record a refused use of a link (a page view of an unusable one)."""
    if request is None:
        logger.warning("signoff: a link matching no request was used")
    else:
        _record_refusal(request, problem)


def _validate_decision(*, decision: str, ratings: dict, feedback: dict, comment: str) -> None:
    errors: dict[str, list] = {}
    if decision == SignOffRequest.Outcome.RETURNED:
        if not comment.strip():
            errors["return_comment"] = [MSG_RETURN_COMMENT]
    elif decision == SignOffRequest.Outcome.SIGNED:
        for code, _label in COMPETENCIES:
            if ratings.get(code) not in Independence.values:
                errors[f"rating_{code}"] = [services.MSG_RATING_MISSING]
        if feedback.get("overall_independence") not in Independence.values:
            errors["overall_independence"] = [services.MSG_RATING_MISSING]
    else:
        errors["decision"] = [_("Choose to sign or to return the case.")]
    if errors:
        raise ValidationError(errors)


def _decide(request: SignOffRequest, *, decision: str, ratings: dict, feedback: dict, comment: str) -> None:
    """Sign or return the case (the caller holds the request row's lock and has checked
    it is usable). Locks the session row too."""
    session = (
        InjectionSession.objects.select_for_update(of=("self",))
        .select_related("enrolment__trainee", "enrolment__course")
        .get(pk=request.session_id)
    )
    if decision == SignOffRequest.Outcome.SIGNED:
        # The same contraindication rule as an instructor's sign-off (under the same lock).
        blocker = consultation_sign_blocker(session_id=session.pk)
        if blocker:
            raise ValidationError(blocker)
    now = timezone.now()
    request.used_at = now
    request.outcome = decision
    if decision == SignOffRequest.Outcome.SIGNED:
        session.ratings = {code: ratings[code] for code, _label in COMPETENCIES}
        for name in MENTOR_FIELDS:
            setattr(session, name, (feedback.get(name) or "").strip())
        session.status = InjectionSession.Status.SIGNED
        session.signed_at = now
        session.save(update_fields=["ratings", *MENTOR_FIELDS, "status", "signed_at"])
        request.save(update_fields=["used_at", "outcome"])
        audit_record(
            actor=None, action="signoff.signed", obj=session,
            summary=f"Mentor {request.mentor} signed case {session.model_code} of {session.performed_on} "
            f"for {session.enrolment.trainee.email}",
            details={"request": str(request.pk), "channel": request.channel, "mentor": str(request.mentor_id),
                     "dose_warnings": session.dose_warnings},
        )  # fmt: skip
    else:
        request.return_comment = comment.strip()
        request.save(update_fields=["used_at", "outcome", "return_comment"])
        audit_record(
            actor=None, action="signoff.returned", obj=session,
            summary=f"Mentor {request.mentor} returned case {session.model_code} to the trainee",
            details={"request": str(request.pk), "channel": request.channel, "comment": comment.strip()},
        )  # fmt: skip
    email_queue(
        to=session.enrolment.trainee.email,
        template="courses/handson/email/signoff_decided",
        context={"session": session, "request": request, "user": session.enrolment.trainee},
    )


def signoff_decide_by_link(*, token: str, decision: str, ratings: dict, feedback: dict, comment: str = "") -> None:
    """The mentor signs or returns the case through the emailed link. Holds a SELECT FOR
    UPDATE lock on the request row (then the session's), so of two requests using one
    link at once exactly one decides; the other is refused as used. Raises
    SignOffRefused (nothing written but the audit of the refusal) or ValidationError."""
    _validate_decision(decision=decision, ratings=ratings, feedback=feedback, comment=comment)
    with transaction.atomic():
        request = (
            SignOffRequest.objects.select_for_update(of=("self",))
            .select_related("mentor", "session__enrolment")
            .filter(token_hash=token_hash(token), channel=SignOffRequest.Channel.LINK)
            .first()
        )
        problem = signoff_problem(request)
        if problem is None:
            _decide(request, decision=decision, ratings=ratings, feedback=feedback, comment=comment)
            return
    signoff_refused(request=request, problem=problem)
    raise SignOffRefused(problem)


def signoff_decide_with_code(
    *, session_id, trainee: User, code: str, decision: str, ratings: dict, feedback: dict, comment: str = ""
) -> None:
    """The mentor signs or returns the case on the trainee's device with the emailed
    code. Holds a SELECT FOR UPDATE lock on the open code request. A wrong code counts a
    try (kept: it is committed before the error is raised); the fifth wrong one revokes
    the code. Raises ValidationError at the ``code`` field, or SignOffRefused."""
    _validate_decision(decision=decision, ratings=ratings, feedback=feedback, comment=comment)
    wrong = False
    with transaction.atomic():
        session = _lock_own_draft(session_id, trainee)
        request = (
            SignOffRequest.objects.select_for_update(of=("self",))
            .select_related("mentor", "session__enrolment")
            .filter(session=session, channel=SignOffRequest.Channel.CODE, used_at=None, revoked_at=None)
            .first()
        )
        if request is None:
            raise ValidationError({"code": [MSG_CODE_NONE]})
        problem = signoff_problem(request)
        if problem is None:
            if constant_time_compare(_code_hash(request.pk, code.strip()), request.code_hash):
                _decide(request, decision=decision, ratings=ratings, feedback=feedback, comment=comment)
                return
            wrong = True
            request.code_attempts += 1
            fields = ["code_attempts"]
            if request.code_attempts >= CODE_TRIES:
                request.revoked_at, request.revoked_reason = timezone.now(), "too_many_tries"
                fields += ["revoked_at", "revoked_reason"]
            request.save(update_fields=fields)
            audit_record(
                actor=trainee, action="signoff.refused", obj=request,
                summary=f"Wrong sign-off code for case {session.model_code} ({request.code_attempts} of {CODE_TRIES})",
                details={"problem": "wrong_code", "session": str(session.pk)},
            )  # fmt: skip
    if wrong:
        raise ValidationError({"code": [MSG_CODE_WRONG if request.revoked_at is None else MSG_CODE_NONE]})
    signoff_refused(request=request, problem=problem)
    raise SignOffRefused(problem)
