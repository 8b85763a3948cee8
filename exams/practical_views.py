from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from courses.models import Course

from . import practical
from .models import Assessment, GlobalGrade, PracticalExam, Station, StationScore
from .practical_forms import AdoptPassMarkForm, ScheduleForm, ScoreForm
from .selectors import get_active_enrolment


@role_required("administrator")
def practical_admin(request, code):
    course = get_object_or_404(Course, code=code)
    exam = PracticalExam.objects.filter(course=course).first()
    form = ScheduleForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            practical.assessment_schedule(
                enrolment=data["enrolment"], scheduled_at=data["scheduled_at"], place=data["place"],
                stations=list(data["stations"]), examiners=list(data["examiners"]), actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Assessment scheduled; the trainee has been told."))
            return redirect("exams:practical_admin", code=code)
    assessments = (
        Assessment.objects.filter(enrolment__course=course)
        .select_related("enrolment__trainee")
        .prefetch_related("examiners")
        .order_by("-scheduled_at")
    )
    stations = Station.objects.filter(practical__course=course).prefetch_related("versions")
    return render(
        request,
        "exams/practical_admin.html",
        {"course": course, "exam": exam, "form": form, "assessments": assessments, "stations": stations},
    )


@role_required("administrator")
def standard_setting(request, station_id):
    station = get_object_or_404(Station.objects.select_related("practical__course"), pk=station_id)
    regression = practical.borderline_regression(station=station)
    current = practical.current_rubric(station)
    if current is None:
        messages.error(
            request,
            _("%(station)s has no rubric yet: add a rubric version in the Django admin.") % {"station": station},
        )
        return redirect("exams:practical_admin", code=station.practical.course.code)
    suggested = round(regression.suggested_pass_mark, 2) if regression else None
    form = AdoptPassMarkForm(request.POST or None, initial={"pass_mark": suggested})
    if request.method == "POST" and form.is_valid():
        version = practical.rubric_adopt_pass_mark(
            station=station, pass_mark=form.cleaned_data["pass_mark"], actor=request.user
        )
        messages.success(
            request,
            _("Version %(n)s of the rubric uses the new pass mark for future assessments.") % {"n": version.number},
        )
        return redirect("exams:standard_setting", station_id=station.pk)
    maximum = sum(c.points for c in current.criteria.all()) if current else 0
    chart = None
    if regression:
        # SVG coordinates: grades 0–4 across, totals 0–max up.
        def x(grade):
            return 40 + grade * 80

        def y(total):
            return 220 - (float(total) / maximum * 200 if maximum else 0)

        chart = {
            "dots": [(x(g), y(t)) for g, t in regression.points],
            "line": (x(0), y(regression.intercept), x(4), y(regression.intercept + 4 * regression.slope)),
            "current_y": y(current.pass_mark),
            "suggested_y": y(regression.suggested_pass_mark),
            "grades": [(x(g.value), g.label) for g in GlobalGrade],
            "maximum": maximum,
        }
    return render(
        request,
        "exams/standard_setting.html",
        {"station": station, "current": current, "regression": regression, "suggested": suggested, "form": form,
         "chart": chart, "minimum": practical.MIN_RESULTS},
    )  # fmt: skip


def _get_assessment_for_examiner(user, pk) -> Assessment:
    assessment = (
        Assessment.objects.select_related("enrolment__trainee", "enrolment__course")
        .filter(pk=pk, examiners=user)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


@role_required("examiner")
def score_station(request, pk, rubric_id):
    assessment = _get_assessment_for_examiner(request.user, pk)
    rubric = assessment.rubrics.select_related("station").filter(pk=rubric_id).first()
    if rubric is None:
        raise Http404
    criteria = list(rubric.criteria.all())
    score = StationScore.objects.filter(assessment=assessment, rubric=rubric, examiner=request.user).first()
    initial = {}
    if score:
        initial = {f"criterion_{k}": v for k, v in score.points.items()}
        initial.update(global_grade=score.global_grade, comments=score.comments)
    final = score is not None and score.status == StationScore.Status.SUBMITTED
    form = ScoreForm(None if final else request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and not final and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            practical.score_save(
                assessment=assessment, rubric_id=rubric.pk, examiner=request.user, points=form.points(),
                global_grade=form.cleaned_data["global_grade"], comments=form.cleaned_data["comments"], submit=submit,
            )  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Marks submitted; they are final.") if submit else _("Draft saved."))
            return redirect("accounts:examiner_dashboard") if submit else redirect(request.path)
    return render(
        request,
        "exams/score_station.html",
        {"assessment": assessment, "rubric": rubric, "form": form, "final": final, "score": score,
         "maximum": sum(c.points for c in criteria)},
    )  # fmt: skip


@role_required("trainee")
def practical_trainee(request, code):
    course = course_selectors.get_course_for(request.user, code)
    enrolment = get_active_enrolment(request.user, course)
    assessments = list(enrolment.assessments.prefetch_related("examiners").order_by("-number"))
    results = [
        (a, practical.assessment_outcomes(a) if a.status == Assessment.Status.COMPLETED else None) for a in assessments
    ]
    return render(
        request,
        "exams/practical_trainee.html",
        {"course": course, "results": results, "blockers": practical.practical_blockers(enrolment=enrolment)},
    )
