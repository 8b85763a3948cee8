"""Where each trainee stands on the certification pathway: the one place that gathers
licence, theory, hands-on and exam state (in a fixed number of queries) for
certification.pathway.pathway_for."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.selectors import licence_awaiting
from core.selectors import audit_event_list
from courses.handson import selectors as handson
from courses.models import Course, Enrolment
from exams.practical.selectors import latest_assessments
from exams.selectors import written_states

from .models import ApiKey, ApiKeyUsage, Award, Certificate, StatusList
from .pathway import Stage, pathway_for

if TYPE_CHECKING:  # type hints only
    from accounts.models import Licence, User
    from core.models import AuditEvent
    from courses.models import Course, Enrolment


def trainee_journeys(
    *, user: User, enrolments: list[Enrolment], licences: list[Licence]
) -> list[tuple[Enrolment, list[Stage]]]:
    """(enrolment, stages) for each of the trainee's enrolments. ``enrolments`` come from
    courses.selectors.enrolment_list_for_trainee (with lesson annotations)."""
    has_valid_licence = any(licence.is_valid() for licence in licences)
    licence_waiting = licence_awaiting(user, licences=licences) is not None
    sessions = handson.sessions_for_enrolments(e.pk for e in enrolments)
    written = written_states(enrolments)
    practicals = latest_assessments(e.pk for e in enrolments)
    certificates = current_certificates_for_enrolments(e.pk for e in enrolments)
    return [
        (
            enrolment,
            pathway_for(
                has_valid_licence=has_valid_licence,
                licence_waiting=licence_waiting,
                course=enrolment.course,
                enrolment=enrolment,
                handson=handson.requirement_status(course=enrolment.course, sessions=sessions[enrolment.pk]),
                written=written.get(enrolment.pk),
                practical=practicals.get(enrolment.pk),
                award=certificates.get(enrolment.pk, (None, None))[0],
                certificate=certificates.get(enrolment.pk, (None, None))[1],
            ),
        )
        for enrolment in enrolments
    ]


def course_pathway(*, user: User, course: Course, licences: list[Licence]) -> list[Stage]:
    """The pathway for a course the trainee is not (or no longer) enrolled in."""
    return pathway_for(
        has_valid_licence=any(licence.is_valid() for licence in licences),
        licence_waiting=licence_awaiting(user, licences=licences) is not None,
        course=course,
    )


# Certificates ---------------------------------------------------------------------------


def get_certificate_for(user: User, pk) -> Certificate:
    """The holder's own certificate, or any for an administrator; 404 otherwise."""
    certificates = Certificate.objects.select_related("holder", "award__course")
    if not user.is_administrator:
        certificates = certificates.filter(holder=user)
    try:
        return certificates.get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_certificate_document_for(user: User, pk) -> Certificate:
    """As get_certificate_for, and its PDF is ready (issued at some point); 404 otherwise."""
    certificate = get_certificate_for(user, pk)
    if not certificate.is_document_ready:
        raise Http404
    return certificate


def get_certificate_badge_for(user: User, pk) -> Certificate:
    """As get_certificate_document_for, and still the holder's (not revoked or
    superseded): what an Open Badge may be made of; 404 otherwise."""
    certificate = get_certificate_document_for(user, pk)
    if certificate.status in (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED):
        raise Http404
    return certificate


def get_certificate_for_staff(pk) -> Certificate:
    """Any certificate, with what the administrators' page shows of it; 404 if none."""
    certificates = Certificate.objects.select_related(
        "holder",
        "award__licence__jurisdiction",
        "award__written_attempt",
        "award__assessment",
        "created_by",
        "replaces",
    )
    try:
        return certificates.get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def certificate_replaced_by(certificate: Certificate) -> Certificate | None:
    return Certificate.objects.filter(replaces=certificate).first()


def certificate_status_position(certificate: Certificate) -> dict:
    """Where the certificate is in the status lists, its bits as published, and the bits
    its record calls for (they differ only if something wrote one without the other).
    One query."""
    from .credentials.status import status_list_url

    status_list = StatusList.objects.get(pk=certificate.status_list_id)
    withdrawn = (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED)
    expected = {
        StatusList.Purpose.REVOCATION: certificate.status in withdrawn,
        StatusList.Purpose.SUSPENSION: certificate.suspended_at is not None,
    }
    return {
        "number": status_list.number,
        "index": certificate.status_index,
        "purposes": [
            {
                "purpose": purpose,
                "label": purpose.label,
                "bit": status_list.bit(purpose, certificate.status_index),
                "expected": expected[purpose],
                "url": status_list_url(status_list.number, purpose),
            }
            for purpose in StatusList.Purpose
        ],
    }


def certificate_history(certificate: Certificate, *, limit: int = 50) -> list[AuditEvent]:
    """The certificate's audit events, newest first."""
    events = audit_event_list(object_type=Certificate._meta.label_lower, object_id=str(certificate.pk))
    return list(events.order_by("-created_at", "-id")[:limit])


def certificates_for_holder(*, user: User) -> list[Certificate]:
    return list(Certificate.objects.filter(holder=user).order_by("-created_at"))


