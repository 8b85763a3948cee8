"""Awarding, issuing, rendering and keeping certificates true.

Every function that changes a certificate locks its row (SELECT … FOR UPDATE), checks
the state it expects and records an audit event in the same transaction; work for Celery
is enqueued after the commit. Each step is safe to run twice.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Licence, User
from accounts.selectors import licence_valid_for
from core.emails import email_queue, email_render
from core.services import audit_record, enqueue_on_commit
from courses.models import Course, Enrolment, InjectionSession
from exams.models import Assessment, Attempt

from .models import Award, Certificate

logger = logging.getLogger(__name__)

LETTER_COUNTRIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE"}

MSG_NOT_READY = "This award already has a certificate."
MSG_LICENCE_LAPSED = "The holder has no valid licence now; a certificate can be issued once one is re-verified."
MSG_REASON_REQUIRED = "Give a reason; the holder will read it."
MSG_NO_LEGAL_NAME = "The holder has not recorded the legal name a certificate prints; ask them to update their profile."
MSG_CANNOT_REVOKE = "Only an issued certificate can be revoked; this one is {status}."
MSG_CANNOT_REISSUE = "Only a current, issued certificate can be re-issued; this one is {status}."
MSG_CANNOT_RETRY = "Only a certificate whose rendering failed can be retried; this one is {status}."
MSG_CANNOT_RESEND = "Only an issued certificate whose email failed can be emailed again."
MSG_ALREADY_EMAILED = "This certificate was emailed to its holder on {when}."
MSG_RENDER_GAVE_UP = (
    "Gave up after {n} attempts: the worker stopped while rendering (killed, out of memory or over its time limit)."
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


# Awards -------------------------------------------------------------------------------


def award_if_eligible(*, enrolment_id, actor: User | None = None) -> Award | None:
    """Make the award for this enrolment if the trainee now holds a passed written
    attempt, a passed practical and a valid licence; return it (or the one that already
    exists), else None.

    Whichever of those came last, and however many requests race, one award results:
    the enrolment row is locked while the evidence is read, so the second of two racing
    transactions waits for the first to commit and then sees its pass; the unique
    constraint on (trainee, course) is the last word."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("trainee", "course").get(pk=enrolment_id)
        )
        existing = Award.objects.filter(trainee_id=enrolment.trainee_id, course_id=enrolment.course_id).first()
        if existing is not None:
            return existing
        attempts = enrolment.attempts.filter(status=Attempt.Status.SUBMITTED, passed=True)
        attempt = attempts.order_by("-percent", "number").first()
        assessment = (
            enrolment.assessments.filter(status=Assessment.Status.COMPLETED, passed=True)
            .order_by("-completed_at")
            .first()
        )
        licence = licence_valid_for(user=enrolment.trainee).order_by("-expires_on").first()
        if attempt is None or assessment is None or licence is None:
            return None
        signed = enrolment.sessions.filter(status=InjectionSession.Status.SIGNED).count()
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    trainee=enrolment.trainee,
                    course=enrolment.course,
                    enrolment=enrolment,
                    licence=licence,
                    written_attempt=attempt,
                    assessment=assessment,
                    handson_sessions=signed,
                )
        except IntegrityError:
            return Award.objects.get(trainee_id=enrolment.trainee_id, course_id=enrolment.course_id)
        audit_record(
            actor=actor,
            action="award.made",
            obj=award,
            summary=f"{enrolment.trainee.email} met every requirement of {enrolment.course.code}",
            details={
                "licence": str(licence.pk),
                "written_percent": str(attempt.percent),
                "practical_percent": str(assessment.percent),
                "handson_sessions": signed,
            },
        )
        if enrolment.course.certificate_auto_issue:
            certificate_issue(award_id=award.pk, actor=None)
        else:
            email_queue(
                to=enrolment.trainee.email,
                template="certification/email/award_made",
                context={"user": enrolment.trainee, "course": enrolment.course},
            )
        return award


