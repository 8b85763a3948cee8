"""Pages of the practical exam: the administrator's (scheduling, standard setting), the
examiner's (scoring a station) and the trainee's (results)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.confirm import confirmation_page, is_confirmed
from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from exams.models import StationScore
from exams.selectors import get_active_enrolment

from . import charts, selectors, services, standard_setting
from .forms import AdoptPassMarkForm, CancelForm, RescheduleForm, ScheduleForm, ScoreForm


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
def assessment_manage(request, pk):
    """An assessment as the administrator sees it: stations, examiners, whose marks are
    in; while scheduled, move it (reschedule) or cancel it, each with a reason."""
    assessment = selectors.get_assessment_for_admin(pk)
    action = request.POST.get("action") if request.method == "POST" else None
    local = timezone.localtime(assessment.scheduled_at)
    reschedule = RescheduleForm(
        request.POST if action == "reschedule" else None,
        initial={"scheduled_at": local.replace(tzinfo=None), "place": assessment.place},
    )
    cancel = CancelForm(request.POST if action == "cancel" else None, prefix="cancel")
    form = reschedule if action == "reschedule" else cancel if action == "cancel" else None
    if form is not None and form.is_valid():
        try:
            if action == "reschedule":
                services.assessment_reschedule(assessment=assessment, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Assessment moved; the candidate and the examiners have been emailed."))
            else:
                services.assessment_cancel(assessment=assessment, reason=form.cleaned_data["reason"],
                                           actor=request.user)  # fmt: skip
                messages.success(request, _("Assessment cancelled; the candidate and the examiners have been emailed."))
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("exams:assessment_manage", pk=assessment.pk)
    return render(
        request,
        "exams/practical/assessment.html",
        {"assessment": assessment, "course": assessment.enrolment.course, "reschedule_form": reschedule,
         "cancel_form": cancel, "marks": selectors.marks_status(assessment)},
        status=400 if form is not None and form.errors else 200,
    )  # fmt: skip


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


def _entered(form, score, criteria) -> dict[str, int]:
    """{criterion id: points} as the page shows them: what was just posted, else the
    saved draft."""
    if form.is_bound:
        entered = {}
        for c in criteria:
            value = form.data.get(f"criterion_{c.pk}", "")
            if str(value).isdigit() and int(value) <= c.points:
                entered[str(c.pk)] = int(value)
        return entered
    return {k: int(float(v)) for k, v in (score.points if score else {}).items() if v is not None}


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
        if submit and not is_confirmed(request):
            total = sum(int(v) for v in form.points().values() if v not in (None, ""))
            maximum = sum(c.points for c in criteria)
            return confirmation_page(
                request,
                title=_("Submit your marks for %(station)s as final?") % {"station": rubric.station.title},
                consequence=_(
                    "%(total)s of %(maximum)s points (pass mark %(pass)s), global grade %(grade)s. Submitted marks "
                    "cannot be changed; the next station opens."
                )
                % {
                    "total": total,
                    "maximum": maximum,
                    "pass": f"{rubric.pass_mark.normalize():f}",
                    "grade": dict(form.fields["global_grade"].choices).get(form.cleaned_data["global_grade"], "—"),
                },
                confirm_label=_("Submit final marks"),
                cancel_url=request.path,
            )
        try:
            services.score_save(
                assessment=assessment, rubric_id=rubric.pk, examiner=request.user, points=form.points(),
                global_grade=form.cleaned_data["global_grade"], comments=form.cleaned_data["comments"], submit=submit,
            )  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if not submit:
                messages.success(request, _("Draft saved."))
                return redirect(request.path)
            following = selectors.next_station_to_score(assessment=assessment, examiner=request.user, after=rubric)
            if following is None:
                messages.success(
                    request, _("Marks submitted; they are final. Every station of this assessment is done.")
                )
                return redirect("accounts:examiner_dashboard")
            messages.success(
                request, _("Marks submitted; they are final. Next station: %(s)s.") % {"s": following.station.title}
            )
            return redirect("exams:score_station", pk=assessment.pk, rubric_id=following.pk)
    entered = _entered(form, score, criteria)
    maximum = sum(c.points for c in criteria)
    return render(
        request,
        "exams/practical/score_station.html",
        {"assessment": assessment, "rubric": rubric, "form": form, "final": final, "score": score,
         "maximum": maximum, "running_total": sum(entered.values()),
         "unscored": [c for c in criteria if str(c.pk) not in entered]},
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
