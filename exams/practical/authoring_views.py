"""Pages for authoring the practical exam (exams.practical.authoring): administrators only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from exams.models import PracticalExam, Station

from . import authoring


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def stations(request, code):
    """The practical exam's settings, its stations with their current rubric, and a new station."""
    course = course_selectors.get_course_for_staff(code)
    exam = PracticalExam.objects.filter(course=course).first() or PracticalExam(course=course)
    exam_form = authoring.PracticalExamForm(
        request.POST if "save_exam" in request.POST else None, instance=exam, prefix="exam"
    )
    station_form = authoring.StationForm(request.POST if "add_station" in request.POST else None, prefix="station")
    if request.method == "POST":
        if "save_exam" in request.POST and exam_form.is_valid():
            authoring.practical_exam_save(course=course, exam=exam_form.save(commit=False), actor=request.user)
            messages.success(request, _("Saved the practical exam's settings."))
            return redirect("exams:practical_stations", code=code)
        if "add_station" in request.POST and station_form.is_valid():
            if exam.pk is None or exam._state.adding:
                messages.error(request, _("Save the practical exam's settings first."))
            else:
                station = station_form.save(commit=False)
                station.practical = exam
                authoring.station_save(station=station, actor=request.user)
                messages.success(request, _("Station added: now write its rubric."))
                return redirect("exams:practical_rubric", station_id=station.pk)
    station_list = []
    if not exam._state.adding:
        for station in Station.objects.filter(practical=exam).prefetch_related("versions__criteria"):
            versions = list(station.versions.all())
            station_list.append((station, versions[0] if versions else None))
    return render(
        request,
        "exams/practical/authoring/stations.html",
        {
            "course": course,
            "exam": exam,
            "exam_saved": not exam._state.adding,
            "exam_form": exam_form,
            "station_form": station_form,
            "stations": station_list,
        },
    )


def _station(station_id: int) -> Station:
    station = Station.objects.select_related("practical__course").filter(pk=station_id).first()
    if station is None:
        raise Http404
    return station


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def rubric_edit(request, station_id):
    station = _station(station_id)
    course = station.practical.course
    current = station.versions.order_by("-number").prefetch_related("criteria").first()
    used = current is not None and authoring.rubric_is_used(current)
    station_form = authoring.StationForm(request.POST or None, instance=station, prefix="station")
    rubric_form = authoring.RubricForm(
        request.POST or None, initial={"pass_mark": current.pass_mark if current else None}
    )
    formset = authoring.CriterionFormSet(
        request.POST or None, initial=authoring.criteria_initial(current), prefix="criteria"
    )
    if request.method == "POST" and station_form.is_valid() and rubric_form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():  # the station's title and its rubric together, or neither
                if station_form.has_changed():
                    authoring.station_save(station=station_form.save(commit=False), actor=request.user)
                version, new = authoring.rubric_save(
                    station=station,
                    pass_mark=rubric_form.cleaned_data["pass_mark"],
                    criteria=formset.criteria(),
                    note=rubric_form.cleaned_data["note"],
                    actor=request.user,
                )
        except ValidationError as error:
            form_add_service_errors(rubric_form, error)
        else:
            if new and current is not None:
                messages.success(
                    request,
                    _("Saved as version %(n)s: version %(old)s stays as it was for the assessments that used it.")
                    % {"n": version.number, "old": current.number},
                )
            else:
                messages.success(request, _("Saved rubric version %(n)s.") % {"n": version.number})
            return redirect("exams:practical_stations", code=course.code)
    return render(
        request,
        "exams/practical/authoring/rubric_form.html",
        {
            "course": course,
            "station": station,
            "current": current,
            "used": used,
            "station_form": station_form,
            "rubric_form": rubric_form,
            "formset": formset,
            "older": station.versions.order_by("-number")[1:],
        },
    )
