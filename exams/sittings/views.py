"""Pages of sittings: the trainee's booking (on the exam page), the administrator's
sittings, bookings and accommodations, and the invigilator's live page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from exams.models import Accommodation, ExamSettings, Sitting
from exams.selectors import get_active_enrolment_in

from . import selectors, services
from .forms import (
    AccommodationForm,
    BookForm,
    CheckInForm,
    ExtendForm,
    IncidentForm,
    ReasonForm,
    SittingForm,
)

# Trainees ---------------------------------------------------------------------------------


@role_required("trainee")
@require_POST
def booking_create(request, code, pk):
    enrolment = get_active_enrolment_in(request.user, code)
    sitting = Sitting.objects.filter(pk=pk, course_id=enrolment.course_id).first()
    if sitting is None:
        raise Http404
    try:
        services.booking_create(sitting=sitting, enrolment=enrolment, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Booked: %(place)s, %(when)s.")
            % {"place": sitting.place, "when": timezone.localtime(sitting.opens_at).strftime("%d %b %Y %H:%M")},
        )
    return redirect("exams:home", code=code)


@role_required("trainee")
@require_POST
def booking_cancel(request, code, pk):
    booking = selectors.get_own_booking(request.user, code, pk)
    try:
        services.booking_cancel(booking=booking, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("exams:home", code=code)


# Administrators ---------------------------------------------------------------------------


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def sittings_admin(request, code):
    course = course_selectors.get_course_for_staff(code)
    form = SittingForm(request.POST or None, instance=Sitting(course=course))
    if request.method == "POST" and form.is_valid():
        sitting = form.save(commit=False)
        services.sitting_save(sitting=sitting, invigilators=list(form.cleaned_data["invigilators"]), actor=request.user)
        messages.success(request, _("Sitting created."))
        return redirect("exams:sitting_admin", pk=sitting.pk)
    return render(
        request,
        "exams/sittings/admin_list.html",
        {
            "course": course,
            "form": form,
            "sittings": selectors.sittings_for_course(course),
            "settings": ExamSettings.objects.filter(course=course).first(),
        },
    )


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def sitting_admin(request, pk):
    sitting = selectors.get_sitting_for_staff(pk)
    course = sitting.course
    form = SittingForm(request.POST if request.POST.get("form") == "sitting" else None, instance=sitting)
    book_form = BookForm(request.POST if request.POST.get("form") == "book" else None, course=course)
    if request.method == "POST" and form.is_bound and form.is_valid():
        services.sitting_save(
            sitting=form.save(commit=False), invigilators=list(form.cleaned_data["invigilators"]), actor=request.user
        )
        messages.success(request, _("Sitting saved."))
        return redirect("exams:sitting_admin", pk=pk)
    if request.method == "POST" and book_form.is_bound and book_form.is_valid():
        try:
            services.booking_create(sitting=sitting, enrolment=book_form.cleaned_data["enrolment"], actor=request.user)
        except ValidationError as error:
            form_add_service_errors(book_form, ValidationError({"enrolment": error.messages}))
        else:
            messages.success(request, _("Booked."))
            return redirect("exams:sitting_admin", pk=pk)
    return render(
        request,
        "exams/sittings/admin_sitting.html",
        {
            "sitting": sitting,
            "course": course,
            "form": form,
            "book_form": book_form,
            "bookings": selectors.sitting_bookings(sitting),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required("administrator")
@require_POST
def sitting_booking_cancel(request, pk, booking):
    sitting = selectors.get_sitting_for_staff(pk)
    booking = selectors.get_booking_in(sitting, booking)
    try:
        services.booking_cancel(booking=booking, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Booking cancelled; any paper drawn for it is discarded."))
    return redirect("exams:sitting_admin", pk=pk)


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def accommodations_admin(request, code):
    course = course_selectors.get_course_for_staff(code)
    form = AccommodationForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accommodation = Accommodation.objects.filter(enrolment=data["enrolment"]).first() or Accommodation(
            enrolment=data["enrolment"]
        )
        for name in ("time_multiplier", "extra_attempts", "window_opens_at", "window_closes_at", "reason"):
            setattr(accommodation, name, data[name])
        try:
            services.accommodation_set(accommodation=accommodation, actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Accommodation saved."))
            return redirect("exams:accommodations", code=code)
    return render(
        request,
        "exams/sittings/accommodations.html",
        {"course": course, "form": form, "accommodations": selectors.accommodations_for_course(course)},
        status=400 if request.method == "POST" else 200,
    )


# Invigilators ---------------------------------------------------------------------------


@role_required("examiner", "administrator")
@require_safe
def invigilate_list(request):
    return render(
        request, "exams/sittings/invigilate_list.html", {"sittings": selectors.sittings_invigilated(request.user)}
    )


def _live_context(sitting, **extra):
    rows = selectors.invigilation_rows(sitting)
    counts = {
        state: sum(1 for r in rows if r.state == state)
        for state in ("booked", "checked_in", "started", "paused", "submitted")
    }
    return {
        "sitting": sitting,
        "rows": rows,
        "counts": counts,
        "events": selectors.sitting_events(sitting),
        "now": timezone.now(),
        **extra,
    }


@role_required("examiner", "administrator")
@require_safe
@never_cache
def invigilate(request, pk):
    """The live page; with ``?fragment=1`` only its live part (what invigilate.js polls)."""
    sitting = selectors.get_sitting_for_invigilator(request.user, pk)
    context = _live_context(sitting)
    if request.GET.get("fragment") == "1":
        return render(request, "exams/sittings/_live.html", context)
    return render(
        request,
        "exams/sittings/invigilate.html",
        {**context, "room_form": ReasonForm(prefix="room"), "incident_form": IncidentForm()},
    )


ROW_ACTIONS = ("check_in", "extend", "pause", "resume")


@role_required("examiner", "administrator")
@require_POST
def invigilate_act(request, pk):
    """One invigilator action. A refusal or bad input re-renders the page with the message
    beside the form it came from (and nothing lost: the other rows are as they were)."""
    sitting = selectors.get_sitting_for_invigilator(request.user, pk)
    action = request.POST.get("action", "")
    booking = None
    if action in ROW_ACTIONS:
        booking = selectors.get_booking_in(sitting, request.POST.get("booking") or 0)
    elif action not in ("pause_room", "resume_room", "incident"):
        return HttpResponseBadRequest(_("Unknown action."), content_type="text/plain; charset=utf-8")
    form, done = _act(request, sitting, booking, action)
    if done:
        messages.success(request, done)
        return redirect("exams:invigilate", pk=pk)
    room_form = form if action in ("pause_room", "resume_room") else ReasonForm(prefix="room")
    incident_form = form if action == "incident" else IncidentForm()
    context = _live_context(
        sitting,
        room_form=room_form,
        incident_form=incident_form,
        row_error={
            "booking": booking.pk if booking else None,
            "action": action,
            "messages": [message for errors in form.errors.values() for message in errors],
        },
    )
    return render(request, "exams/sittings/invigilate.html", context, status=400)


def _act(request, sitting, booking, action):
    """(the bound form, the success message or "")."""
    user = request.user
    forms = {
        "check_in": CheckInForm,
        "extend": ExtendForm,
        "pause": ReasonForm,
        "resume": ReasonForm,
        "incident": IncidentForm,
    }
    if action in ("pause_room", "resume_room"):
        form = ReasonForm(request.POST, prefix="room")
    else:
        form = forms[action](request.POST)
    if not form.is_valid():
        return form, ""
    data = form.cleaned_data
    if action == "pause_room" and request.POST.get("room-confirm") != "yes":
        form.add_error(None, _("Tick the box to confirm pausing every candidate in the room."))
        return form, ""
    try:
        if action == "check_in":
            services.booking_check_in(booking=booking, identity_confirmed=data["identity_confirmed"], actor=user)
            done = _("Checked in.")
        elif action == "extend":
            services.attempt_extend(booking=booking, minutes=data["minutes"], reason=data["reason"], actor=user)
            done = _("%(n)s minutes added.") % {"n": data["minutes"]}
        elif action == "pause":
            services.attempt_pause(booking=booking, reason=data["reason"], actor=user)
            done = _("Paused: the candidate's clock is stopped.")
        elif action == "resume":
            services.attempt_resume(booking=booking, reason=data["reason"], actor=user)
            done = _("Resumed: the time paused was added to the deadline.")
        elif action == "pause_room":
            n = services.room_pause(sitting=sitting, reason=data["reason"], actor=user)
            done = _("Room paused (%(n)s attempts).") % {"n": n}
        elif action == "resume_room":
            n = services.room_resume(sitting=sitting, reason=data["reason"], actor=user)
            done = _("Room resumed (%(n)s attempts).") % {"n": n}
        else:
            services.incident_log(sitting=sitting, text=data["text"], actor=user)
            done = _("Incident logged.")
    except ValidationError as error:
        form_add_service_errors(form, error)
        return form, ""
    return form, done
