"""Pages of written standard setting: the administrator's (exercises, pass-mark history,
closing, adopting) and the judges' (rating items, Hofstee bounds)."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from exams.models import ExamSettings

from . import charts, selectors, services
from .forms import AdoptForm, CloseForm, ExerciseOpenForm, HofsteeForm


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def standards_home(request, code):
    course = course_selectors.get_course_for_staff(code)
    form = ExerciseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.angoff_exercise_open(
                course=course, title=form.cleaned_data["title"], judges=list(form.cleaned_data["judges"]),
                actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Exercise opened: the judges find it on their dashboard."))
            return redirect("exams:angoff", pk=exercise.pk)
    return render(
        request,
        "exams/standards/home.html",
        {
            "course": course,
            "settings": ExamSettings.objects.filter(course=course).first(),
            "form": form,
            "exercises": selectors.exercises_of_course(course),
            "history": selectors.pass_mark_history(course),
        },
    )


def _plain(percent) -> str:
    """62.50 → "62.5", 55.00 → "55": as a judge would type it."""
    return format(percent.normalize(), "f")


def _posted_ratings(request) -> dict[int, str]:
    ratings = {}
    for name, value in request.POST.items():
        if name.startswith("rating_"):
            try:
                ratings[int(name.removeprefix("rating_"))] = value
            except ValueError:
                continue
    return ratings


@role_required("examiner", "administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def exercise_page(request, pk):
    """A judge rates the items here (a plain form post saves them all; the script saves
    each rating as it changes, through the same post answered in JSON). Nobody sees
    another judge's ratings until the exercise closes."""
    exercise = selectors.get_exercise_for(request.user, pk)
    judge = selectors.is_judge(exercise, request.user)
    wants_json = request.headers.get("Accept") == "application/json"
    errors: dict[str, list[str]] = {}
    posted: dict[int, str] = {}
    if request.method == "POST":
        if not judge:
            raise Http404
        posted = _posted_ratings(request)
        try:
            saved = services.angoff_ratings_save(exercise=exercise, judge=request.user, ratings=posted)
        except ValidationError as error:
            if wants_json:
                return JsonResponse({"ok": False, "error": error.messages[0]}, status=400)
            if getattr(error, "code", "") == "closed":
                messages.warning(request, error.messages[0])
                return redirect("exams:angoff", pk=exercise.pk)
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            if wants_json:
                return JsonResponse({"ok": True, "saved": saved})
            messages.success(request, _("Your ratings are saved."))
            return redirect("exams:angoff", pk=exercise.pk)
    items = selectors.exercise_items(exercise)
    context = {"exercise": exercise, "course": exercise.course, "judge": judge, "items": items}
    if judge:
        mine = {q: _plain(p) for q, p in selectors.ratings_of(exercise, request.user).items()}
        bounds = selectors.hofstee_of(exercise, request.user)
        context.update(
            rows=[(q, posted.get(q.pk, mine.get(q.pk, "")), errors.get(str(q.pk), [])) for q in items],
            form_errors=errors.get("__all__", []),
            rated=len(mine),
            hofstee_form=HofsteeForm(
                initial={f: getattr(bounds, f) for f in ("min_cut", "max_cut", "min_fail", "max_fail")} if bounds
                else None
            ),
        )  # fmt: skip
    if exercise.is_open:
        context["progress"] = selectors.exercise_progress(exercise) if request.user.is_administrator else None
        context["close_form"] = CloseForm()
    else:
        context.update(_result_context(exercise, items))
        if request.user.is_administrator:
            history = selectors.pass_mark_history(exercise.course)
            latest = history.first()
            cut = context["result"].angoff.cut
            context["adopt_form"] = AdoptForm(
                initial={
                    "pass_mark_percent": math.floor(cut + 0.5) if cut is not None else None,
                    "based_on": latest.number if latest else 0,
                    "reason": _("Modified Angoff exercise “%(t)s”") % {"t": exercise.title},
                }
            )
    status = 400 if errors else 200
    return render(request, "exams/standards/exercise.html", context, status=status)


def _result_context(exercise, items) -> dict:
    result = selectors.exercise_result(exercise, items)
    return {
        "result": result,
        "judge_rows": [(result.judge_names.get(j, "?"), cut) for j, cut in result.angoff.judge_cuts.items()],
        "widest": [(result.item_refs.get(s.question_id, "?"), s) for s in result.angoff.widest],
        "chart": charts.hofstee_chart(result.hofstee, angoff_cut=result.angoff.cut),
    }


@role_required("examiner", "administrator")
@require_POST
def exercise_hofstee(request, pk):
    exercise = selectors.get_exercise_for(request.user, pk)
    if not selectors.is_judge(exercise, request.user):
        raise Http404
    form = HofsteeForm(request.POST)
    if form.is_valid():
        try:
            services.hofstee_save(exercise=exercise, judge=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Your Hofstee answers are saved."))
            return redirect("exams:angoff", pk=exercise.pk)
    items = selectors.exercise_items(exercise)
    mine = {q: _plain(p) for q, p in selectors.ratings_of(exercise, request.user).items()}
    context = {
        "exercise": exercise, "course": exercise.course, "judge": True, "items": items,
        "rows": [(q, mine.get(q.pk, ""), []) for q in items], "rated": len(mine), "hofstee_form": form,
        "close_form": CloseForm(),
        "progress": selectors.exercise_progress(exercise) if request.user.is_administrator else None,
    }  # fmt: skip
    return render(request, "exams/standards/exercise.html", context, status=400)


@role_required("administrator")
@require_POST
def exercise_close(request, pk):
    exercise = selectors.get_exercise_for(request.user, pk)
    if not CloseForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm closing the exercise."))
        return redirect("exams:angoff", pk=exercise.pk)
    try:
        services.angoff_exercise_close(exercise=exercise, actor=request.user)
    except ValidationError as error:
        messages.warning(request, error.messages[0])
    else:
        messages.success(request, _("Exercise closed: the result is below."))
    return redirect("exams:angoff", pk=exercise.pk)


@role_required("administrator")
@require_POST
def exercise_adopt(request, pk):
    exercise = selectors.get_exercise_for(request.user, pk)
    form = AdoptForm(request.POST)
    if form.is_valid():
        items = selectors.exercise_items(exercise)
        cut = selectors.exercise_result(exercise, items).angoff.cut if not exercise.is_open else None
        try:
            version = services.written_pass_mark_adopt(
                course=exercise.course, percent=form.cleaned_data["pass_mark_percent"],
                reason=form.cleaned_data["reason"], actor=request.user, based_on=form.cleaned_data["based_on"],
                exercise=exercise, cut_score=round(cut, 3) if cut is not None else None,
            )  # fmt: skip
        except ValidationError as error:
            if getattr(error, "code", "") == "unchanged" or not hasattr(error, "error_dict"):
                for message in error.messages:
                    messages.warning(request, message)
                return redirect("exams:angoff", pk=exercise.pk)
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The written pass mark is %(p)s%% for attempts started from now on (version %(n)s).")
                % {"p": version.pass_mark_percent, "n": version.number},
            )
            return redirect("exams:standards", code=exercise.course.code)
    items = selectors.exercise_items(exercise)
    context = {"exercise": exercise, "course": exercise.course, "judge": False, "items": items, "adopt_form": form}
    if not exercise.is_open:
        context.update(_result_context(exercise, items))
    return render(request, "exams/standards/exercise.html", context, status=400)
