"""Pages of the practical exam: the administrator's (scheduling, standard setting), the
examiner's (scoring a station) and the trainee's (results)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from exams.models import StationScore
from exams.selectors import get_active_enrolment

from . import charts, selectors, services, standard_setting
from .forms import AdoptPassMarkForm, ScheduleForm, ScoreForm


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def practical_admin(request, code):
    course = course_selectors.get_course_for_staff(code)
    form = ScheduleForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_schedule(
                enrolment=data["enrolment"], scheduled_at=data["scheduled_at"], place=data["place"],
                stations=list(data["stations"]), examiners=list(data["examiners"]), actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Assessment scheduled; the trainee has been told."))
            return redirect("exams:practical_admin", code=code)
    return render(
        request,
        "exams/practical/admin.html",
        {
            "course": course,
            "exam": selectors.practical_exam_of(course),
            "form": form,
            "assessments": selectors.assessments_of_course(course),
            "stations": selectors.stations_of_course(course),
        },
    )


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def standard_setting_page(request, station_id):
    station = selectors.get_station(station_id)
    current = selectors.current_rubric(station)
    if current is None:
        messages.error(request, str(standard_setting.MSG_NO_RUBRIC).format(station=station))
        return redirect("exams:practical_admin", code=station.practical.course.code)
    regression = standard_setting.borderline_regression(station=station)
    suggested = round(regression.suggested_pass_mark, 2) if regression else None
    form = AdoptPassMarkForm(request.POST or None, initial={"pass_mark": suggested, "based_on": current.number})
    if request.method == "POST" and form.is_valid():
        try:
            version = standard_setting.rubric_adopt_pass_mark(
                station=station, pass_mark=form.cleaned_data["pass_mark"], actor=request.user,
                based_on=form.cleaned_data["based_on"],
            )  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                messages.warning(request, message)
        else:
            messages.success(
                request,
                _("Version %(n)s of the rubric uses the new pass mark for future assessments.") % {"n": version.number},
            )
        return redirect("exams:standard_setting", station_id=station.pk)
    maximum = sum(c.points for c in current.criteria.all())
    return render(
        request,
        "exams/practical/standard_setting.html",
        {"station": station, "current": current, "regression": regression, "suggested": suggested, "form": form,
         "chart": charts.regression_chart(regression, current=current, maximum=maximum),
         "minimum": standard_setting.MIN_RESULTS},
    )  # fmt: skip


@role_required("examiner")
@require_http_methods(["GET", "HEAD", "POST"])
def score_station(request, pk, rubric_id):
    assessment = selectors.get_assessment_for_examiner(request.user, pk)
    rubric = selectors.get_rubric_of_assessment(assessment, rubric_id)
    criteria = list(rubric.criteria.all())
    score = selectors.station_score_of(assessment=assessment, rubric=rubric, examiner=request.user)
    initial = {}
    if score:
        initial = {f"criterion_{k}": v for k, v in score.points.items()}
        initial.update(global_grade=score.global_grade, comments=score.comments)
    final = score is not None and score.status == StationScore.Status.SUBMITTED
    form = ScoreForm(None if final else request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and not final and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.score_save(
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
        "exams/practical/score_station.html",
        {"assessment": assessment, "rubric": rubric, "form": form, "final": final, "score": score,
         "maximum": sum(c.points for c in criteria)},
    )  # fmt: skip


@role_required("trainee")
@require_safe
def practical_trainee(request, code):
    course = course_selectors.get_course_for(request.user, code)
    enrolment = get_active_enrolment(request.user, course)
    return render(
        request,
        "exams/practical/trainee.html",
        {
            "course": course,
            "results": selectors.practical_results_for(enrolment=enrolment),
            "blockers": services.practical_blockers(enrolment=enrolment),
        },
    )