def awards_for_trainee(*, trainee: User, enrolment: Enrolment | None = None, actor: User | None = None) -> None:
    """Re-check the awards of one enrolment, or of all the trainee's active ones."""
    if enrolment is not None:
        award_if_eligible(enrolment_id=enrolment.pk, actor=actor)
        return
    for enrolment_id in Enrolment.objects.filter(
        trainee=trainee, status=Enrolment.Status.ACTIVE, award__isnull=True
    ).values_list("pk", flat=True):
        award_if_eligible(enrolment_id=enrolment_id, actor=actor)


# Issuing ------------------------------------------------------------------------------


def _holder_snapshot(user: User, licence: Licence) -> tuple[str, str]:
    """The name and profession to print: the legal name on the profile, and the
    profession of the licence the certificate rests on."""
    if not user.legal_name.strip():
        raise ValidationError(_(MSG_NO_LEGAL_NAME))
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


def _create_certificate(award: Award, *, actor: User | None, licence: Licence, **dates) -> Certificate:
    name, profession = _holder_snapshot(award.trainee, licence)
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
    administrators at once)."""
    award = Award.objects.select_for_update(of=("self",)).select_related("trainee", "course").get(pk=award_id)
    current = award.certificates.exclude(status=Certificate.Status.SUPERSEDED).first()
    if current is not None:
        return current
    licence = licence_valid_for(user=award.trainee).order_by("-expires_on").first()
    if licence is None:
        raise ValidationError(_(MSG_LICENCE_LAPSED))
    today = timezone.localdate()
    certificate = _create_certificate(
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
        details={"award": str(award.pk), "automatic": actor is None},
    )
    _enqueue_render(certificate)
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


def _enqueue_render(certificate: Certificate) -> None:
    from .tasks import certificate_render_task

    enqueue_on_commit(certificate_render_task, str(certificate.pk))


def _lock(certificate_id) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("holder", "award__course")
        .get(pk=certificate_id)
    )


# Rendering (run by the worker) ----------------------------------------------------------

# A failed certificate is rendered again only once an administrator retries it (which
# queues it): a delivery still in flight when it failed does nothing.
RENDERABLE = (Certificate.Status.QUEUED, Certificate.Status.RENDERING)
# Renders started for one certificate, counting those whose worker died mid-way, before
# it is marked failed. The render task's retries stay within it; the limit is what stops
# a certificate that kills its worker every time from being redelivered for ever (acks
# late with reject on worker lost requeues it at once, and the stalled sweep again).
RENDER_ATTEMPTS_MAX = 5


def certificate_render(*, certificate_id) -> bool:
    """Render, store and record the PDF; returns True if this call issued it. Running it
    again after success changes nothing; after a crash it overwrites the half-written
    file, so one file per certificate is stored."""
    from .documents import certificate_pdf

    with transaction.atomic():
        certificate = _lock(certificate_id)
        if certificate.status not in RENDERABLE:
            return False
        if certificate.render_attempts >= RENDER_ATTEMPTS_MAX:
            _mark_failed(certificate, error=_(MSG_RENDER_GAVE_UP).format(n=certificate.render_attempts))
            return False
        certificate.status = Certificate.Status.RENDERING
        certificate.render_attempts += 1
        certificate.save(update_fields=["status", "render_attempts"])

    content = certificate_pdf(certificate)  # slow: outside any transaction or lock

    with transaction.atomic():
        certificate = _lock(certificate_id)
        if certificate.status != Certificate.Status.RENDERING:
            return False  # another delivery of the task finished first, or it was revoked
        storage = certificate.pdf.storage
        name = certificate.pdf.field.generate_filename(certificate, f"{certificate.serial}.pdf")
        if storage.exists(name):
            storage.delete(name)
        certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(content), save=False)
        certificate.pdf_sha256 = hashlib.sha256(content).hexdigest()
        certificate.status = Certificate.Status.ISSUED
        certificate.rendered_at = timezone.now()
        certificate.last_error = ""
        if not licence_valid_for(user=certificate.holder).exists():
            # The licence lapsed while the certificate was queued.
            certificate.suspended_at = certificate.rendered_at
        certificate.save(update_fields=["pdf", "pdf_sha256", "status", "rendered_at", "last_error", "suspended_at"])
        audit_record(
            actor=None,
            action="certificate.issued",
            obj=certificate,
            summary=f"{certificate.serial} issued to {certificate.holder.email}",
            details={"sha256": certificate.pdf_sha256, "bytes": len(content)},
        )
        _enqueue_email(certificate)
    return True


@transaction.atomic
def certificate_mark_failed(*, certificate_id, error: str) -> None:
    """The worker gave up on rendering; an administrator can retry."""
    _mark_failed(_lock(certificate_id), error=error)


def _mark_failed(certificate: Certificate, *, error: str) -> None:
    if certificate.status not in (Certificate.Status.QUEUED, Certificate.Status.RENDERING):
        return
    certificate.status = Certificate.Status.FAILED
    certificate.last_error = error[:2000]
    certificate.save(update_fields=["status", "last_error"])
    audit_record(
        actor=None,
        action="certificate.failed",
        obj=certificate,
        summary=f"Rendering {certificate.serial} failed after {certificate.render_attempts} attempts",
        details={"error": error[:500]},
    )


@transaction.atomic
def certificate_retry(*, certificate_id, actor: User) -> Certificate:
    certificate = _lock(certificate_id)
    if certificate.status != Certificate.Status.FAILED:
        raise ValidationError(_(MSG_CANNOT_RETRY).format(status=certificate.get_status_display().lower()))
    certificate.status = Certificate.Status.QUEUED
    certificate.render_attempts = 0  # a fresh allowance (the failure is in the history)
    certificate.save(update_fields=["status", "render_attempts"])
    audit_record(actor=actor, action="certificate.retried", obj=certificate, summary=f"Retrying {certificate.serial}")
    _enqueue_render(certificate)
    return certificate


def certificates_requeue_stalled(*, now: datetime.datetime | None = None) -> int:
    """The safety net for work whose message was lost (the broker was down at commit, or
    a worker died): certificates queued or rendering for too long are enqueued again.
    Rendering is idempotent, so a duplicate costs one wasted render at most."""
    now = now or timezone.now()
    stalled = Certificate.objects.filter(
        Q(status=Certificate.Status.QUEUED, created_at__lte=now - datetime.timedelta(minutes=10))
        | Q(status=Certificate.Status.RENDERING, created_at__lte=now - datetime.timedelta(minutes=15))
    ).values_list("pk", flat=True)
    from .tasks import certificate_render_task

    count = 0
    for pk in stalled:
        certificate_render_task.delay(str(pk))
        count += 1
    return count


def _enqueue_email(certificate: Certificate) -> None:
    """Hand the email to a worker after the commit. No sweep looks for emails, so if the
    broker cannot take the message it is sent from this process at once, and if SMTP
    refuses that too the certificate is flagged for administrators."""
    from .tasks import certificate_email_task

    certificate_id = certificate.pk

    def send_now() -> None:
        try:
            certificate_email_send(certificate_id=certificate_id)
        except OSError as error:
            certificate_email_mark_failed(
                certificate_id=certificate_id, error=f"{type(error).__name__}: {error}", attempts=1
            )

    enqueue_on_commit(certificate_email_task, str(certificate_id), fallback=send_now)


def certificate_email_send(*, certificate_id) -> bool:
    """Email the holder their certificate, attached; once. The row stays locked while
    the message goes, so two deliveries of the task cannot both send."""
    with transaction.atomic():
        certificate = _lock(certificate_id)
        if certificate.emailed_at is not None or certificate.status != Certificate.Status.ISSUED:
            return False
        subject, body = email_render(
            template="certification/email/certificate_issued",
            context={"certificate": certificate, "user": certificate.holder},
        )
        message = EmailMessage(subject=subject, body=body, to=[certificate.holder.email])
        with certificate.pdf.open("rb") as handle:
            message.attach(f"{certificate.serial}.pdf", handle.read(), "application/pdf")
        message.send(fail_silently=False)
        certificate.emailed_at = timezone.now()
        certificate.email_failed_at = None
        certificate.email_error = ""
        certificate.save(update_fields=["emailed_at", "email_failed_at", "email_error"])
    return True


@transaction.atomic
def certificate_email_mark_failed(*, certificate_id, error: str, attempts: int) -> None:
    """The worker gave up emailing the certificate (SMTP failed through every retry):
    record it where administrators look, who can send it again."""
    certificate = _lock(certificate_id)
    if certificate.emailed_at is not None:
        return
    certificate.email_failed_at = timezone.now()
    certificate.email_error = error[:2000]
    certificate.save(update_fields=["email_failed_at", "email_error"])
    audit_record(
        actor=None,
        action="certificate.email_failed",
        obj=certificate,
        summary=f"Emailing {certificate.serial} to {certificate.holder.email} failed after {attempts} attempts",
        details={"error": error[:500], "attempts": attempts},
    )


@transaction.atomic
def certificate_email_resend(*, certificate_id, actor: User) -> Certificate:
    """An administrator sends the certificate's email again, after the worker gave up."""
    certificate = _lock(certificate_id)
    if certificate.emailed_at is not None:
        when = timezone.localtime(certificate.emailed_at).strftime("%d %b %Y %H:%M")
        raise ValidationError(_(MSG_ALREADY_EMAILED).format(when=when))
    if certificate.email_failed_at is None or certificate.status != Certificate.Status.ISSUED:
        raise ValidationError(_(MSG_CANNOT_RESEND))
    certificate.email_failed_at = None
    certificate.email_error = ""
    certificate.save(update_fields=["email_failed_at", "email_error"])
    audit_record(
        actor=actor,
        action="certificate.email_resent",
        obj=certificate,
        summary=f"Emailing {certificate.serial} to {certificate.holder.email} again",
    )
    _enqueue_email(certificate)
    return certificate


