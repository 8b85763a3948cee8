"""Issuing: a certificate queued for an award, its rendering handed to a worker."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import licence_valid_for
from certification.models import Award, Certificate
from core.services import audit_record

from .rendering import render_enqueue
from .status_lists import status_position_allocate

if TYPE_CHECKING:  # type hints only: the rows come from this app's own relations
    from accounts.models import Licence, User
    from courses.models import Course

LETTER_COUNTRIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE"}

MSG_LICENCE_LAPSED = _("The holder has no valid licence now; a certificate can be issued once one is re-verified.")
MSG_NO_LEGAL_NAME = _(
    "The holder has not recorded the legal name a certificate prints; ask them to update their profile."
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _holder_snapshot(user: User, licence: Licence) -> tuple[str, str]:
    """The name and profession to print: the approved legal name, and the profession of
    the licence the certificate rests on. A certificate needs a verified licence, and
    from the first verification the legal name changes only when an administrator
    approves a name change (accounts.services.name_change_approve): a pending request
    changes nothing here, for automatic issues too."""
    if not user.legal_name.strip():
        raise ValidationError(MSG_NO_LEGAL_NAME)
    return user.legal_name.strip(), licence.get_profession_display()


def _course_snapshot(course: Course) -> dict:
    return {
        "course_code": course.code,
        "course_title": course.title,
        "accrediting_body": course.accrediting_body,
        "accreditation_number": course.accreditation_number,
        "credit_hours": course.credit_hours,
        "director_name": course.director_name,
        "director_title": course.director_title,
    }


def _paper_for(licence: Licence) -> str:
    letter = licence.jurisdiction.country.upper() in LETTER_COUNTRIES
    return Certificate.Paper.LETTER if letter else Certificate.Paper.A4


def certificate_create(award: Award, *, actor: User | None, licence: Licence, **dates) -> Certificate:
    """A new queued certificate for ``award``, printing the holder and course as they
    stand now (issuing, and re-issuing in lifecycle). The caller holds the award's or
    the old certificate's lock and enqueues the rendering. Draws its status list position
    (holding the open status list's lock until the caller's transaction ends)."""
    name, profession = _holder_snapshot(award.trainee, licence)
    status_list, status_index = status_position_allocate()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    award=award,
                    holder=award.trainee,
                    holder_name=name,
                    holder_profession=profession,
                    paper=_paper_for(licence),
                    created_by=actor if actor is not None and actor.is_authenticated else None,
                    status_list=status_list,
                    status_index=status_index,
                    **_course_snapshot(award.course),
                    **dates,
                )
        except IntegrityError as error:
            # A serial collision (40 random bits) is retried with a new one; anything
            # else, such as a second current certificate for the award, is not.
            if "serial" not in str(error):
                raise
    raise IntegrityError("could not draw a free serial number")


@transaction.atomic
def certificate_issue(*, award_id, actor: User | None) -> Certificate:
    """Queue the certificate for an award and hand the rendering to a worker. Issuing
    an award that already has a certificate returns that one (a double click, or two
    administrators at once). Holds a SELECT FOR UPDATE lock on the award."""
    award = Award.objects.select_for_update(of=("self",)).select_related("trainee", "course").get(pk=award_id)
    current = award.certificates.exclude(status=Certificate.Status.SUPERSEDED).first()
    if current is not None:
        return current
    licence = licence_valid_for(user=award.trainee).order_by("-expires_on").first()
    if licence is None:
        raise ValidationError(MSG_LICENCE_LAPSED)
    today = timezone.localdate()
    certificate = certificate_create(
        award,
        actor=actor,
        licence=licence,
        certified_on=today,
        issued_on=today,
        expires_on=add_months(today, award.course.certificate_validity_months),
    )
    audit_record(
        actor=actor,
        action="certificate.queued",
        obj=certificate,
        summary=f"Issuing {certificate.serial} to {award.trainee.email} for {award.course.code}",
        details={"award": str(award.pk), "automatic": actor is None, "holder_name": certificate.holder_name},
    )
    render_enqueue(certificate)
    return certificate


def certificates_issue_bulk(*, award_ids, actor: User) -> tuple[list[Certificate], list[str]]:
    """Issue several awards; each in its own transaction, so one that cannot be issued
    (its holder's licence lapsed) does not hold back the others."""
    issued, problems = [], []
    for award in Award.objects.filter(pk__in=list(award_ids)).select_related("trainee", "course"):
        try:
            issued.append(certificate_issue(award_id=award.pk, actor=actor))
        except ValidationError as error:
            problems.append(f"{award.trainee.display_name} ({award.course.code}): {' '.join(error.messages)}")
    return issued, problems
