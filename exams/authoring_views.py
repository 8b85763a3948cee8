"""The exam settings page (exams.authoring): administrators for every course, a course's
instructors for theirs (without the pass mark); others 403, others' courses 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses.authoring.selectors import can_edit_settings, get_course_for_author

from .authoring import ExamSettingsForm, bank_availability, exam_settings_save
from .models import ExamSettings


@role_required("administrator", "instructor")
@require_http_methods(["GET", "HEAD", "POST"])
def exam_settings_edit(request, code):
    course = get_course_for_author(request.user, code)
    settings = ExamSettings.objects.filter(course=course).first() or ExamSettings(course=course)
    available, cases = bank_availability(course)
    form = ExamSettingsForm(
        request.POST or None,
        instance=settings,
        available=available,
        cases_available=cases,
        may_set_pass_mark=can_edit_settings(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            exam_settings_save(settings=form.save(commit=False), blueprint=form.blueprint(), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved the exam settings of %(course)s.") % {"course": course.title})
            return redirect("exams:settings", code=course.code)
    return render(
        request,
        "exams/settings_form.html",
        {"form": form, "course": course, "settings": settings, "cases_available": cases},
    )
