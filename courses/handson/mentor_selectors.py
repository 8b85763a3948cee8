"""Mentors and external sign-off: the reads. Who may see a mentor or a mentor case, the
staff queue, and whether a sign-off request can still be used (``signoff_problem``)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import Enrolment, InjectionSession, Mentor, SessionSite, SignOffRequest

# Why a link or code cannot be used: (title, explanation) for the page that says so.
PROBLEMS = {
    "unknown": (
        _("This link is not valid"),
        _("The link is incomplete or was not issued by us. Open it from the email again, whole; "
          "if it still fails, ask the trainee to send the case again."),
    ),
    "used": (
        _("This link has already been used"),
        _("The case was signed or returned with this link, which works only once. Nothing was changed."),
    ),
    "expired": (
        _("This link has expired"),
        _("Sign-off links work for 14 days. Ask the trainee to send the case again. Nothing was changed."),
    ),
    "revoked": (
        _("This link was replaced"),
        _("The trainee changed the case or sent it again, so this link no longer works. "
          "Use the most recent email. Nothing was changed."),
    ),
    "withdrawn": (
        _("This case was withdrawn"),
        _("The trainee withdrew the case, so there is nothing to sign. Nothing was changed."),
    ),
    "mentor_rejected": (
        _("You can no longer sign for this trainee"),
        _("Your registration as this trainee's mentor is not verified (any more). "
          "The trainee has been told why. Nothing was changed."),
    ),
    "not_enrolled": (
        _("The trainee is no longer enrolled"),
        _("The trainee has left the course, so this case cannot be signed. Nothing was changed."),
    ),
    "closed": (
        _("This case is already closed"),
        _("The case has already been signed. Nothing was changed."),
    ),
}  # fmt: skip


def signoff_problem(request: SignOffRequest | None) -> str | None:
    """Why the request cannot be used now (a PROBLEMS key), or None if it can."""
    if request is None:
        return "unknown"
    if request.session_id is None:
        return "withdrawn"
    if request.used_at is not None:
        return "used"
    if request.revoked_at is not None:
        return "revoked"
    if request.expires_at <= timezone.now():
        return "expired"
    if request.mentor.status != Mentor.Status.VERIFIED:
        return "mentor_rejected"
    if request.session.enrolment.status != Enrolment.Status.ACTIVE:
        return "not_enrolled"
    if request.session.status != InjectionSession.Status.DRAFT:
        return "closed"
    return None


def signoff_request_for_token(token_digest: str) -> SignOffRequest | None:
    """The link request whose token hashes to ``token_digest``, with its mentor and case."""
    return (
        SignOffRequest.objects.select_related("mentor", "session__enrolment__course", "session__enrolment__trainee")
        .filter(token_hash=token_digest, channel=SignOffRequest.Channel.LINK)
        .first()
    )


def signoff_session(request: SignOffRequest) -> InjectionSession:
    """The case of a usable request, with what its page shows."""
    return (
        InjectionSession.objects.select_related("enrolment__course", "enrolment__trainee", "mentor")
        .prefetch_related(Prefetch("sites", queryset=SessionSite.objects.order_by("id")))
        .get(pk=request.session_id)
    )


# Mentors -------------------------------------------------------------------------------


def mentor_list_for_trainee(*, trainee: User) -> QuerySet[Mentor]:
    return Mentor.objects.filter(trainee=trainee).order_by("-submitted_at")


def mentors_verified_for(*, trainee: User) -> QuerySet[Mentor]:
    return Mentor.objects.filter(trainee=trainee, status=Mentor.Status.VERIFIED).order_by("full_name")


def mentor_queue() -> QuerySet[Mentor]:
    """Mentors awaiting a decision, oldest first."""
    return (
        Mentor.objects.filter(status=Mentor.Status.SUBMITTED).select_related("trainee").order_by("submitted_at", "id")
    )


def mentor_next_in_queue() -> Mentor | None:
    return mentor_queue().first()


def get_mentor_for_staff(pk) -> Mentor:
    mentor = Mentor.objects.select_related("trainee", "decided_by").filter(pk=pk).first()
    if mentor is None:
        raise Http404
    return mentor


# The trainee's mentor cases --------------------------------------------------------------


def get_own_mentor_case_for(user: User, pk) -> InjectionSession:
    """One of the trainee's own mentor cases, with its course and mentor; 404 otherwise."""
    session = (
        InjectionSession.objects.select_related("enrolment__course", "enrolment__trainee", "mentor")
        .prefetch_related(Prefetch("sites", queryset=SessionSite.objects.order_by("id")))
        .filter(pk=pk, enrolment__trainee=user, mentor__isnull=False)
        .first()
    )
    if session is None:
        raise Http404
    return session


def latest_request(session: InjectionSession) -> SignOffRequest | None:
    return session.signoff_requests.order_by("-created_at").first()


def mentor_cases_in_progress(*, enrolment: Enrolment) -> list[InjectionSession]:
    """The trainee's draft mentor cases in a course, newest first, each with its mentor
    and its requests newest first (``requests``): two queries however many there are."""
    return list(
        InjectionSession.objects.filter(enrolment=enrolment, mentor__isnull=False, status=InjectionSession.Status.DRAFT)
        .select_related("mentor")
        .prefetch_related(
            Prefetch("signoff_requests", queryset=SignOffRequest.objects.order_by("-created_at"), to_attr="requests")
        )
        .order_by("-performed_on", "-created_at")
    )
