"""Reads of the review visit (about two weeks after a case): who may see a review, the
review of a case (following its amendments), the top-up units a model received, the
national reporting route for a serious adverse event, and the cases due a reminder.

Imports only models: ``courses.handson.selectors`` imports this module for the top-ups
it adds to a model's cumulative units."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Licence, User
from courses.models import (
    PERFORMED_CASE_TYPES,
    REPORTABLE_SEVERITIES,
    AdverseEvent,
    Enrolment,
    InjectionSession,
    Product,
    Review,
    ReviewReminder,
    ReviewSite,
)

# A review "at about two weeks": earlier or later needs a note saying why.
WINDOW_DAYS = (10, 21)
# The reminder goes out this many days after the case when no review is recorded, and
# not for cases older than the window's end (a first run must not mail every old case).
REMIND_AFTER_DAYS = 12


def topup_units_for_model(*, model_code: str, on: datetime.date, product: Product, exclude=None) -> Decimal:
    """Top-up units OF THIS PRODUCT given to the model code at signed reviews in the 90
    days up to ``on`` (a review's top-up is of its case's product). One query."""
    since = on - datetime.timedelta(days=90)
    sites = ReviewSite.objects.filter(
        review__session__model_code__iexact=model_code,
        review__reviewed_on__gt=since,
        review__reviewed_on__lte=on,
        review__status=Review.Status.SIGNED,
        review__session__product=product,
    )
    if exclude is not None:
        sites = sites.exclude(review__in=exclude)
    return sites.aggregate(total=Sum("units"))["total"] or Decimal(0)


def _review_queryset() -> QuerySet[Review]:
    return Review.objects.select_related("session__product", "instructor").prefetch_related(
        Prefetch("sites", queryset=ReviewSite.objects.order_by("id")),
        Prefetch("events", queryset=AdverseEvent.objects.order_by("id")),
    )


def get_review_for(user: User, pk) -> Review:
    """A review for whoever may see its case (courses.handson.selectors.get_session_for); 404 otherwise."""
    from .selectors import get_session_for

    review = _review_queryset().filter(pk=pk).first()
    if review is None:
        raise Http404
    review.session = get_session_for(user, review.session_id)
    return review


def review_of_case(session: InjectionSession) -> Review | None:
    """The review of this case or of a case it amends (a review stays with the session it
    was recorded on). One query per step of the amendment chain, usually one or two."""
    current: InjectionSession | None = session
    while current is not None:
        review = _review_queryset().filter(session_id=current.pk).first()
        if review is not None:
            return review
        current = InjectionSession.objects.filter(pk=current.amends_id).first() if current.amends_id else None
    return None


def reviewed_case_ids(sessions: list[InjectionSession]) -> set:
    """The ids of the current signed sessions whose case has a signed review, on the
    session or on an original it amends. ``sessions``: the trainee's signed and superseded
    sessions with ``review`` selected (no query here)."""
    by_pk = {s.pk: s for s in sessions}
    reviewed = set()
    for session in sessions:
        if session.status != InjectionSession.Status.SIGNED:
            continue
        current = session
        while current is not None:
            review = getattr(current, "review", None)
            if review is not None and review.status == Review.Status.SIGNED:
                reviewed.add(session.pk)
                break
            current = by_pk.get(current.amends_id)
    return reviewed


def reviewed_performed_count(sessions: list[InjectionSession]) -> int:
    """Cases the trainee treated whose review is signed: what ``handson_reviews_required`` counts."""
    reviewed = reviewed_case_ids(sessions)
    return sum(1 for s in sessions if s.pk in reviewed and s.case_type in PERFORMED_CASE_TYPES)


# Reporting routes ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportingRoute:
    country: str
    name: str
    url: str
    how: str


ROUTES = {
    "GB": ReportingRoute(
        "GB",
        _("MHRA Yellow Card (United Kingdom)"),
        "https://yellowcard.mhra.gov.uk/",
        _("Report suspected adverse reactions to medicines, including cosmetic botulinum toxin, online."),
    ),
    "US": ReportingRoute(
        "US",
        _("FDA MedWatch (United States)"),
        "https://www.fda.gov/medwatch",
        _("Report serious adverse events with medical products online (form 3500) or by phone."),
    ),
}
# Country codes the licences may use for the UK.
COUNTRY_ALIASES = {"UK": "GB"}


def reporting_routes_for(trainee: User) -> list[ReportingRoute]:
    """The national reporting routes for the trainee's licence jurisdictions (verified
    licences, then any): the known ones, else all of them. One query."""
    countries = list(Licence.objects.filter(holder=trainee).values_list("jurisdiction__country", "status"))
    verified = {c.upper() for c, status in countries if status == Licence.Status.VERIFIED}
    known = verified or {c.upper() for c, _status in countries}
    codes = {COUNTRY_ALIASES.get(c, c) for c in known} & set(ROUTES)
    return [ROUTES[c] for c in sorted(codes)] or list(ROUTES.values())


def review_is_reportable(review: Review) -> bool:
    """Does an event call for the national report? Severe or serious ones (``events`` prefetched)."""
    return any(e.severity in REPORTABLE_SEVERITIES for e in review.events.all())


# Reminders -------------------------------------------------------------------------


def due_for_reminder(today: datetime.date) -> QuerySet[InjectionSession]:
    """Current signed cases the trainee treated, of an active enrolment, between 12 and
    21 days old, with no review (on this session or an original it amends) and no
    reminder sent yet."""
    start = today - datetime.timedelta(days=WINDOW_DAYS[1])
    end = today - datetime.timedelta(days=REMIND_AFTER_DAYS)
    return (
        InjectionSession.objects.filter(
            status=InjectionSession.Status.SIGNED,
            case_type__in=PERFORMED_CASE_TYPES,
            enrolment__status=Enrolment.Status.ACTIVE,
            performed_on__gte=start,
            performed_on__lte=end,
        )
        .exclude(Exists(Review.objects.filter(session_id=OuterRef("pk"))))
        .exclude(Exists(Review.objects.filter(session_id=OuterRef("amends_id"))))
        .exclude(Exists(ReviewReminder.objects.filter(session_id=OuterRef("pk"))))
    )
