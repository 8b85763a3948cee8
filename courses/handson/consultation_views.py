"""The pages of a case's consultation and photographs: record the consultation, resolve a
flagged contraindication, add, view and delete photographs. The session page shows them
through ``case_context``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses.selectors import course_is_taught_by

from . import consultation as consultations
from . import photos, selectors
from .consultation_forms import ConsultationForm, PhotoForm, ResolutionForm

TEMPLATES = "courses/handson/consultation/"


def case_context(user, session) -> dict:
    """What the session page shows of the consultation and photographs (two queries, and
    one more for each permission asked of the course's instructors)."""
    consultation = consultations.consultation_for(session)
    visible = photos.photos_visible_to(user, session)
    teaches = user.is_instructor and course_is_taught_by(session.enrolment.course, user)
    can_record = session.enrolment.trainee_id == user.pk or teaches
    return {
        "consultation": consultation,
        "can_record_consultation": can_record and not session.is_locked,
        "can_resolve": teaches and not session.is_locked and consultation is not None and consultation.is_blocking,
        "show_photos": visible,
        "photos": photos.photo_list_for_session(session) if visible else [],
        "can_add_photos": can_record,
        "can_delete_photos": can_record or user.is_administrator,
        "photo_form": PhotoForm() if can_record and consultation is not None and consultation.photo_consent else None,
    }


def _detail(session, anchor: str):
    return redirect(reverse("courses:session_detail", args=[session.pk]) + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk):
    session = consultations.get_consultation_session_for(request.user, pk)
    if session.is_locked:
        messages.error(request, consultations.MSG_LOCKED)
        return _detail(session, "#consultation")
    consultation = consultations.consultation_for(session)
    form = ConsultationForm(request.POST or None, initial=ConsultationForm.initial_from(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            saved = consultations.consultation_save(session_id=session.pk, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if saved.is_blocking:
                messages.warning(request, consultations.MSG_BLOCKED)
            else:
                messages.success(request, _("Consultation saved."))
            return _detail(session, "#consultation")
    status = 400 if form.errors else 200
    context = {"session": session, "course": session.enrolment.course, "form": form, "consultation": consultation}
    return render(request, TEMPLATES + "consultation_form.html", context, status=status)


@role_required("instructor")
@require_http_methods(["GET", "POST"])
def consultation_resolve(request, pk):
    session = selectors.get_supervised_session_for(request.user, pk)
    consultation = consultations.consultation_for(session)
    if session.is_locked or consultation is None or not consultation.is_blocking:
        messages.error(request, session.is_locked and consultations.MSG_LOCKED or consultations.MSG_NOTHING_TO_RESOLVE)
        return _detail(session, "#consultation")
    form = ResolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultations.consultation_resolve(
                session_id=session.pk, actor=request.user, note=form.cleaned_data["resolution_note"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Contraindication resolved; the session can be signed."))
            return _detail(session, "#consultation")
    status = 400 if form.errors else 200
    context = {"session": session, "course": session.enrolment.course, "form": form, "consultation": consultation}
    return render(request, TEMPLATES + "resolve.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def photo_add(request, pk):
    session = selectors.get_session_for(request.user, pk)
    if not photos.photos_uploadable_by(request.user, session):
        raise Http404
    form = PhotoForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            photos.photo_upload(
                session_id=session.pk,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                document=form.cleaned_data["photo"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Photograph added."))
            return _detail(session, "#photos")
    status = 400 if form.errors else 200
    context = {
        "session": session,
        "course": session.enrolment.course,
        "form": form,
        "consent": photos.photo_consent_given(session),
    }
    return render(request, TEMPLATES + "photo_form.html", context, status=status)


@require_GET
def photo_file(request, pk):
    """Stream a photograph to those who may see it (404 for anyone else, signed in or not:
    no redirect to the sign-in page says the photograph exists), never cached."""
    photo = photos.get_photo_for(request.user, pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def photo_delete(request, pk):
    photo = photos.get_photo_for(request.user, pk)
    session = photo.session
    if not photos.photos_deletable_by(request.user, session):
        raise Http404
    if request.method == "POST":
        photos.photo_delete(photo_id=photo.pk, actor=request.user)
        messages.success(request, _("Photograph deleted."))
        return _detail(session, "#photos")
    return render(request, TEMPLATES + "photo_delete.html", {"photo": photo, "session": session})
