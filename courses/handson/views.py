"""The hands-on training log's pages: the instructors' session list, the session form
(record, edit a draft, amend), sign-off, the session page with the trainee's
reflection, and the trainee's logbook (HTML and PDF)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors
from courses.models import InjectionSession

from . import face_sites, mentor_selectors, selectors, services
from .forms import UNIT_PREFIX, AmendmentForm, ReflectionForm, SessionForm


def _chart(units, *, editable, errors=None):
    context = face_sites.chart_context(units, editable=editable, field_prefix=UNIT_PREFIX, translate=_)
    context["unit_errors"] = errors or {}
    return context


def _unit_errors(form):
    return {name[len(UNIT_PREFIX) :]: errors for name, errors in form.errors.items() if name.startswith(UNIT_PREFIX)}


def _session_form_response(request, template, form, context, status=200):
    units = form.typed_units() if form.is_bound else {
        k[len(UNIT_PREFIX) :]: v for k, v in form.initial.items() if k.startswith(UNIT_PREFIX) and v
    }  # fmt: skip
    context.update(
        {
            "form": form,
            "chart": _chart(units, editable=True, errors=_unit_errors(form)),
            "concentration": _concentration(form),
        }
    )
    return render(request, template, context, status=status)


def _concentration(form) -> dict:
    source = form.data if form.is_bound else form.initial
    try:
        vial = Decimal(str(source.get("vial_units") or 100))
        ml = Decimal(str(source.get("diluent_ml") or "2.5"))
        return {"vial": vial, "ml": ml, "per": services.units_per_01ml(vial, ml)}
    except (InvalidOperation, ZeroDivisionError, ArithmeticError):
        return {"vial": Decimal(100), "ml": Decimal("2.5"), "per": Decimal(4)}


@role_required("instructor")
def session_list(request, code):
    course = course_selectors.get_taught_course_for(request.user, code)
    sessions = selectors.session_list_for_course(course=course)
    return render(request, "courses/handson/session_list.html", {"course": course, "sessions": sessions})


@role_required("instructor")
def session_create(request, code):
    course = course_selectors.get_taught_course_for(request.user, code)
    enrolments = course_selectors.enrolment_list_active(course=course)
    form = SessionForm(request.POST or None, enrolments=enrolments, initial={"enrolment": request.GET.get("enrolment")})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_save_draft(
                enrolment=form.cleaned_data["enrolment"],
                instructor=request.user,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Session saved as a draft. Review it, then sign it off."))
            return redirect("courses:session_detail", pk=session.pk)
    return _session_form_response(request, "courses/handson/session_form.html", form, {"course": course})


@role_required("instructor")
def session_edit(request, pk):
    session = selectors.get_supervised_session_for(request.user, pk)
    course = session.enrolment.course
    if session.is_locked:
        messages.error(request, services.MSG_LOCKED)
        return redirect("courses:session_detail", pk=session.pk)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_from(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_save_draft(
                enrolment=session.enrolment,
                instructor=request.user,
                **form.service_kwargs(),
                session=session,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Draft updated."))
            return redirect("courses:session_detail", pk=session.pk)
    return _session_form_response(
        request, "courses/handson/session_form.html", form, {"course": course, "session": session}
    )


@role_required("instructor")
@require_POST
def session_sign(request, pk):
    session = selectors.get_session_for(request.user, pk)
    try:
        services.session_sign(session_id=session.pk, instructor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Session signed. It is now locked."))
    return redirect("courses:session_detail", pk=session.pk)


@role_required("instructor")
def session_amend(request, pk):
    original = selectors.get_supervised_session_for(request.user, pk)
    course = original.enrolment.course
    if original.status != InjectionSession.Status.SIGNED:
        messages.error(request, services.MSG_NOT_SIGNED)
        return redirect("courses:session_detail", pk=original.pk)
    form = AmendmentForm(request.POST or None, initial=SessionForm.initial_from(original))
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.session_amend(
                original_id=original.pk,
                instructor=request.user,
                reason=form.cleaned_data["amendment_reason"],
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Amendment signed; the original is kept and marked superseded."))
            return redirect("courses:session_detail", pk=amendment.pk)
    return _session_form_response(
        request,
        "courses/handson/session_form.html",
        form,
        {"course": course, "session": original, "amending": True},
    )


def _render_session(request, session, *, reflection_form=None, status=200):
    is_owner = session.enrolment.trainee_id == request.user.pk
    if reflection_form is None and is_owner and session.status == InjectionSession.Status.SIGNED:
        reflection_form = ReflectionForm(initial={"reflection": session.reflection})
    return render(
        request,
        "courses/handson/session_detail.html",
        {
            "session": session,
            "course": session.enrolment.course,
            "chart": _chart({s.site_code: s.units for s in session.sites.all()}, editable=False),
            "is_owner": is_owner,
            "can_sign": request.user.is_instructor
            and not session.is_mentor_case
            and course_selectors.course_is_taught_by(session.enrolment.course, request.user),
            "reflection_form": reflection_form,
        },
        status=status,
    )


@login_required
def session_detail(request, pk):
    return _render_session(request, selectors.get_session_for(request.user, pk))


@role_required("trainee")
@require_POST
def session_reflect(request, pk):
    session = selectors.get_own_session_for(request.user, pk)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.session_reflect(session=session, trainee=request.user, text=form.cleaned_data["reflection"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Your reflection is saved."))
            return redirect("courses:session_detail", pk=session.pk)
    return _render_session(request, session, reflection_form=form, status=400)


def _logbook_context(request, code) -> dict:
    logbook = selectors.get_logbook_for(request.user, code)
    return {
        "course": logbook.course,
        "enrolment": logbook.enrolment,
        "rows": logbook.rows,
        "status": logbook.status,
        "trainee": request.user,
    }


@role_required("trainee")
def logbook(request, code):
    context = _logbook_context(request, code)
    context["mentor_cases"] = mentor_selectors.mentor_cases_in_progress(enrolment=context["enrolment"])
    return render(request, "courses/handson/logbook.html", context)


@role_required("trainee")
def logbook_pdf(request, code):
    from core.pdf import render_pdf

    context = _logbook_context(request, code)
    context["charts"] = [
        (s, _chart({x.site_code: x.units for x in s.sites.all()}, editable=False)) for s, _t, _u in context["rows"]
    ]
    html = render_to_string("courses/handson/logbook_pdf.html", context, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="logbook-{context["course"].code}.pdf"'
    return response
