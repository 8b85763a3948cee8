"""The hands-on training log's reads: who may see a session, the sessions of a course,
the trainee's logbook, the requirement check that the practical exam and certificates
rely on, and the counts other apps ask for."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import (
    PERFORMED_CASE_TYPES,
    CaseType,
    Course,
    Enrolment,
    Independence,
    InjectionSession,
    Product,
    SessionSite,
)
from courses.selectors import course_is_taught_by, enrolment_for, get_course_for

from . import face_sites, review_selectors

# Access -------------------------------------------------------------------------------


def _session_queryset() -> QuerySet[InjectionSession]:
    return InjectionSession.objects.select_related(
        "enrolment__course", "enrolment__trainee", "instructor", "mentor", "amends", "amendment", "product"
    ).prefetch_related(Prefetch("sites", queryset=SessionSite.objects.order_by("id")), "product__references")


def get_session_for(user: User, pk) -> InjectionSession:
    """A session for its trainee, the course's instructors, the examiners assigned to the
    trainee's practical assessments and administrators; 404 for anyone else."""
    session = _session_queryset().filter(pk=pk).first()
    if session is None:
        raise Http404
    course = session.enrolment.course
    if (
        session.enrolment.trainee_id == user.pk
        or user.is_administrator
        or (user.is_examiner and session.enrolment.assessments.filter(examiners=user).exists())
        or (user.is_instructor and course_is_taught_by(course, user))
    ):
        return session
    raise Http404


def get_supervised_session_for(user: User, pk) -> InjectionSession:
    """A session of a course the user teaches (to edit or amend); 404 otherwise, and for
    a case the trainee's mentor supervises."""
    session = get_session_for(user, pk)
    if session.mentor_id is not None or not course_is_taught_by(session.enrolment.course, user):
        raise Http404
    return session


def get_own_session_for(user: User, pk) -> InjectionSession:
    """One of the trainee's own sessions (to reflect on); 404 otherwise."""
    session = get_session_for(user, pk)
    if session.enrolment.trainee_id != user.pk:
        raise Http404
    return session


def session_list_for_course(*, course: Course) -> QuerySet[InjectionSession]:
    """Every session of the course, newest first, with its trainee, instructor and the
    units given (``total_units``), for the instructors' list."""
    return (
        InjectionSession.objects.filter(enrolment__course=course)
        # A mentor case is the trainee's own work until the mentor signs it.
        .exclude(status=InjectionSession.Status.DRAFT, mentor__isnull=False)
        .select_related("enrolment__trainee", "instructor", "mentor", "product")
        .annotate(total_units=Sum("sites__units"))
        .order_by("-performed_on", "-created_at")
    )


def drafts_awaiting_signoff(*, instructor: User) -> QuerySet[InjectionSession]:
    """The instructor's own draft sessions in the courses they teach, oldest first, with
    the trainee, the course and the units given (``total_units``): one query."""
    return (
        InjectionSession.objects.filter(
            instructor=instructor,
            status=InjectionSession.Status.DRAFT,
            enrolment__course__instructors=instructor,
        )
        .select_related("enrolment__course", "enrolment__trainee")
        .annotate(total_units=Sum("sites__units"))
        .order_by("performed_on", "created_at")
    )


def recent_units_for_model(*, model_code: str, performed_on: datetime.date, product: Product, exclude=None) -> Decimal:
    """Units OF THIS PRODUCT given to this model code by any signed session, and as top-ups
    at signed review visits, in the 90 days up to the date (units of different products
    are not interchangeable)."""
    since = performed_on - datetime.timedelta(days=90)
    sites = SessionSite.objects.filter(
        session__model_code__iexact=model_code,
        session__performed_on__gt=since,
        session__performed_on__lte=performed_on,
        session__status=InjectionSession.Status.SIGNED,
        session__product=product,
    )
    if exclude is not None:
        sites = sites.exclude(session__in=exclude)
    session_units = sites.aggregate(total=Sum("units"))["total"] or Decimal(0)
    return session_units + review_selectors.topup_units_for_model(
        model_code=model_code, on=performed_on, product=product
    )


