"""The consultation of a case: who may see and record it, the writes (record it, resolve a
flagged contraindication) and the check the sign-off asks (``consultation_sign_blocker``).

The consultation belongs to the draft it was recorded for and locks with it. A "yes" or
"unsure" contraindication blocks signing until one of the course's instructors resolves
it with a note saying why it was safe to proceed (or the case is left unsigned);
changing the answers afterwards undoes that resolution. No free text may hold who the
model is: dates of birth, e-mail addresses and telephone numbers are refused at the field.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record
from courses.models import CONTRAINDICATION_FIELDS, RISKS, Answer, CasePhoto, Consultation, InjectionSession
from courses.selectors import course_is_taught_by

from .selectors import get_session_for

MSG_ANSWER = _("Answer this question: no, yes or unsure.")
MSG_GOALS = _("Record what the model hopes the treatment will achieve.")
MSG_RISKS = _("Tick each risk you explained to the model (at least one).")
MSG_TREATMENT_CONSENT = _("Confirm that the treating practitioner took the model's consent to this treatment.")
MSG_CONSENT_BY = _("Say who took the consent and their role, e.g. “A. Trainee, nurse prescriber”.")
MSG_CONSENT_FUTURE = _("The consent cannot have been taken in the future.")
MSG_CONSENT_AFTER = _("The consent must have been taken on or before the day of the treatment.")
MSG_TEACHING_NEEDS_PHOTOS = _("Teaching use is of the photographs: it needs the consent to photographs too.")
MSG_PHOTOS_STORED = _("Photographs of this case are stored: delete them before withdrawing the consent to photographs.")
MSG_LOCKED = _("The session is signed: its consultation is locked with it.")
MSG_BLOCKED = _(
    "The consultation records a contraindication answered “yes” or “unsure”. "
    "An instructor must resolve it with a note before the session can be signed."
)
MSG_NOTHING_TO_RESOLVE = _("No contraindication is waiting to be resolved.")
MSG_NOTE = _("Say who decided and why it was safe to proceed, or leave the case unsigned.")
MSG_NOT_INSTRUCTOR = _("Only the course's instructors can resolve a contraindication.")
MSG_DATE_OF_BIRTH = _("This looks like a date of birth. Never record who the model is: no names or dates of birth.")
MSG_CONTACT = _("This looks like an e-mail address or a telephone number. Never record the model's contact details.")

MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
BIRTH_WORDS = re.compile(r"\b(d\.?o\.?b\.?|date of birth|born|birthday)\b", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4}|\d{2})\b")
ISO_DATE = re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")
WORD_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{MONTHS})[a-z]*\.?\s+(?:\d{{1,2}},?\s+)?(\d{{4}})\b", re.I
)
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.IGNORECASE)
PHONE = re.compile(r"\+?\d[\d ()-]{8,}\d")
# A model is an adult: a full date whose year is at least this long ago reads as a birth date.
ADULT_YEARS = 16


def _is_birth_year(year: str, *, today: datetime.date) -> bool:
    value = int(year)
    if len(year) == 2:  # 80 is 1980; 24 is 2024, a recent treatment date
        value += 2000 if value <= today.year % 100 else 1900
    return 1900 <= value <= today.year - ADULT_YEARS


def identity_errors(text: str) -> list[str]:
    """Messages for free text that holds what looks like a birth date or contact details."""
    today = timezone.localdate()
    if BIRTH_WORDS.search(text):
        return [MSG_DATE_OF_BIRTH]
    years = [m.group(3) for m in NUMERIC_DATE.finditer(text)]
    years += [m.group(1) for m in ISO_DATE.finditer(text)] + [m.group(1) for m in WORD_DATE.finditer(text)]
    if any(_is_birth_year(year, today=today) for year in years):
        return [MSG_DATE_OF_BIRTH]
    if EMAIL.search(text) or any(sum(ch.isdigit() for ch in m.group()) >= 10 for m in PHONE.finditer(text)):
        return [MSG_CONTACT]
    return []


# Reads ------------------------------------------------------------------------------------


def _may_record(user: User, session: InjectionSession) -> bool:
    """The trainee who treated and the course's instructors record the consultation."""
    return session.enrolment.trainee_id == user.pk or (
        user.is_instructor and course_is_taught_by(session.enrolment.course, user)
    )


def get_consultation_session_for(user: User, pk) -> InjectionSession:
    """A session whose consultation the user may record (its trainee or one of the
    course's instructors); 404 for anyone else."""
    session = get_session_for(user, pk)
    if not _may_record(user, session):
        raise Http404
    return session


def consultation_for(session: InjectionSession) -> Consultation | None:
    try:
        return session.consultation
    except Consultation.DoesNotExist:
        return None


def consultation_sign_blocker(*, session_id) -> str | None:
    """Why the session cannot be signed yet because of its consultation, or None. Called by
    the sign-off (courses.handson.services.session_sign) while it holds the session's lock;
    the writes below take the same lock, so no answer changes between this and the
    signature."""
    consultation = Consultation.objects.filter(session_id=session_id).first()
    if consultation is not None and consultation.is_blocking:
        return str(MSG_BLOCKED)
    return None


# Writes -----------------------------------------------------------------------------------


def _lock_session(session_id) -> InjectionSession:
    """The session, its row locked until the transaction ends (as session_sign locks it)."""
    return (
        InjectionSession.objects.select_for_update(of=("self",))
        .select_related("enrolment__course", "enrolment__trainee")
        .get(pk=session_id)
    )


