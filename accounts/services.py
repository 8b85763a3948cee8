"""Writes for accounts: profiles, roles, jurisdiction rules, licence verification and
name changes.

Licence life cycle: submitted → verified | rejected; verified → expired (the daily job,
on the expiry date) | revoked. Every decision records who, when and why, and writes an
audit event in the same transaction.

The legal name a certificate prints is bound to the verified identity: once a licence of
the holder has been verified, ``User.legal_name`` changes only when an administrator
approves a NameChangeRequest (pending → approved | rejected | withdrawn).
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

from .models import Jurisdiction, Licence, NameChangeRequest, Profession, User
from .selectors import legal_name_locked
from .validators import validate_npi, validate_printed_name

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
MSG_NAME_LOCKED = _(
    "Your legal name was checked against your verified licence, so it cannot be edited here; "
    "request a name change instead."
)
MSG_NAME_NOT_LOCKED = _("Your name is not locked yet: change it on your profile page.")
MSG_NAME_UNCHANGED = _("This is already your legal name.")
MSG_NAME_CHANGE_OPEN = _("You already have a name change request awaiting review; withdraw it to make another.")
MSG_NAME_CHANGE_DECIDED = _("This request is no longer awaiting review; it is {status}.")
MSG_NAME_CHANGE_STALE = _(
    "The trainee's legal name has changed since this request was made (it is now {name}); reject this request."
)


@transaction.atomic
def user_profile_update(*, user: User, legal_name: str, profession: str) -> User:
    """Save the profile. The legal name may change only while no licence of the user has
    been verified (selectors.legal_name_locked); after that a change is a name change
    request. The user's row is locked, so a licence verified meanwhile (licence_verify
    locks it too) either sees the new name or this refuses it."""
    stored = User.objects.select_for_update().get(pk=user.pk)
    legal_name = legal_name.strip()
    if legal_name != stored.legal_name and legal_name_locked(stored):
        user.legal_name = stored.legal_name
        raise ValidationError({"legal_name": MSG_NAME_LOCKED})
    user.legal_name = legal_name
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
    # The holder's row too: the name checked against the document is the one locked
    # from now on (user_profile_update takes the same lock).
    holder = User.objects.select_for_update().get(pk=licence.holder_id)
    licence.holder.legal_name = holder.legal_name
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
        details={"legal_name": holder.legal_name},
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


# Name changes ---------------------------------------------------------------------------


def name_change_request_submit(
    *,
    user: User,
    requested_name: str,
    reason: str,
    explanation: str = "",
    document: CheckedDocument | None = None,
) -> NameChangeRequest:
    """Ask for the locked legal name to change. Raises ValidationError (by field) and
    writes nothing, not even the file, when a rule fails; one open request per trainee
    (the database's rule, namechange_one_pending_per_user)."""
    requested_name = " ".join(requested_name.split())
    try:
        validate_printed_name(requested_name)
    except ValidationError as error:
        raise ValidationError({"requested_name": error.messages}) from None
    change = NameChangeRequest(
        user=user,
        current_name=user.legal_name,
        requested_name=requested_name,
        reason=reason,
        explanation=explanation.strip(),
        document_content_type=document.content_type if document else "",
    )
    if document is not None:
        change.document.save(f"document{document.extension}", ContentFile(document.content), save=False)
    try:
        with transaction.atomic():
            stored = User.objects.select_for_update().get(pk=user.pk)
            change.current_name = stored.legal_name
            if not legal_name_locked(stored):
                raise ValidationError(MSG_NAME_NOT_LOCKED)
            if requested_name == stored.legal_name:
                raise ValidationError({"requested_name": MSG_NAME_UNCHANGED})
            if NameChangeRequest.objects.filter(user=user, status=NameChangeRequest.Status.PENDING).exists():
                raise ValidationError(MSG_NAME_CHANGE_OPEN)
            change.full_clean(exclude=["document", "user"])
            change.save()
            audit_record(
                actor=user,
                action="name_change.requested",
                obj=change,
                summary=f"{user.email} asked to change their legal name",
                details={
                    "old_name": change.current_name,
                    "new_name": requested_name,
                    "reason": change.reason,
                    "explanation": change.explanation,
                    "document": bool(document),
                },
            )
    except IntegrityError:
        # Two requests at once: the unique constraint let one through.
        if change.document:
            change.document.delete(save=False)
        raise ValidationError(MSG_NAME_CHANGE_OPEN) from None
    except ValidationError:
        if change.document:
            change.document.delete(save=False)
        raise
    return change


def legal_name_lock(*, user_id) -> str:
    """The user's approved legal name, their row locked until the transaction ends, so
    that a name change approved meanwhile waits (name_change_approve takes this lock)."""
    return User.objects.select_for_update().values_list("legal_name", flat=True).get(pk=user_id)


def _lock_name_change(request_id) -> NameChangeRequest:
    return NameChangeRequest.objects.select_for_update(of=("self",)).select_related("user").get(pk=request_id)


def _require_pending(change: NameChangeRequest) -> None:
    if change.status != NameChangeRequest.Status.PENDING:
        raise ValidationError(MSG_NAME_CHANGE_DECIDED.format(status=change.get_status_display().lower()))


@transaction.atomic
def name_change_request_withdraw(*, request_id, user: User) -> NameChangeRequest:
    """The trainee withdraws their own pending request (anyone else's is not found)."""
    change = _lock_name_change(request_id)
    if change.user_id != user.pk:
        raise NameChangeRequest.DoesNotExist
    _require_pending(change)
    change.status = NameChangeRequest.Status.WITHDRAWN
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=user,
        action="name_change.withdrawn",
        obj=change,
        summary=f"{user.email} withdrew their name change request",
        details={"old_name": change.current_name, "new_name": change.requested_name},
    )
    return change