def current_certificates_for_enrolments(enrolment_ids) -> dict:
    """Each enrolment's award and its current (not superseded) certificate: one query."""
    found: dict = {}
    awards = Award.objects.filter(enrolment_id__in=list(enrolment_ids)).prefetch_related(
        Prefetch(
            "certificates",
            queryset=Certificate.objects.exclude(status=Certificate.Status.SUPERSEDED),
            to_attr="current",
        )
    )
    for award in awards:
        found[award.enrolment_id] = (award, award.current[0] if award.current else None)
    return found


def awards_ready() -> QuerySet[Award]:
    """Awards waiting for an administrator, oldest first, with their evidence."""
    return (
        Award.objects.exclude(certificates__status__in=CURRENT_STATUSES)
        .select_related("trainee", "course", "licence__jurisdiction", "written_attempt", "assessment")
        .order_by("awarded_at")
    )


CURRENT_STATUSES = [s for s in Certificate.Status.values if s != Certificate.Status.SUPERSEDED]


def certificate_list_for_staff(*, state: str = "", query: str = "") -> QuerySet[Certificate]:
    certificates = Certificate.objects.select_related("holder").order_by("-created_at")
    today = timezone.localdate()
    if state == Certificate.VALID:
        certificates = certificates.filter(
            status=Certificate.Status.ISSUED, suspended_at__isnull=True, expires_on__gt=today
        )
    elif state == Certificate.SUSPENDED:
        certificates = certificates.filter(
            status=Certificate.Status.ISSUED, suspended_at__isnull=False, expires_on__gt=today
        )
    elif state == Certificate.EXPIRED:
        certificates = certificates.filter(
            Q(status=Certificate.Status.EXPIRED) | Q(status=Certificate.Status.ISSUED, expires_on__lte=today)
        )
    elif state == Certificate.EMAIL_FAILED:
        certificates = certificates.filter(email_failed_at__isnull=False, emailed_at__isnull=True)
    elif state in Certificate.Status.values:
        certificates = certificates.filter(status=state)
    if query:
        certificates = certificates.filter(
            Q(serial__icontains=query) | Q(holder_name__icontains=query) | Q(holder__email__icontains=query)
        )
    return certificates


def certificate_counts() -> dict[str, int]:
    """How many certificates are in each state, and how many awards wait: one query each."""
    today = timezone.localdate()
    issued = Q(status=Certificate.Status.ISSUED, expires_on__gt=today)
    counts = Certificate.objects.aggregate(
        queued=Count("pk", filter=Q(status__in=[Certificate.Status.QUEUED, Certificate.Status.RENDERING])),
        failed=Count("pk", filter=Q(status=Certificate.Status.FAILED)),
        email_failed=Count("pk", filter=Q(email_failed_at__isnull=False, emailed_at__isnull=True)),
        valid=Count("pk", filter=issued & Q(suspended_at__isnull=True)),
        suspended=Count("pk", filter=issued & Q(suspended_at__isnull=False)),
        expired=Count(
            "pk",
            filter=Q(status=Certificate.Status.EXPIRED) | Q(status=Certificate.Status.ISSUED, expires_on__lte=today),
        ),
        revoked=Count("pk", filter=Q(status=Certificate.Status.REVOKED)),
        superseded=Count("pk", filter=Q(status=Certificate.Status.SUPERSEDED)),
    )
    counts["ready"] = awards_ready().count()
    return counts


def certificates_issued_per_month(*, months: int = 12, today=None) -> list[tuple[datetime.date, int]]:
    """(first day of month, certificates rendered that month) for the last ``months``
    months, oldest first, empty months included: one query."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    starts.reverse()
    rows = (
        Certificate.objects.filter(rendered_at__date__gte=starts[0])
        .annotate(month=TruncMonth("rendered_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    by_month = {timezone.localtime(r["month"]).date(): r["n"] for r in rows}
    return [(start, by_month.get(start, 0)) for start in starts]


# What the public may see -------------------------------------------------------------------

PUBLIC_STATUSES = (
    Certificate.Status.ISSUED,
    Certificate.Status.EXPIRED,
    Certificate.Status.REVOKED,
    Certificate.Status.SUPERSEDED,
)


def badge_course_title(code: str) -> str | None:
    """The title to draw on a course's badge art: a published course's, or, for a course
    no longer published, the title printed on its latest certificate the public can
    verify (its holders keep their badge). None for drafts and unknown codes. At most two
    queries."""
    course = Course.objects.filter(code=code).values("status", "title").first()
    if course is not None and course["status"] == Course.Status.PUBLISHED:
        return course["title"]
    return (
        Certificate.objects.filter(course_code=code, status__in=PUBLIC_STATUSES)
        .order_by("-issued_on")
        .values_list("course_title", flat=True)
        .first()
    )


def api_key_list() -> QuerySet:
    """Every API key, newest first, with its total requests (one query)."""
    return ApiKey.objects.select_related("created_by", "revoked_by").annotate(
        total_requests=Coalesce(Sum("usage__requests"), 0)
    )


def get_api_key_for_staff(key_id) -> tuple:
    """(key, its last 30 days of use, totals over all time): 404 for an unknown key."""
    api_key = api_key_list().filter(pk=key_id).first()
    if api_key is None:
        raise Http404
    usage = list(ApiKeyUsage.objects.filter(key=api_key).order_by("-day")[:30])
    totals = ApiKeyUsage.objects.filter(key=api_key).aggregate(
        requests=Sum("requests"), found=Sum("found"), not_found=Sum("not_found"), rate_limited=Sum("rate_limited")
    )
    return api_key, usage, {name: value or 0 for name, value in totals.items()}
