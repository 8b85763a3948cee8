"""Keeping certificates true after issue: revocation and re-issue by administrators,
suspension while the holder has no valid licence, expiry and its reminders (nightly), and
the sweep that enqueues renders whose message was lost."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import licence_valid_for
from accounts.services import legal_name_lock
from certification.models import Award, Certificate, StatusList
from core.emails import email_queue
from core.services import audit_record, each_in_own_transaction

from .issuing import MSG_LICENCE_LAPSED, certificate_create
from .locks import certificate_lock
from .rendering import render_enqueue
from .status_lists import certificate_status_publish

if TYPE_CHECKING:
    from accounts.models import User

MSG_REASON_REQUIRED = _("Give a reason; the holder will read it.")
MSG_CANNOT_REVOKE = _("Only an issued certificate can be revoked; this one is {status}.")
MSG_CANNOT_REISSUE = _("Only a current, issued certificate can be re-issued; this one is {status}.")
MSG_NAME_CHANGED_MEANWHILE = _(
    "The holder's approved name changed while this page was open: it is now {name}. "
    "Check it and re-issue again if that is the name the new certificate should carry."
)

# How long a certificate may wait, from the moment its render was last enqueued, before
# the sweep takes its message for lost.
STALLED_QUEUED = datetime.timedelta(minutes=10)
STALLED_RENDERING = datetime.timedelta(minutes=15)


# Revocation and re-issue ----------------------------------------------------------------


@transaction.atomic
def certificate_revoke(*, certificate_id, actor: User, reason: str) -> Certificate:
    """Revoke an issued (or expired) certificate and tell the holder why. Locks it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    certificate = certificate_lock(certificate_id)
    if not certificate.can_revoke:
        raise ValidationError(MSG_CANNOT_REVOKE.format(status=certificate.get_status_display().lower()))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    certificate_status_publish(certificate, purpose=StatusList.Purpose.REVOCATION, value=True)
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
def certificate_reissue(*, certificate_id, actor: User, reason: str, expected_name: str | None = None) -> Certificate:
    """Replace an issued certificate with a new one (new serial and code, the holder's
    approved legal name as it stands now, same certification and expiry dates). The old
    one is superseded (its revocation bit set) and its verification page names the new
    one; the audit records the name on each. ``expected_name``: the name the administrator
    was shown; if the approved name is no longer that, nothing is done. Locks the old
    certificate, the holder's row (a name change approved meanwhile waits), its status
    list, and the open status list."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    old = certificate_lock(certificate_id)
    if not old.can_reissue:
        raise ValidationError(MSG_CANNOT_REISSUE.format(status=old.get_status_display().lower()))
    approved_name = legal_name_lock(user_id=old.holder_id)
    if expected_name is not None and expected_name.strip() != approved_name.strip():
        raise ValidationError(MSG_NAME_CHANGED_MEANWHILE.format(name=approved_name))
    licence = licence_valid_for(user=old.holder).order_by("-expires_on").first()
    if licence is None:
        raise ValidationError(MSG_LICENCE_LAPSED)
    old.status = Certificate.Status.SUPERSEDED
    old.save(update_fields=["status"])
    certificate_status_publish(old, purpose=StatusList.Purpose.REVOCATION, value=True)
    award = Award.objects.select_related("trainee", "course").get(pk=old.award_id)
    new = certificate_create(
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
        details={"reason": reason, "new": str(new.pk), "old_name": old.holder_name, "new_name": new.holder_name},
    )
    audit_record(
        actor=actor,
        action="certificate.queued",
        obj=new,
        summary=f"Issuing {new.serial} to {award.trainee.email} for {award.course.code} (replaces {old.serial})",
        details={"award": str(award.pk), "replaces": str(old.pk), "holder_name": new.holder_name},
    )
    render_enqueue(new)
    return new


# Keeping the status true ----------------------------------------------------------------


def certificates_suspension_sync(*, holder: User, actor: User | None = None) -> int:
    """Suspend the holder's issued certificates while they have no valid licence;
    reinstate them once one is verified. Returns how many changed. Runs in the caller's
    transaction (a licence decision) and locks the holder's certificates, then their status
    lists (in list order) to set or clear the suspension bits."""
    has_licence = licence_valid_for(user=holder).exists()
    changed = 0
    with transaction.atomic():
        certificates = (
            Certificate.objects.select_for_update()
            .filter(holder=holder, status=Certificate.Status.ISSUED, suspended_at__isnull=not has_licence)
            .order_by("status_list_id", "status_index")
        )
        for certificate in certificates:
            certificate.suspended_at = None if has_licence else timezone.now()
            certificate.save(update_fields=["suspended_at"])
            certificate_status_publish(certificate, purpose=StatusList.Purpose.SUSPENSION, value=not has_licence)
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


def _due_to_expire(today: datetime.date) -> Q:
    return Q(status=Certificate.Status.ISSUED, expires_on__lte=today)


def certificates_expire(*, today: datetime.date | None = None) -> int:
    """Mark issued certificates whose expiry date has come as expired and tell the
    holders; one transaction per certificate (core.services.each_in_own_transaction).
    Safe to run twice."""
    today = today or timezone.localdate()
    due = list(Certificate.objects.filter(_due_to_expire(today)).values_list("pk", flat=True))
    return each_in_own_transaction(due, lambda pk: _certificate_expire(pk, today=today), what="Expiring certificate")


def _certificate_expire(certificate_id, *, today: datetime.date) -> bool:
    """One row of certificates_expire, in its own transaction: locked (skipped if another
    run holds it), checked again, expired, audited."""
    certificate = (
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("holder")
        .filter(_due_to_expire(today), pk=certificate_id)
        .first()
    )
    if certificate is None:
        return False
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
    return True


def _due_for_reminder(today: datetime.date) -> Q:
    horizon = today + datetime.timedelta(days=settings.CERTIFICATE_REMINDER_DAYS)
    return Q(
        status=Certificate.Status.ISSUED,
        expires_on__gt=today,
        expires_on__lte=horizon,
        expiry_reminder_sent_at__isnull=True,
    )


def certificate_expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind each holder CERTIFICATE_REMINDER_DAYS before expiry, once per certificate;
    one transaction per certificate."""
    today = today or timezone.localdate()
    due = list(Certificate.objects.filter(_due_for_reminder(today)).values_list("pk", flat=True))
    return each_in_own_transaction(
        due, lambda pk: _certificate_remind(pk, today=today), what="Reminding the holder of certificate"
    )