def _notify_name_change(change: NameChangeRequest) -> None:
    email_queue(
        to=change.user.email,
        template="accounts/email/name_change_decided",
        context={"change": change, "user": change.user},
    )


@transaction.atomic
def name_change_approve(*, request_id, actor: User) -> NameChangeRequest:
    """Approve a pending request: the trainee's legal name becomes the requested one,
    for every certificate issued or re-issued from now on (those already issued keep
    the name they print). Locks the request and the trainee's row."""
    change = _lock_name_change(request_id)
    _require_pending(change)
    user = User.objects.select_for_update().get(pk=change.user_id)
    old_name = user.legal_name
    if old_name != change.current_name:
        raise ValidationError(MSG_NAME_CHANGE_STALE.format(name=old_name))
    user.legal_name = change.requested_name
    user.save(update_fields=["legal_name"])
    change.user = user
    change.status = NameChangeRequest.Status.APPROVED
    change.decided_at = timezone.now()
    change.decided_by = actor
    change.decision_reason = ""
    change.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor,
        action="name_change.approved",
        obj=change,
        summary=f"Approved the name change of {user.email}",
        details={"old_name": old_name, "new_name": change.requested_name, "user": str(user.pk)},
    )
    _notify_name_change(change)
    return change


@transaction.atomic
def name_change_reject(*, request_id, actor: User, reason: str) -> NameChangeRequest:
    """Reject a pending request with a reason the trainee reads; the name stays."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    change = _lock_name_change(request_id)
    _require_pending(change)
    change.status = NameChangeRequest.Status.REJECTED
    change.decided_at = timezone.now()
    change.decided_by = actor
    change.decision_reason = reason
    change.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor,
        action="name_change.rejected",
        obj=change,
        summary=f"Rejected the name change of {change.user.email}",
        details={"old_name": change.current_name, "new_name": change.requested_name, "reason": reason},
    )
    _notify_name_change(change)
    return change
