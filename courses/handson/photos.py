"""Photographs of a case: who may see them, upload (only with the model's photo consent),
deletion by hand and by the retention batch.

The files are checked and re-encoded without metadata by core.uploads before anything is
written, stored in private storage under a random name (models.case_photo_path) and
streamed only to the trainee, the session's instructor, the course's instructors and
administrators; they never appear on a public page or in a certificate. A course keeps
them ``handson_photo_retention_days`` after upload unless the model consented to teaching
use. Uploads and deletions are audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record, each_in_own_transaction
from core.uploads import PDF, CheckedDocument
from courses.models import CasePhoto, Consultation, Course, InjectionSession
from courses.selectors import course_is_taught_by

MSG_NO_CONSENT = _(
    "The model has not consented to photographs: record the consent to photographs in the consultation first."
)
MSG_NOT_A_PHOTO = _("Upload a photograph: a JPEG or PNG image.")
MSG_KIND = _("Say when the photograph was taken.")
RETENTION_ACTION = "photo.deleted_retention"

# Reads ------------------------------------------------------------------------------------


def photos_visible_to(user: User, session: InjectionSession) -> bool:
    """The trainee, the session's instructor (who recorded or signed it), the course's
    instructors and administrators. Examiners and everyone else do not see photographs."""
    if not user.is_authenticated:
        return False
    return (
        session.enrolment.trainee_id == user.pk
        or user.is_administrator
        or session.instructor_id == user.pk
        or (user.is_instructor and course_is_taught_by(session.enrolment.course, user))
    )


def photos_uploadable_by(user: User, session: InjectionSession) -> bool:
    """The trainee and the course's instructors add photographs (the review ones after
    sign-off too: photographs are not part of the signed record)."""
    return user.is_authenticated and (
        session.enrolment.trainee_id == user.pk
        or (user.is_instructor and course_is_taught_by(session.enrolment.course, user))
    )


def photos_deletable_by(user: User, session: InjectionSession) -> bool:
    return photos_uploadable_by(user, session) or (user.is_authenticated and user.is_administrator)


def get_photo_for(user: User, pk) -> CasePhoto:
    """A photograph for those who may see it (photos_visible_to); 404 for anyone else."""
    photo = (
        CasePhoto.objects.select_related("session__enrolment__course", "session__enrolment__trainee")
        .filter(pk=pk)
        .first()
    )
    if photo is None or not photos_visible_to(user, photo.session):
        raise Http404
    return photo


def photo_list_for_session(session: InjectionSession) -> list[CasePhoto]:
    """The case's photographs, oldest first: one query."""
    return list(CasePhoto.objects.filter(session=session).order_by("uploaded_at", "id"))


def photo_consent_given(session: InjectionSession) -> bool:
    return Consultation.objects.filter(session=session, photo_consent=True).exists()


# Writes -----------------------------------------------------------------------------------


def _delete_file(photo: CasePhoto) -> None:
    """Last step of a deletion, inside its transaction: if the file cannot be removed the
    row stays (and the deletion is retried); a row whose file is gone answers 404 and is
    removed on the next try."""
    if photo.file:
        photo.file.storage.delete(photo.file.name)


def photo_upload(*, session_id, actor: User, kind: str, document: CheckedDocument) -> CasePhoto:
    """Store a checked photograph (core.uploads.check_document) of a case whose model
    consented to photographs. The session's row is locked while the consent is checked, so
    a consultation saved at the same time cannot withdraw it in between. A refusal writes
    nothing: the file is removed again if the row is not saved."""
    if document.content_type == PDF:
        raise ValidationError({"photo": [MSG_NOT_A_PHOTO]})
    if kind not in CasePhoto.Kind.values:
        raise ValidationError({"kind": [MSG_KIND]})
    with transaction.atomic():
        session = (
            InjectionSession.objects.select_for_update(of=("self",))
            .select_related("enrolment__course", "enrolment__trainee")
            .get(pk=session_id)
        )
        if not photos_uploadable_by(actor, session):
            raise PermissionDenied
        if not photo_consent_given(session):
            raise ValidationError({"photo": [MSG_NO_CONSENT]})
        photo = CasePhoto(session=session, kind=kind, content_type=document.content_type, uploaded_by=actor)
        photo.file.save(f"photo{document.extension}", ContentFile(document.content), save=False)
        try:
            photo.save()
            audit_record(
                actor=actor,
                action="photo.uploaded",
                obj=photo,
                summary=f"{photo.get_kind_display()} photo added to session {session.pk}",
                details={"session": str(session.pk), "kind": kind},
            )
        except Exception:
            _delete_file(photo)
            raise
    return photo


@transaction.atomic
def photo_delete(*, photo_id, actor: User) -> None:
    """Delete a photograph and its file, by the trainee, the course's instructors or an
    administrator. Locks the photo's row."""
    photo = CasePhoto.objects.select_for_update(of=("self",)).select_related(
        "session__enrolment__course", "session__enrolment__trainee"
    )
    photo = photo.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    if not photos_deletable_by(actor, photo.session):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="photo.deleted",
        obj=photo,
        summary=f"{photo.get_kind_display()} photo deleted from session {photo.session_id}",
        details={"session": str(photo.session_id), "kind": photo.kind},
    )
    photo.delete()
    _delete_file(photo)


# Retention --------------------------------------------------------------------------------


def _expired(course: Course, now: datetime.datetime):
    """The course's photographs past its retention period whose model did not consent to
    teaching use (a case without a consultation has no teaching consent)."""
    cutoff = now - datetime.timedelta(days=course.handson_photo_retention_days)
    return CasePhoto.objects.filter(session__enrolment__course=course, uploaded_at__lte=cutoff).exclude(
        session__consultation__teaching_consent=True
    )


def photos_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete every photograph past its course's retention period without teaching consent;
    returns how many. One transaction per photograph (core.services.each_in_own_transaction);
    safe to run twice: a deleted photograph is no longer selected."""
    now = now or timezone.now()
    due = []
    for course in Course.objects.filter(enrolments__sessions__photos__isnull=False).distinct():
        due += list(_expired(course, now).values_list("pk", flat=True))
    return each_in_own_transaction(due, lambda pk: _photo_expire(pk, now=now), what="Deleting expired photo")


def _photo_expire(photo_id, *, now: datetime.datetime) -> bool:
    photo = (
        CasePhoto.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("session__enrolment__course")
        .filter(pk=photo_id)
        .first()
    )
    if photo is None:
        return False
    course = photo.session.enrolment.course
    if not _expired(course, now).filter(pk=photo.pk).exists():
        return False  # teaching consent given, or the period changed, since the batch started
    audit_record(
        actor=None,
        action=RETENTION_ACTION,
        obj=photo,
        summary=f"{photo.get_kind_display()} photo of session {photo.session_id} deleted after "
        f"{course.handson_photo_retention_days} days",
        details={"session": str(photo.session_id), "kind": photo.kind, "uploaded_at": photo.uploaded_at.isoformat()},
    )
    photo.delete()
    _delete_file(photo)
    return True
