"""Writes for accounts: profiles, roles, jurisdiction rules and licence verification.

Licence life cycle: submitted → verified | rejected; verified → expired (the daily job,
on the expiry date) | revoked. Every decision records who, when and why, and writes an
audit event in the same transaction.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import email_queue
from core.services import audit_record, each_in_own_transaction
from core.signals import eligibility_changed
from core.uploads import CheckedDocument

from .models import Jurisdiction, Licence, Profession, User
from .validators import validate_npi

MSG_EXPIRY_NOT_FUTURE = _("The expiry date must be after today: an expired licence cannot be verified.")
MSG_JURISDICTION_CLOSED = _("Glabella does not verify licences from this jurisdiction at the moment.")
MSG_PROFESSION_NOT_CERTIFIABLE = _("In {jurisdiction}, a {profession} may not be certified to inject botulinum toxin.")
MSG_LICENCE_ON_FILE = _("You already have this licence on file, awaiting verification or verified.")
MSG_TOO_MANY_PENDING = _(
    "You have {n} licences awaiting verification. Wait for a decision on them before submitting another."
)
MSG_ALREADY_DECIDED = _("This licence is no longer awaiting verification; it is {status}.")
MSG_REASON_REQUIRED = _("Give the reason; the trainee will read it.")
MSG_VERIFY_PAST_EXPIRY = _("This licence's expiry date has passed; reject it and ask for a current one.")
MSG_NOT_VERIFIED = _("Only a verified licence can be revoked.")


def user_profile_update(*, user: User, legal_name: str, profession: str) -> User:
    user.legal_name = legal_name.strip()
    user.profession = profession
    user.full_clean(exclude=["password"])
    user.save(update_fields=["legal_name", "profession"])
    return user


@transaction.atomic
def user_roles_set(
    *,
    user: User,
    actor: User | None,
    trainee: bool,
    instructor: bool,
    examiner: bool,
    administrator: bool,
) -> User:
    """Set a person's roles. Administrators are Django staff and superusers (they run
    the catalogue in the Django admin); nobody else is."""
    before = user.role_names
    user.is_trainee, user.is_instructor = trainee, instructor
    user.is_examiner, user.is_administrator = examiner, administrator
    user.is_staff = user.is_superuser = administrator
    user.save(
        update_fields=[
            "is_trainee",
            "is_instructor",
            "is_examiner",
            "is_administrator",
            "is_staff",
            "is_superuser",
        ]
    )
    if before != user.role_names:
        audit_record(
            actor=actor,
            action="user.roles_changed",
            obj=user,
            summary=f"Roles of {user.email}: {', '.join(user.role_names) or 'none'}",
            details={"before": before, "after": user.role_names},
        )
    return user


@transaction.atomic
def jurisdiction_save(*, jurisdiction: Jurisdiction, actor: User) -> Jurisdiction:
    created = jurisdiction.pk is None
    jurisdiction.full_clean()
    jurisdiction.save()
    audit_record(
        actor=actor,
        action="jurisdiction.created" if created else "jurisdiction.updated",
        obj=jurisdiction,
        summary=f"{jurisdiction.name}: {', '.join(jurisdiction.certifiable_professions) or 'no professions'}",
        details={
            "certifiable_professions": jurisdiction.certifiable_professions,
            "requirements_note": jurisdiction.requirements_note,
            "is_active": jurisdiction.is_active,
        },
    )
    return jurisdiction


def licence_submission_errors(
    *, holder: User, profession: str, number: str, jurisdiction: Jurisdiction, expires_on: datetime.date
) -> dict[str, str]:
    """The business rules a new licence must meet, as field → message. Only the holder's
    own records are consulted: whether someone else has submitted the same number is
    for the administrators to see (selectors.licence_same_number_elsewhere), never told
    to the submitter, so nobody can squat a number or probe for one."""
    errors: dict[str, str] = {}
    if expires_on <= timezone.localdate():
        errors["expires_on"] = MSG_EXPIRY_NOT_FUTURE
    if not jurisdiction.is_active:
        errors["jurisdiction"] = MSG_JURISDICTION_CLOSED
    elif not jurisdiction.allows(profession):
        errors["profession"] = MSG_PROFESSION_NOT_CERTIFIABLE.format(
            jurisdiction=jurisdiction.name, profession=Profession(profession).label.lower()
        )
    pending = Licence.objects.filter(holder=holder, status=Licence.Status.SUBMITTED).count()
    if pending >= settings.LICENCE_PENDING_LIMIT:
        errors[NON_FIELD_ERRORS] = MSG_TOO_MANY_PENDING.format(n=pending)
    if Licence.objects.filter(
        holder=holder,
        jurisdiction=jurisdiction,
        profession=profession,
        number__iexact=number,
        status__in=Licence.LIVE_STATUSES,
    ).exists():
        errors["number"] = MSG_LICENCE_ON_FILE
    return errors


def licence_submit(
    *,
    holder: User,
    profession: str,
    number: str,
    jurisdiction: Jurisdiction,
    expires_on: datetime.date,
    npi: str,
    document: CheckedDocument,
) -> Licence:
    """Record a licence for verification. Raises ValidationError (by field) and writes
    nothing, not even the file, when a rule fails."""
    number = number.strip().upper()
    if npi:
        validate_npi(npi)
    rules = {
        "holder": holder, "profession": profession, "number": number, "jurisdiction": jurisdiction,
        "expires_on": expires_on,
    }  # fmt: skip
    errors = licence_submission_errors(**rules)
    if errors:
        raise ValidationError(errors)
    licence = Licence(
        holder=holder,
        profession=profession,
        number=number,
        jurisdiction=jurisdiction,
        expires_on=expires_on,
        npi=npi,
        document_content_type=document.content_type,
    )
    licence.document.save(f"licence{document.extension}", ContentFile(document.content), save=False)
    try:
        with transaction.atomic():
            # The holder's row is locked and the rules read again, so that parallel
            # submissions cannot pass the cap on pending licences together.
            User.objects.select_for_update().filter(pk=holder.pk).first()
            errors = licence_submission_errors(**rules)
            if errors:
                raise ValidationError(errors)
            licence.full_clean(exclude=["document"])
            licence.save()
            audit_record(
                actor=holder,
                action="licence.submitted",
                obj=licence,
                summary=f"{holder.email} submitted {licence}",
            )
    except IntegrityError:
        licence.document.delete(save=False)
        raise ValidationError({"number": MSG_LICENCE_ON_FILE}) from None
    except ValidationError:
        licence.document.delete(save=False)
        raise
    return licence


def _lock_licence(licence_id) -> Licence:
    """The licence, its row locked until the transaction ends (the holder and
    jurisdiction are joined, not locked)."""
    return Licence.objects.select_for_update(of=("self",)).select_related("holder", "jurisdiction").get(pk=licence_id)


def _notify_holder(licence: Licence) -> None:
    email_queue(
        to=licence.holder.email,
        template="accounts/email/licence_decided",
        context={"licence": licence, "user": licence.holder},
    )


@transaction.atomic
def licence_verify(*, licence_id, actor: User) -> Licence:
    """Verify a submitted licence. Holds a SELECT FOR UPDATE lock on the licence, so two
    administrators deciding at once cannot both succeed."""
    licence = _lock_licence(licence_id)
    if licence.status != Licence.Status.SUBMITTED:
        raise ValidationError(MSG_ALREADY_DECIDED.format(status=licence.get_status_display().lower()))
    if licence.expires_on <= timezone.localdate():
        raise ValidationError(MSG_VERIFY_PAST_EXPIRY)
    licence.status = Licence.Status.VERIFIED
    licence.decided_at = timezone.now()
    licence.decided_by = actor
    licence.decision_reason = ""
    licence.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor,
        action="licence.verified",
        obj=licence,
        summary=f"Verified {licence} of {licence.holder.email}",
    )
    _notify_holder(licence)
    eligibility_changed.send(sender=Licence, trainee=licence.holder, enrolment=None, actor=actor)
    return licence


@transaction.atomic
def licence_reject(*, licence_id, actor: User, reason: str) -> Licence:
    """Reject a submitted licence with a reason the trainee reads. Locks the licence."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    licence = _lock_licence(licence_id)
    if licence.status != Licence.Status.SUBMITTED:
        raise ValidationError(MSG_ALREADY_DECIDED.format(status=licence.get_status_display().lower()))
    licence.status = Licence.Status.REJECTED
    licence.decided_at = timezone.now()
    licence.decided_by = actor
    licence.decision_reason = reason
    licence.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor,
        action="licence.rejected",
        obj=licence,
        summary=f"Rejected {licence} of {licence.holder.email}",
        details={"reason": reason},
    )
    _notify_holder(licence)
    return licence