# Revocation and re-issue ----------------------------------------------------------------


@transaction.atomic
def certificate_revoke(*, certificate_id, actor: User, reason: str) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _(MSG_REASON_REQUIRED)})
    certificate = _lock(certificate_id)
    if certificate.status not in (Certificate.Status.ISSUED, Certificate.Status.EXPIRED):
        raise ValidationError(_(MSG_CANNOT_REVOKE).format(status=certificate.get_status_display().lower()))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    audit_record(
        actor=actor,
        action="certificate.revoked",
        obj=certificate,
        summary=f"Revoked {certificate.serial} of {certificate.holder.email}",
        details={"reason": reason},
    )
    email_queue(
        to=certificate.holder.email,
        template="certification/email/certificate_revoked",
        context={"certificate": certificate, "user": certificate.holder},
    )
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate_id, actor: User, reason: str) -> Certificate:
    """Replace an issued certificate with a new one (new serial and code, the holder's
    name as it stands now, same certification and expiry dates). The old one is
    superseded and its verification page says so."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _(MSG_REASON_REQUIRED)})
    old = _lock(certificate_id)
    if old.status != Certificate.Status.ISSUED:
        raise ValidationError(_(MSG_CANNOT_REISSUE).format(status=old.get_status_display().lower()))
    licence = licence_valid_for(user=old.holder).order_by("-expires_on").first()
    if licence is None:
        raise ValidationError(_(MSG_LICENCE_LAPSED))
    old.status = Certificate.Status.SUPERSEDED
    old.save(update_fields=["status"])
    award = Award.objects.select_related("trainee", "course").get(pk=old.award_id)
    new = _create_certificate(
        award,
        actor=actor,
        licence=licence,
        certified_on=old.certified_on,
        issued_on=max(timezone.localdate(), old.issued_on),
        expires_on=old.expires_on,
        replaces=old,
    )
    audit_record(
        actor=actor,
        action="certificate.reissued",
        obj=old,
        summary=f"{old.serial} superseded by {new.serial}",
        details={"reason": reason, "new": str(new.pk)},
    )
    audit_record(
        actor=actor,
        action="certificate.queued",
        obj=new,
        summary=f"Issuing {new.serial} to {award.trainee.email} for {award.course.code} (replaces {old.serial})",
        details={"award": str(award.pk), "replaces": str(old.pk)},
    )
    _enqueue_render(new)
    return new


# Keeping the status true ----------------------------------------------------------------


def certificates_suspension_sync(*, holder: User, actor: User | None = None) -> int:
    """Suspend the holder's issued certificates while they have no valid licence;
    reinstate them once one is verified. Returns how many changed."""
    has_licence = licence_valid_for(user=holder).exists()
    changed = 0
    with transaction.atomic():
        certificates = Certificate.objects.select_for_update().filter(
            holder=holder, status=Certificate.Status.ISSUED, suspended_at__isnull=not has_licence
        )
        for certificate in certificates:
            certificate.suspended_at = None if has_licence else timezone.now()
            certificate.save(update_fields=["suspended_at"])
            audit_record(
                actor=actor,
                action="certificate.reinstated" if has_licence else "certificate.suspended",
                obj=certificate,
                summary=f"{certificate.serial} {'reinstated' if has_licence else 'suspended'}: the holder's licence "
                f"{'is verified again' if has_licence else 'is no longer valid'}",
            )
            email_queue(
                to=holder.email,
                template="certification/email/certificate_suspension",
                context={"certificate": certificate, "user": holder, "reinstated": has_licence},
            )
            changed += 1
    return changed


def certificates_expire(*, today: datetime.date | None = None) -> int:
    """Mark issued certificates whose expiry date has come as expired and tell the
    holders. Safe to run twice."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        due = (
            Certificate.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("holder")
            .filter(status=Certificate.Status.ISSUED, expires_on__lte=today)
        )
        for certificate in due:
            certificate.status = Certificate.Status.EXPIRED
            certificate.save(update_fields=["status"])
            audit_record(
                actor=None,
                action="certificate.expired",
                obj=certificate,
                summary=f"{certificate.serial} of {certificate.holder.email} expired on {certificate.expires_on}",
            )
            email_queue(
                to=certificate.holder.email,
                template="certification/email/certificate_expired",
                context={"certificate": certificate, "user": certificate.holder},
            )
            count += 1
    return count