def _certificate_remind(certificate_id, *, today: datetime.date) -> bool:
    certificate = (
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("holder")
        .filter(_due_for_reminder(today), pk=certificate_id)
        .first()
    )
    if certificate is None:
        return False
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
    return True


# The stalled sweep ----------------------------------------------------------------------


def _stalled(now: datetime.datetime) -> Q:
    return Q(status=Certificate.Status.QUEUED, queued_at__lte=now - STALLED_QUEUED) | Q(
        status=Certificate.Status.RENDERING, queued_at__lte=now - STALLED_RENDERING
    )


def certificates_requeue_stalled(*, now: datetime.datetime | None = None) -> int:
    """The safety net for work whose message was lost (the broker was down at commit, or
    a worker died): certificates queued or rendering for too long since their render was
    last enqueued (``queued_at``) are enqueued again, after the commit of their own
    transaction, and stamped, so the next sweep leaves them alone for as long again.
    Rendering is idempotent, so a duplicate costs one wasted render at most."""
    now = now or timezone.now()
    stalled = list(Certificate.objects.filter(_stalled(now)).values_list("pk", flat=True))
    return each_in_own_transaction(
        stalled, lambda pk: _certificate_requeue(pk, now=now), what="Enqueueing the stalled certificate"
    )


def _certificate_requeue(certificate_id, *, now: datetime.datetime) -> bool:
    certificate = (
        Certificate.objects.select_for_update(skip_locked=True).filter(_stalled(now), pk=certificate_id).first()
    )
    if certificate is None:
        return False  # rendered meanwhile, or a worker holds it right now
    render_enqueue(certificate, now=now)
    return True