def _validate(data: dict, *, session: InjectionSession, photos_stored: bool) -> None:
    errors: dict[str, list] = defaultdict(list)
    for name in CONTRAINDICATION_FIELDS:
        if data.get(name) not in Answer.values:
            errors[name].append(MSG_ANSWER)
    if not data.get("goals", "").strip():
        errors["goals"].append(MSG_GOALS)
    for name in ("history", "goals"):
        errors[name] += identity_errors(data.get(name, ""))
    risks = data.get("risks_explained") or []
    known = {code for code, _label in RISKS}
    if not risks or not set(risks) <= known:
        errors["risks_explained"].append(MSG_RISKS)
    if not data.get("treatment_consent"):
        errors["treatment_consent"].append(MSG_TREATMENT_CONSENT)
    if not data.get("consent_taken_by", "").strip():
        errors["consent_taken_by"].append(MSG_CONSENT_BY)
    taken_at = data.get("consent_taken_at")
    if taken_at is not None:
        if taken_at > timezone.now() + datetime.timedelta(minutes=5):
            errors["consent_taken_at"].append(MSG_CONSENT_FUTURE)
        elif timezone.localtime(taken_at).date() > session.performed_on:
            errors["consent_taken_at"].append(MSG_CONSENT_AFTER)
    if data.get("teaching_consent") and not data.get("photo_consent"):
        errors["teaching_consent"].append(MSG_TEACHING_NEEDS_PHOTOS)
    if photos_stored and not data.get("photo_consent"):
        errors["photo_consent"].append(MSG_PHOTOS_STORED)
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consultation_save(*, session_id, actor: User, data: dict) -> Consultation:
    """Record or update the consultation of a draft session. Holds a SELECT FOR UPDATE lock
    on the session's row (the one session_sign takes). New flagged answers undo an earlier
    resolution. Nothing is written when a rule fails."""
    session = _lock_session(session_id)
    if not _may_record(actor, session):
        raise PermissionDenied
    if session.is_locked:
        raise ValidationError(MSG_LOCKED)
    consultation = consultation_for(session)
    _validate(data, session=session, photos_stored=session.photos.exists())
    created = consultation is None
    if created:
        consultation = Consultation(session=session)
    flagged_before = {name for name, *_rest in consultation.flagged} if not created else set()
    answers_before = {name: getattr(consultation, name) for name in CONTRAINDICATION_FIELDS}
    for name in CONTRAINDICATION_FIELDS:
        setattr(consultation, name, data[name])
    consultation.history = data.get("history", "").strip()
    consultation.goals = data["goals"].strip()
    consultation.risks_explained = [code for code, _label in RISKS if code in set(data["risks_explained"])]
    consultation.treatment_consent = True
    consultation.consent_taken_by = data["consent_taken_by"].strip()
    consultation.consent_taken_at = data["consent_taken_at"] or timezone.now()
    consultation.photo_consent = bool(data.get("photo_consent"))
    consultation.teaching_consent = bool(data.get("teaching_consent"))
    answers_changed = answers_before != {name: getattr(consultation, name) for name in CONTRAINDICATION_FIELDS}
    if consultation.resolved_at is not None and answers_changed:
        consultation.resolution_note, consultation.resolved_by, consultation.resolved_at = "", None, None
    consultation.updated_by = actor
    consultation.updated_at = timezone.now()
    consultation.save()
    flagged = [name for name, *_rest in consultation.flagged]
    audit_record(
        actor=actor,
        action="consultation.recorded" if created else "consultation.updated",
        obj=consultation,
        summary=f"Consultation of session {session.pk} {'recorded' if created else 'updated'}",
        details={
            "session": str(session.pk),
            "flagged": flagged,
            "newly_flagged": sorted(set(flagged) - flagged_before),
            "photo_consent": consultation.photo_consent,
            "teaching_consent": consultation.teaching_consent,
        },
    )
    return consultation


@transaction.atomic
def consultation_resolve(*, session_id, actor: User, note: str) -> Consultation:
    """An instructor of the course records why it was safe to proceed despite the flagged
    answers, which unblocks signing. Locks the session's row."""
    session = _lock_session(session_id)
    if not (actor.is_instructor and course_is_taught_by(session.enrolment.course, actor)):
        raise ValidationError(MSG_NOT_INSTRUCTOR)
    if session.is_locked:
        raise ValidationError(MSG_LOCKED)
    consultation = consultation_for(session)
    if consultation is None or not consultation.is_blocking:
        raise ValidationError(MSG_NOTHING_TO_RESOLVE)
    note = note.strip()
    errors = [MSG_NOTE] if not note else identity_errors(note)
    if errors:
        raise ValidationError({"resolution_note": errors})
    consultation.resolution_note = note
    consultation.resolved_by = actor
    consultation.resolved_at = timezone.now()
    consultation.save(update_fields=["resolution_note", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="consultation.resolved",
        obj=consultation,
        summary=f"Contraindication resolved for session {session.pk}",
        details={"session": str(session.pk), "flagged": [n for n, *_rest in consultation.flagged], "note": note},
    )
    return consultation


def consultation_carry_over(*, original: InjectionSession, amendment: InjectionSession) -> None:
    """An amendment is the case's current record: its consultation and photographs move to
    it (called by session_amend, which holds the original's lock)."""
    Consultation.objects.filter(session=original).update(session=amendment)
    CasePhoto.objects.filter(session=original).update(session=amendment)
