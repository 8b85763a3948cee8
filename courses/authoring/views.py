"""The authoring pages. Administrators and instructors reach them (others 403); a course
an instructor does not teach answers 404 (selectors.get_course_for_author)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.confirm import confirmation_page, is_confirmed
from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import services as course_services
from courses.models import Course, CourseRun, Lesson, Module

from . import selectors, services
from .forms import CourseContentForm, CourseForm, CourseRunForm, LessonForm, LessonImageForm, ModuleForm

AUTHORS = ("administrator", "instructor")


def _course_url(course: Course) -> str:
    return reverse("courses:author_course", args=[course.code])


@role_required(*AUTHORS)
@require_safe
def course_list(request):
    courses = selectors.course_list_for_author(request.user)
    return render(
        request,
        "courses/authoring/course_list.html",
        {"courses": courses, "can_create": selectors.can_edit_settings(request.user)},
    )


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def course_create(request):
    return _course_form(request, Course(status=Course.Status.DRAFT))


@role_required(*AUTHORS)
@require_http_methods(["GET", "HEAD", "POST"])
def course_edit(request, code):
    return _course_form(request, selectors.get_course_for_author(request.user, code))


def _course_form(request, course: Course):
    form_class = CourseForm if selectors.can_edit_settings(request.user) else CourseContentForm
    form = form_class(request.POST or None, request.FILES or None, instance=course, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save(commit=False)
            course_services.course_save(course=saved, actor=request.user)
            form.save_m2m()
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(course)s.") % {"course": saved.title})
            return redirect("courses:author_course", code=saved.code)
    context = {"form": form, "course": course, "full": form_class is CourseForm}
    if course.pk:
        context["modules"] = selectors.course_outline(course)
        context["image_rows"] = selectors.course_image_rows(course)
        context["image_form"] = LessonImageForm()
    return render(request, "courses/authoring/course_form.html", context)


@role_required(*AUTHORS)
@require_http_methods(["GET", "HEAD", "POST"])
def module_edit(request, code, module_id=None):
    course = selectors.get_course_for_author(request.user, code)
    module = selectors.get_module(course, module_id) if module_id else Module(course=course)
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_save(module=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved module “%(title)s”.") % {"title": module.title})
            return redirect(_course_url(course) + "#outline")
    return render(request, "courses/authoring/module_form.html", {"form": form, "course": course, "module": module})


@role_required(*AUTHORS)
@require_POST
def module_delete(request, code, module_id):
    course = selectors.get_course_for_author(request.user, code)
    module = selectors.get_module(course, module_id)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Delete the module “%(title)s”?") % {"title": module.title},
            consequence=module_delete_consequence(module),
            confirm_label=_("Delete the module"),
            cancel_url=_course_url(course) + "#outline",
        )
    services.module_delete(module=module, actor=request.user)
    messages.success(request, _("Deleted module “%(title)s”.") % {"title": module.title})
    return redirect(_course_url(course) + "#outline")


def module_delete_consequence(module: Module) -> str:
    count = module.lessons.count()
    return ngettext(
        "The module and its %(count)s lesson are deleted, with trainees' completions of it. This cannot be undone.",
        "The module and its %(count)s lessons are deleted, with trainees' completions of them. This cannot be undone.",
        count,
    ) % {"count": count}


@role_required(*AUTHORS)
@require_http_methods(["GET", "HEAD", "POST"])
def lesson_edit(request, code, module_id=None, lesson_id=None):
    course = selectors.get_course_for_author(request.user, code)
    if lesson_id:
        lesson = selectors.get_lesson(course, lesson_id)
    else:
        lesson = Lesson(module=selectors.get_module(course, module_id))
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_save(lesson=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved lesson “%(title)s”.") % {"title": lesson.title})
            if "save_continue" in request.POST:
                return redirect("courses:author_lesson", code=course.code, lesson_id=lesson.pk)
            return redirect(_course_url(course) + "#outline")
    image_rows = selectors.course_image_rows(course)
    images = [image for image, _lessons in image_rows]
    return render(
        request,
        "courses/authoring/lesson_form.html",
        {
            "form": form,
            "course": course,
            "lesson": lesson,
            "image_rows": image_rows,
            "image_choices": [
                {"src": reverse("courses:lesson_image", args=[course.code, image.pk]), "alt": image.alt_text}
                for image in images
            ],
            "image_form": LessonImageForm(),
        },
    )


@role_required(*AUTHORS)
@require_POST
def lesson_delete(request, code, lesson_id):
    course = selectors.get_course_for_author(request.user, code)
    lesson = selectors.get_lesson(course, lesson_id)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Delete the lesson “%(title)s”?") % {"title": lesson.title},
            consequence=lesson_delete_consequence(lesson),
            confirm_label=_("Delete the lesson"),
            cancel_url=_course_url(course) + "#outline",
        )
    services.lesson_delete(lesson=lesson, actor=request.user)
    messages.success(request, _("Deleted lesson “%(title)s”.") % {"title": lesson.title})
    return redirect(_course_url(course) + "#outline")


def lesson_delete_consequence(lesson: Lesson) -> str:
    count = lesson.completions.count()
    return ngettext(
        "The lesson is deleted, with %(count)s trainee completion of it. This cannot be undone.",
        "The lesson is deleted, with %(count)s trainee completions of it. This cannot be undone.",
        count,
    ) % {"count": count}


def _ids(request) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist("ids")]
    except ValueError:
        return []


MSG_DIRECTION = gettext_lazy("Choose to move the item up or down.")


def _moved(request, current: list[int], item_id: int) -> list[int] | None:
    """The order after an Up or Down button; None for a post that is neither."""
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return None
    return services.moved(current, item_id, direction)


def _reorder_response(request, course: Course, error: ValidationError | None):
    """A script (drag and drop) gets 204 or 400 with the message; a form post is sent back
    to the course page with the message."""
    scripted = request.headers.get("X-Requested-With") == "fetch"
    if error is not None:
        if scripted:
            return HttpResponse(error.messages[0], status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, error.messages[0])
    elif not scripted:
        messages.success(request, _("Order saved."))
    if scripted:
        return HttpResponse(status=204)
    return redirect(_course_url(course) + "#outline")


@role_required(*AUTHORS)
@require_POST
def module_move(request, code, module_id):
    """Move up/down buttons (no script needed), or the whole order (``ids``) from a drag."""
    course = selectors.get_course_for_author(request.user, code)
    module = selectors.get_module(course, module_id)
    current = list(Module.objects.filter(course=course).order_by("position", "id").values_list("pk", flat=True))
    ids = _ids(request) if "ids" in request.POST else _moved(request, current, module.pk)
    if ids is None:
        return _reorder_response(request, course, ValidationError(MSG_DIRECTION))
    try:
        services.modules_reorder(course=course, ids=ids, actor=request.user)
    except ValidationError as error:
        return _reorder_response(request, course, error)
    return _reorder_response(request, course, None)


@role_required(*AUTHORS)
@require_POST
def lesson_move(request, code, lesson_id):
    course = selectors.get_course_for_author(request.user, code)
    lesson = selectors.get_lesson(course, lesson_id)
    current = list(Lesson.objects.filter(module=lesson.module).order_by("position", "id").values_list("pk", flat=True))
    ids = _ids(request) if "ids" in request.POST else _moved(request, current, lesson.pk)
    if ids is None:
        return _reorder_response(request, course, ValidationError(MSG_DIRECTION))
    try:
        services.lessons_reorder(module=lesson.module, ids=ids, actor=request.user)
    except ValidationError as error:
        return _reorder_response(request, course, error)
    return _reorder_response(request, course, None)


@role_required(*AUTHORS)
@require_POST
def image_upload(request, code):
    course = selectors.get_course_for_author(request.user, code)
    form = LessonImageForm(request.POST, request.FILES, request=request)
    back = _images_back(request, course)
    if form.is_valid():
        try:
            services.lesson_image_add(
                course=course, upload=form.cleaned_data["upload"], alt_text=form.cleaned_data["alt_text"],
                actor=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Image uploaded: it is in the editor's image list."))
            return redirect(back)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}".lstrip(": "))
    return redirect(back)


# Runs (cohorts): administrators create, change and cancel them; the course's instructors
# see the list and each run's roster. ----------------------------------------------------


def _runs_url(course: Course) -> str:
    return reverse("courses:author_runs", args=[course.code])


@role_required(*AUTHORS)
@require_safe
def run_list(request, code):
    course = selectors.get_course_for_author(request.user, code)
    return render(
        request,
        "courses/authoring/run_list.html",
        {
            "course": course,
            "runs": selectors.run_list_for_course(course),
            "can_edit": selectors.can_edit_settings(request.user),
        },
    )


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def run_edit(request, code, run_id=None):
    course = selectors.get_course_for_author(request.user, code)
    run = selectors.get_run(course, run_id) if run_id else CourseRun(course=course)
    form = CourseRunForm(request.POST or None, instance=run)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.run_save(run=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved the run “%(title)s”.") % {"title": saved.title})
            return redirect(_runs_url(course))
    return render(request, "courses/authoring/run_form.html", {"form": form, "course": course, "run": run})


def run_cancel_consequence(run: CourseRun) -> str:
    return ngettext(
        "%(count)s trainee is enrolled on it. They stay enrolled and nothing is deleted, but the run takes no "
        "more enrolments; tell them what happens next.",
        "%(count)s trainees are enrolled on it. They stay enrolled and nothing is deleted, but the run takes no "
        "more enrolments; tell them what happens next.",
        run.places_taken,
    ) % {"count": run.places_taken}


@role_required("administrator")
@require_POST
def run_cancel(request, code, run_id):
    course = selectors.get_course_for_author(request.user, code)
    run = selectors.get_run(course, run_id)
    # Only a run with trainees on it needs asking: cancelling an empty one leaves no one behind.
    if run.places_taken and not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Cancel the run “%(title)s”?") % {"title": run.title},
            consequence=run_cancel_consequence(run),
            confirm_label=_("Cancel the run"),
            cancel_url=_runs_url(course),
        )
    try:
        services.run_cancel(run=run, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Cancelled the run “%(title)s”.") % {"title": run.title})
    return redirect(_runs_url(course))


@role_required(*AUTHORS)
@require_safe
def run_roster(request, code, run_id):
    course = selectors.get_course_for_author(request.user, code)
    run = selectors.get_run(course, run_id)
    return render(
        request,
        "courses/authoring/run_roster.html",
        {"course": course, "run": run, "enrolments": selectors.run_roster(run)},
    )


def _images_back(request, course: Course) -> str:
    """Where an image form returns: the authoring page it was sent from (``next``), or the
    course's; never elsewhere."""
    back = request.POST.get("next", "")
    if not back.startswith(_course_url(course)):
        back = _course_url(course)
    return back + "#images"


@role_required(*AUTHORS)
@require_POST
def image_delete(request, code, image_id):
    """Refused (naming the lessons) while a lesson shows the image; asks first otherwise."""
    course = selectors.get_course_for_author(request.user, code)
    image = selectors.get_image(course, image_id)
    back = _images_back(request, course)
    using = selectors.lessons_showing([image], course)[image.pk]
    if using:
        messages.error(request, services.image_in_use_message(image, [lesson.title for lesson in using]))
        return redirect(back)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Delete the image “%(image)s”?") % {"image": image.alt_text},
            consequence=_("No lesson shows it. The image and its file are deleted; this cannot be undone."),
            confirm_label=_("Delete the image"),
            cancel_url=back,
        )
    try:
        services.lesson_image_delete(image=image, actor=request.user)
    except ValidationError as error:  # a lesson took it up meanwhile
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Deleted the image “%(image)s”.") % {"image": image.alt_text})
    return redirect(back)