@transaction.atomic
def licence_revoke(*, licence_id, actor: User, reason: str) -> Licence:
    """Revoke a verified licence (for example, the regulator withdrew it). Locks it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    licence = _lock_licence(licence_id)
    if licence.status != Licence.Status.VERIFIED:
        raise ValidationError(MSG_NOT_VERIFIED)
    licence.status = Licence.Status.REVOKED
    licence.decided_at = timezone.now()
    licence.decided_by = actor
    licence.decision_reason = reason
    licence.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor,
        action="licence.revoked",
        obj=licence,
        summary=f"Revoked {licence} of {licence.holder.email}",
        details={"reason": reason},
    )
    _notify_holder(licence)
    eligibility_changed.send(sender=Licence, trainee=licence.holder, enrolment=None, actor=actor)
    return licence


def _due_to_expire(today: datetime.date) -> Q:
    return Q(status=Licence.Status.VERIFIED, expires_on__lte=today)


def licences_expire(*, today: datetime.date | None = None) -> int:
    """Mark every verified licence whose expiry date has come as expired; returns how
    many. One transaction per licence (core.services.each_in_own_transaction), so the
    audit trail's lock is held for one licence at a time and a licence that fails does
    not undo the others. Safe to run twice: an expired licence is no longer selected."""
    today = today or timezone.localdate()
    due = list(Licence.objects.filter(_due_to_expire(today)).values_list("pk", flat=True))
    return each_in_own_transaction(due, lambda pk: _licence_expire(pk, today=today), what="Expiring licence")


def _licence_expire(licence_id, *, today: datetime.date) -> bool:
    """One licence of licences_expire, in its own transaction: locked (skipped if another
    run holds it), checked again, expired, audited; the holder is told and the apps
    that depend on the licence react (core.signals.eligibility_changed)."""
    licence = (
        Licence.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("holder", "jurisdiction")
        .filter(_due_to_expire(today), pk=licence_id)
        .first()
    )
    if licence is None:
        return False
    licence.status = Licence.Status.EXPIRED
    licence.decided_at = timezone.now()
    licence.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=None,
        action="licence.expired",
        obj=licence,
        summary=f"{licence} of {licence.holder.email} expired on {licence.expires_on}",
    )
    _notify_holder(licence)
    eligibility_changed.send(sender=Licence, trainee=licence.holder, enrolment=None, actor=None)
    return True


def _due_for_reminder(today: datetime.date) -> Q:
    horizon = today + datetime.timedelta(days=settings.LICENCE_REMINDER_DAYS)
    return Q(
        status=Licence.Status.VERIFIED,
        expires_on__gt=today,
        expires_on__lte=horizon,
        expiry_reminder_sent_at__isnull=True,
    )


def licence_expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email each holder whose verified licence expires within LICENCE_REMINDER_DAYS,
    once per licence; returns how many reminders were queued. One transaction per
    licence."""
    today = today or timezone.localdate()
    due = list(Licence.objects.filter(_due_for_reminder(today)).values_list("pk", flat=True))
    return each_in_own_transaction(
        due, lambda pk: _licence_remind(pk, today=today), what="Reminding the holder of licence"
    )


def _licence_remind(licence_id, *, today: datetime.date) -> bool:
    licence = (
        Licence.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("holder", "jurisdiction")
        .filter(_due_for_reminder(today), pk=licence_id)
        .first()
    )
    if licence is None:
        return False
    licence.expiry_reminder_sent_at = timezone.now()
    licence.save(update_fields=["expiry_reminder_sent_at"])
    email_queue(
        to=licence.holder.email,
        template="accounts/email/licence_expiry_reminder",
        context={
            "licence": licence,
            "user": licence.holder,
            "days_left": (licence.expires_on - today).days,
        },
    )
    return True