def other_products_for_model(
    *, model_code: str, performed_on: datetime.date, product: Product, exclude=None
) -> list[tuple[Product, datetime.date]]:
    """Other products this model code received in signed sessions in the 90 days up to the
    date: (product, the latest date it was given), earliest first. One query."""
    since = performed_on - datetime.timedelta(days=90)
    sessions = InjectionSession.objects.filter(
        model_code__iexact=model_code,
        performed_on__gt=since,
        performed_on__lte=performed_on,
        status=InjectionSession.Status.SIGNED,
    ).exclude(product=product)
    if exclude is not None:
        sessions = sessions.exclude(pk__in=exclude)
    latest = dict(sessions.values_list("product_id").annotate(last=Max("performed_on")).order_by())
    products = Product.objects.in_bulk(list(latest)) if latest else {}
    return sorted(((products[pk], day) for pk, day in latest.items()), key=lambda row: (row[1], row[0].code))


# Products ----------------------------------------------------------------------------


def product_choices(*, current: Product | None = None) -> QuerySet[Product]:
    """The products a session can be recorded with: the active ones (and ``current``, the
    product of a session being edited, even if it has been made inactive since)."""
    condition = Q(active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return Product.objects.filter(condition).order_by("position", "generic_name")


def product_labels(products: Iterable[Product] | None = None) -> list[face_sites.ProductLabel]:
    """The dose checks' view of each product (the active ones by default). Two queries."""
    queryset = Product.objects.filter(active=True) if products is None else products
    if isinstance(queryset, QuerySet):
        queryset = queryset.prefetch_related("references")
    return [product.label() for product in queryset]


# Requirement -------------------------------------------------------------------------


@dataclass
class Progress:
    """Signed cases done against cases needed, for one case type or one area."""

    code: str
    name: str
    done: int
    need: int

    @property
    def met(self) -> bool:
        return self.done >= self.need


@dataclass
class RequirementStatus:
    """Where a trainee stands against a course's hands-on requirement (see
    courses.handson.case_types for what counts where). ``signed`` is every current signed
    case, ``performed`` those the trainee treated (supervised or independent), against
    ``required``; ``types`` has a row per case type the course asks for."""

    signed: int
    performed: int
    required: int
    recent_needed: int
    recent_competent: int
    types: list[Progress] = field(default_factory=list)
    areas: list[Progress] = field(default_factory=list)
    reviews: Progress | None = None  # treated cases with a signed review, when the course asks

    @property
    def missing_types(self) -> list[Progress]:
        return [t for t in self.types if not t.met]

    @property
    def missing_areas(self) -> list[Progress]:
        return [a for a in self.areas if not a.met]

    @property
    def missing_reviews(self) -> Progress | None:
        return self.reviews if self.reviews and not self.reviews.met else None

    @property
    def shows_total(self) -> bool:
        """Is the performed total worth its own line? Not when the per-type minimums of
        performed cases already add up to it (meeting them meets it)."""
        per_type = sum(t.need for t in self.types if t.code in PERFORMED_CASE_TYPES)
        return self.required > per_type

    @property
    def met(self) -> bool:
        return (
            self.performed >= self.required
            and not self.missing_types
            and not self.missing_areas
            and not self.missing_reviews
            and self.recent_competent >= self.recent_needed
        )


def session_counts(course: Course, session: InjectionSession) -> bool:
    """Whether a signed session counts toward the course's requirement: a case signed by
    the trainee's mentor counts only where the course accepts mentor cases."""
    return session.mentor_id is None or course.handson_mentor_cases_count


def requirement_status(*, course: Course, sessions: list[InjectionSession]) -> RequirementStatus:
    """Progress against the course's requirement, from the trainee's current signed
    sessions (``sites`` prefetched). Superseded sessions never count, nor mentor cases
    where the course does not accept them; observed cases count only toward the observed
    minimum."""
    signed = [s for s in sessions if s.status == InjectionSession.Status.SIGNED and session_counts(course, s)]
    performed = sorted(
        (s for s in signed if s.case_type in PERFORMED_CASE_TYPES),
        key=lambda s: (s.performed_on, s.signed_at),
        reverse=True,
    )
    minimums = course.handson_type_minimums
    types = [
        Progress(case_type.value, str(case_type.label), sum(1 for s in signed if s.case_type == case_type),
                 int(minimums[case_type.value]))
        for case_type in CaseType
        if minimums.get(case_type.value)
    ]  # fmt: skip
    areas = []
    for code, need in course.handson_area_minimums.items():
        done = sum(
            1 for s in performed if any(face_sites.SITE_BY_CODE[x.site_code]["area"] == code for x in s.sites.all())
        )
        areas.append(Progress(code, face_sites.AREA_BY_CODE[code]["name"], done, int(need)))
    reviews = None
    if course.handson_reviews_required:
        reviews = Progress(
            "reviews",
            str(_("Cases reviewed at about two weeks")),
            review_selectors.reviewed_performed_count(sessions),
            course.handson_reviews_required,
        )
    recent_competent = 0
    for session in performed[: course.handson_recent_competent]:
        if session.overall_independence != Independence.COMPETENT:
            break
        recent_competent += 1
    return RequirementStatus(
        signed=len(signed),
        performed=len(performed),
        required=course.handson_min_sessions,
        recent_needed=course.handson_recent_competent,
        recent_competent=recent_competent,
        types=types,
        areas=areas,
        reviews=reviews,
    )


def requirement_areas(course: Course) -> list[tuple[str, int]]:
    """(area name, performed cases needed) for the course page."""
    return [(face_sites.AREA_BY_CODE[code]["name"], int(need)) for code, need in course.handson_area_minimums.items()]


def requirement_types(course: Course) -> list[tuple[str, int]]:
    """(case type, signed cases needed) for the course page, in the case types' order."""
    minimums = course.handson_type_minimums
    return [(str(t.label), int(minimums[t.value])) for t in CaseType if minimums.get(t.value)]


def sessions_for_enrolments(enrolment_ids: Iterable[uuid.UUID]) -> dict:
    """Signed and superseded sessions with their sites, grouped by enrolment: 2 queries."""
    grouped: dict = defaultdict(list)
    sessions = (
        InjectionSession.objects.filter(enrolment_id__in=list(enrolment_ids))
        .exclude(status=InjectionSession.Status.DRAFT)
        .select_related("product", "instructor", "mentor", "review")
        .prefetch_related(Prefetch("sites", queryset=SessionSite.objects.order_by("id")))
    )
    for session in sessions:
        grouped[session.enrolment_id].append(session)
    return grouped


def requirement_status_by_enrolment(*, course: Course, enrolments: Iterable[Enrolment]) -> dict:
    """Each enrolment's progress against the course's requirement, by enrolment id (2 queries)."""
    enrolment_ids = [e.pk for e in enrolments]
    sessions = sessions_for_enrolments(enrolment_ids)
    return {pk: requirement_status(course=course, sessions=sessions[pk]) for pk in enrolment_ids}


def handson_requirement_met(*, enrolment: Enrolment) -> bool:
    """Has this trainee met the course's hands-on requirement? (For the practical exam
    and certificates.)"""
    sessions = sessions_for_enrolments([enrolment.pk])[enrolment.pk]
    return requirement_status(course=enrolment.course, sessions=sessions).met


def signed_session_count(enrolment: Enrolment) -> int:
    """The enrolment's signed sessions (amended originals, superseded, are not counted):
    the evidence an award records."""
    sessions = enrolment.sessions.filter(status=InjectionSession.Status.SIGNED)
    if not enrolment.course.handson_mentor_cases_count:
        sessions = sessions.filter(mentor__isnull=True)
    return sessions.count()


def session_signer_ids(trainee: User) -> set[int]:
    """Everyone who signed one of the trainee's sessions, in any course (one query): they
    may not examine the trainee's practical."""
    return set(
        InjectionSession.objects.filter(enrolment__trainee=trainee)
        .exclude(status=InjectionSession.Status.DRAFT)
        .filter(instructor__isnull=False)
        .values_list("instructor_id", flat=True)
    )


# The trainee's logbook -----------------------------------------------------------------


@dataclass
class Logbook:
    course: Course
    enrolment: Enrolment
    sessions: list[InjectionSession]
    status: RequirementStatus

    @property
    def rows(self) -> list[tuple[InjectionSession, list[tuple[str, Decimal]], Decimal]]:
        """(session, [(area name, units)] for the areas treated, units in all) for each
        signed or superseded session."""
        rows = []
        for s in self.sessions:
            totals = face_sites.area_totals({x.site_code: x.units for x in s.sites.all()})
            areas = [(face_sites.AREA_BY_CODE[code]["name"], units) for code, units in totals.items() if units]
            rows.append((s, areas, sum(x.units for x in s.sites.all())))
        return rows


def get_logbook_for(user: User, code: str) -> Logbook:
    """The user's own logbook for a course they are (or were) enrolled in; 404 otherwise."""
    course = get_course_for(user, code)
    enrolment = enrolment_for(user, course)
    if enrolment is None:
        raise Http404
    sessions = sessions_for_enrolments([enrolment.pk])[enrolment.pk]
    prefetch_related_objects(sessions, "review__events", "review__sites", "photos")
    return Logbook(
        course=course,
        enrolment=enrolment,
        sessions=sessions,
        status=requirement_status(course=course, sessions=sessions),
    )
