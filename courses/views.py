import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.selectors import licence_list_for_holder
from certification.selectors import course_pathway, trainee_journeys
from core.confirm import confirmation_page, is_confirmed
from core.forms_utils import form_add_service_errors
from core.permissions import role_required

from . import selectors, services
from .forms import CatalogueFilterForm, RunChoiceForm
from .handson import selectors as handson_selectors
from .models import Enrolment

_LESSON_ID = re.compile(r"[0-9]{1,18}")
MSG_WITHDRAW_CONSEQUENCE = gettext_lazy(
    "Your seat is released to the next trainee at once. Your completed lessons and signed cases are kept, "
    "and you can enrol again while the course has free seats."
)


@role_required("trainee")
@require_safe
def my_courses(request):
    """Every course the trainee is or was enrolled in, with where they stand and the way
    back in. One query."""
    enrolments = selectors.enrolment_list_for_trainee(user=request.user, include_withdrawn=True)
    return render(request, "courses/my_courses.html", {"enrolments": enrolments})


@require_safe
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None, bodies=selectors.accrediting_bodies())
    filters = form.cleaned_data if form.is_valid() else {}
    courses = selectors.course_list_published(
        query=filters.get("q", ""),
        profession=filters.get("profession", ""),
        accrediting_body=filters.get("body", ""),
        min_credits=filters.get("min_credits"),
    )
    page = Paginator(courses, 12).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "courses/catalogue.html", {"form": form, "page": page, "query": query.urlencode()})


@require_safe
def course_detail(request, code):
    course = selectors.get_course_for(request.user, code)
    return _course_page(request, course, RunChoiceForm())


def _course_page(request, course, run_form: RunChoiceForm, status: int = 200):
    """The course page; ``run_form`` carries the run chosen and its errors after a
    refused enrolment."""
    enrolment = selectors.enrolment_for(request.user, course)
    active = enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE
    runs = selectors.run_list_open(course)
    context = {
        "withdraw_consequence": MSG_WITHDRAW_CONSEQUENCE,
        "course": course,
        "requirement_areas": handson_selectors.requirement_areas(course),
        "requirement_types": handson_selectors.requirement_types(course),
        "modules": selectors.course_syllabus(course),
        "enrolment": enrolment if active else None,
        "seats_left": max(course.capacity - course.seats_taken, 0),
        "runs": runs,
        "run_form": run_form,
        "blockers": [],
        "pathway": None,
    }
    user = request.user
    if user.is_authenticated and user.is_trainee:
        licences = list(licence_list_for_holder(user=user))
        if active:
            annotated = [e for e in selectors.enrolment_list_for_trainee(user=user) if e.pk == enrolment.pk]
            ((context["enrolment"], context["pathway"]),) = trainee_journeys(
                user=user, enrolments=annotated, licences=licences
            )
        else:
            blockers = services.enrolment_blockers(
                trainee=user, course=course, active_count=course.seats_taken, has_open_runs=bool(runs)
            )
            # The run is chosen on this page: that rule is the form's, not a blocker to list.
            context["blockers"] = [b for b in blockers if b.field != "run"]
            # Each run that cannot take an enrolment says why (full, closed) beside it.
            for run in runs:
                found = services.run_blockers(run=run, course=course, taken=run.places_taken)
                run.unavailable = found[0].message if found else ""
            context["pathway"] = course_pathway(user=user, course=course, licences=licences)
    return render(request, "courses/course_detail.html", context, status=status)