def certificate_expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind each holder CERTIFICATE_REMINDER_DAYS before expiry, once per certificate."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.CERTIFICATE_REMINDER_DAYS)
    count = 0
    with transaction.atomic():
        due = (
            Certificate.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("holder")
            .filter(
                status=Certificate.Status.ISSUED,
                expires_on__gt=today,
                expires_on__lte=horizon,
                expiry_reminder_sent_at__isnull=True,
            )
        )
        for certificate in due:
            certificate.expiry_reminder_sent_at = timezone.now()
            certificate.save(update_fields=["expiry_reminder_sent_at"])
            email_queue(
                to=certificate.holder.email,
                template="certification/email/certificate_expiring",
                context={
                    "certificate": certificate,
                    "user": certificate.holder,
                    "days": (certificate.expires_on - today).days,
                },
            )
            count += 1
    return count


# Public verification --------------------------------------------------------------------


def _name_tokens(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in plain).split()


def surname_matches(holder_name: str, surname: str) -> bool:
    """Does ``surname`` name this holder? Case, accents, hyphens and spacing are ignored,
    and any run of words of the name counts (family names come first in some scripts and
    some people carry two). A name written without spaces (as in Chinese) also matches
    by its beginning or end."""
    name, given = _name_tokens(holder_name), _name_tokens(surname)
    if not given or not name:
        return False
    candidate = " ".join(given)
    runs = {" ".join(name[i:j]) for i in range(len(name)) for j in range(i + 1, len(name) + 1)}
    if len(name) == 1:
        runs |= {name[0][:k] for k in range(1, len(name[0]))} | {name[0][k:] for k in range(1, len(name[0]))}
    return any(hmac.compare_digest(candidate.encode(), run.encode()) for run in runs)


def certificate_for_pdf(content: bytes) -> Certificate | None:
    """The certificate whose stored PDF has exactly these bytes, if any."""
    digest = hashlib.sha256(content).hexdigest()
    return (
        Certificate.objects.filter(pdf_sha256=digest)
        .exclude(status__in=[Certificate.Status.QUEUED, Certificate.Status.RENDERING, Certificate.Status.FAILED])
        .first()
    )