@role_required("trainee")
@require_POST
def enrol(request, code):
    course = selectors.get_course_for(request.user, code)
    form = RunChoiceForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_create(trainee=request.user, course=course, run=form.cleaned_data["run"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the enrolment as a whole: said at the top, as before
                for message in error.messages:
                    messages.error(request, message)
                return redirect("courses:detail", code=course.code)
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
            return redirect("courses:learn", code=course.code)
    # A run rule failed (or the run posted does not exist): the page again, with the
    # message at the run choice.
    return _course_page(request, course, form, status=400)


@role_required("trainee")
@require_POST
def withdraw(request, code):
    course = selectors.get_course_for(request.user, code)
    enrolment = selectors.enrolment_for(request.user, course)
    if enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE and not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Withdraw from %(course)s?") % {"course": course.title},
            consequence=str(MSG_WITHDRAW_CONSEQUENCE),
            confirm_label=_("Withdraw"),
            cancel_url=reverse("courses:detail", args=[course.code]),
        )
    try:
        services.enrolment_withdraw(trainee=request.user, course=course)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("You have withdrawn from %(course)s. Your progress is kept.") % {"course": course.title},
        )
    return redirect("courses:detail", code=course.code)


@login_required
@require_safe
def learn(request, code):
    """Resume where the trainee left off: the last lesson opened, else the first not done."""
    course = selectors.get_course_for(request.user, code)
    enrolment = selectors.enrolment_for(request.user, course)
    sequence = selectors.lesson_sequence(course)
    if not sequence:
        raise Http404
    if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
        if not selectors.course_can_manage(request.user, course):
            raise Http404
        return redirect("courses:lesson", code=code, lesson_id=sequence[0][0])
    done = selectors.completed_lesson_ids(enrolment)
    if enrolment.last_lesson_id and enrolment.last_lesson_id not in done:
        target = enrolment.last_lesson_id
    else:
        target = next((pk for pk, _title in sequence if pk not in done), sequence[0][0])
    return redirect("courses:lesson", code=code, lesson_id=target)


@login_required
@require_safe
def lesson(request, code, lesson_id):
    course = selectors.get_course_for(request.user, code)
    lesson, enrolment = selectors.get_lesson_for(request.user, course, lesson_id)
    sequence = selectors.lesson_sequence(course)
    ids = [pk for pk, _title in sequence]
    index = ids.index(lesson.pk)
    done = selectors.completed_lesson_ids(enrolment) if enrolment else set()
    if enrolment:
        services.lesson_open(enrolment=enrolment, lesson=lesson)
    return render(
        request,
        "courses/lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "enrolment": enrolment,
            "modules": selectors.course_syllabus(course),
            "done": done,
            "is_done": lesson.pk in done,
            "previous_id": ids[index - 1] if index > 0 else None,
            "next_id": ids[index + 1] if index + 1 < len(ids) else None,
            "lessons_done": len(done),
            "lesson_total": len(ids),
            "lessons_left": len(set(ids) - done),
        },
    )


@role_required("trainee")
@require_POST
def lesson_complete(request, code, lesson_id):
    course = selectors.get_course_for(request.user, code)
    lesson, enrolment = selectors.get_lesson_for(request.user, course, lesson_id)
    if enrolment is None:
        raise Http404
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    # The next lesson's id as the page wrote it: ASCII digits only (``str.isdigit`` is
    # true for "²", which ``int`` refuses, and ``int`` reads "١" or 5,000 digits); any
    # other value is treated as absent.
    following = request.POST.get("next", "")
    ids = [pk for pk, _title in selectors.lesson_sequence(course)]
    if _LESSON_ID.fullmatch(following) and int(following) in ids:
        return redirect("courses:lesson", code=code, lesson_id=int(following))
    messages.success(request, _("Lesson complete."))
    return redirect("courses:lesson", code=code, lesson_id=lesson.pk)


@login_required
@require_safe
def lesson_image(request, code, image_id):
    image = selectors.get_lesson_image_for(request.user, code, image_id)
    try:
        handle = image.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@role_required("instructor", "administrator")
@require_safe
def roster(request, code):
    course = selectors.get_taught_course_for(request.user, code)
    roster = selectors.course_roster(course=course)
    statuses = handson_selectors.requirement_status_by_enrolment(course=course, enrolments=roster)
    rows = [(e, statuses[e.pk]) for e in roster]
    return render(request, "courses/roster.html", {"course": course, "rows": rows})
