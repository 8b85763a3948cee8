"""The hands-on training log's pages: the instructors' session list, the session form
(record, edit a draft, amend), sign-off, the session page with the trainee's
reflection, and the trainee's logbook (HTML, and the PDF a worker renders: see
``logbook_pdf``)."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from core import ratelimit
from core.confirm import confirmation_page, is_confirmed
from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from core.storage import private_storage
from courses import selectors as course_selectors
from courses.models import InjectionSession

from . import face_sites, mentor_selectors, selectors, services
from . import logbook_pdf as logbook_pdf_service
from .consultation_views import case_context
from .forms import UNIT_PREFIX, AmendmentForm, ReflectionForm, SessionForm


def _chart(units, *, product, products=None, editable, errors=None):
    context = face_sites.chart_context(
        units, product=product, products=products, editable=editable, field_prefix=UNIT_PREFIX, translate=_
    )
    context["unit_errors"] = errors or {}
    return context


def _form_products(form) -> tuple[face_sites.ProductLabel, list[face_sites.ProductLabel]]:
    """The product the form's chart checks against (the one chosen, else the first in the
    list) and every product the select offers, for the live warnings."""
    labels = selectors.product_labels(form.fields["product"].queryset)
    chosen = form.selected_product_code()
    selected = next((p for p in labels if p.code == chosen), labels[0] if labels else None)
    return selected or face_sites.ProductLabel(code="", name=_("no product")), labels


def _unit_errors(form):
    return {name[len(UNIT_PREFIX) :]: errors for name, errors in form.errors.items() if name.startswith(UNIT_PREFIX)}


def _session_form_response(request, template, form, context, status=200):
    units = form.typed_units() if form.is_bound else {
        k[len(UNIT_PREFIX) :]: v for k, v in form.initial.items() if k.startswith(UNIT_PREFIX) and v
    }  # fmt: skip
    product, products = _form_products(form)
    session = context.get("session")
    context.update(
        {
            "form": form,
            "chart": _chart(units, product=product, products=products, editable=True, errors=_unit_errors(form)),
            "concentration": _concentration(form),
            # The acknowledgement box stays shown (even when the chart shows no warning)
            # once the server asked for it, or when the session already records warnings
            # the chart cannot compute (a model's units over 3 months).
            "ack_sticky": bool(form.errors.get("acknowledge_warnings"))
            or bool(not form.is_bound and session is not None and session.dose_warnings),
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
@require_safe
def session_list(request, code):
    course = course_selectors.get_taught_course_for(request.user, code)
    sessions = selectors.session_list_for_course(course=course)
    return render(request, "courses/handson/session_list.html", {"course": course, "sessions": sessions})


@role_required("instructor")
@require_http_methods(["GET", "HEAD", "POST"])
def session_create(request, code):
    course = course_selectors.get_taught_course_for(request.user, code)
    enrolments = course_selectors.enrolment_list_active(course=course)
    initial = {"enrolment": request.GET.get("enrolment"), "performed_on": timezone.localdate()}
    form = SessionForm(request.POST or None, enrolments=enrolments, initial=initial)
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
@require_http_methods(["GET", "HEAD", "POST"])
def session_edit(request, pk):
    session = selectors.get_supervised_session_for(request.user, pk)
    course = session.enrolment.course
    if session.is_locked:
        messages.error(request, services.MSG_LOCKED)
        return redirect("courses:session_detail", pk=session.pk)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_from(session), current_product=session.product)
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
    if session.status == InjectionSession.Status.DRAFT and not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Sign off and lock this session?"),
            consequence=sign_consequence(session),
            confirm_label=_("Sign off and lock"),
            cancel_url=reverse("courses:session_detail", args=[session.pk]),
        )
    try:
        services.session_sign(session_id=session.pk, instructor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Session signed. It is now locked."))
    return redirect("courses:session_detail", pk=session.pk)


@role_required("instructor")
@require_http_methods(["GET", "HEAD", "POST"])
def session_amend(request, pk):
    original = selectors.get_supervised_session_for(request.user, pk)
    course = original.enrolment.course
    if original.status != InjectionSession.Status.SIGNED:
        messages.error(request, services.MSG_NOT_SIGNED)
        return redirect("courses:session_detail", pk=original.pk)
    form = AmendmentForm(
        request.POST or None, initial=SessionForm.initial_from(original), current_product=original.product
    )
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


def sign_consequence(session: InjectionSession) -> str:
    """What signing commits to, with the totals the signer is vouching for."""
    sites = list(session.sites.all())
    units = sum((site.units for site in sites), Decimal(0))
    return _(
        "You sign for %(sites)s injection sites, %(units)s units of %(product)s in all, on model %(model)s. "
        "Once signed, the session is locked and counts toward the trainee's requirement; a correction is "
        "then an amendment, signed again."
    ) % {
        "sites": len(sites),
        "units": f"{units.normalize():f}",
        "product": session.product.short_name,
        "model": session.model_code,
    }


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
            "chart": _chart(
                {s.site_code: s.units for s in session.sites.all()}, product=session.product.label(), editable=False
            ),
            "is_owner": is_owner,
            "can_sign": request.user.is_instructor
            and not session.is_mentor_case
            and course_selectors.course_is_taught_by(session.enrolment.course, request.user),
            "reflection_form": reflection_form,
            "sign_consequence": sign_consequence(session),
            **case_context(request.user, session),
        },
        status=status,
    )


@login_required
@require_safe
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


@role_required("trainee")
@require_safe
def logbook(request, code):
    logbook = selectors.get_logbook_for(request.user, code)
    context = {
        "course": logbook.course,
        "enrolment": logbook.enrolment,
        "rows": logbook.rows,
        "status": logbook.status,
        "trainee": request.user,
        "mentor_cases": mentor_selectors.mentor_cases_in_progress(enrolment=logbook.enrolment),
    }
    return render(request, "courses/handson/logbook.html", context)


MSG_PDF_PREPARING = _lazy("Preparing your logbook… This takes a few seconds.")
MSG_PDF_READY = _lazy("Your logbook is ready; the download starts.")
MSG_PDF_FAILED = _lazy("The PDF could not be prepared. Please try again in a moment.")
MSG_PDF_NONE = _lazy("The PDF is prepared when you ask for it, from the logbook as it is now.")
MSG_PDF_RATE = _lazy("You have asked for the PDF many times in a short while. Please try again in {minutes} min.")
PDF_MESSAGES = {
    logbook_pdf_service.PENDING: MSG_PDF_PREPARING,
    logbook_pdf_service.READY: MSG_PDF_READY,
    logbook_pdf_service.FAILED: MSG_PDF_FAILED,
    logbook_pdf_service.NONE: MSG_PDF_NONE,
}


def _pdf_status(enrolment, state, *, message=None) -> dict:
    return {
        "state": state,
        "message": str(message or PDF_MESSAGES[state]),
        "status_url": reverse("courses:logbook_pdf_status", args=[enrolment.pk]),
        "download_url": reverse("courses:logbook_pdf", args=[enrolment.pk]),
    }


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _pdf_page(request, enrolment, status, *, http_status=200):
    if _wants_json(request):
        return JsonResponse(status, status=http_status)
    return render(
        request,
        "courses/handson/logbook_pdf_status.html",
        {"enrolment": enrolment, "course": enrolment.course, "pdf": status,
         "is_owner": enrolment.trainee_id == request.user.pk},
        status=http_status,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def logbook_pdf(request, pk):
    """The logbook as a PDF, for the trainee, the course's instructors and administrators.
    GET downloads the stored PDF when it matches the log, or shows its progress; POST asks
    a worker to render it (never rendered here), at most ``RENDER_RATE`` times per user."""
    enrolment = logbook_pdf_service.get_logbook_enrolment_for(request.user, pk)
    fingerprint = logbook_pdf_service.logbook_fingerprint(enrolment)
    state = logbook_pdf_service.logbook_pdf_state(enrolment, fingerprint)
    if request.method == "POST":
        if state in (logbook_pdf_service.NONE, logbook_pdf_service.FAILED):
            rate = getattr(settings, "LOGBOOK_PDF_RATE", logbook_pdf_service.RENDER_RATE)
            if not ratelimit.allow(request, scope="logbook-pdf", rate=rate, per="user"):
                wait = ratelimit.retry_after(rate)
                message = str(MSG_PDF_RATE).format(minutes=max(1, round(wait / 60)))
                status = _pdf_status(enrolment, state, message=message)
                response = _pdf_page(request, enrolment, status, http_status=429)
                response["Retry-After"] = str(wait)
                return response
            logbook_pdf_service.logbook_pdf_request(enrolment)
            state = logbook_pdf_service.PENDING
        if _wants_json(request):
            return JsonResponse(_pdf_status(enrolment, state))
        return redirect("courses:logbook_pdf", pk=enrolment.pk)
    name = logbook_pdf_service.stored_pdf_name(enrolment.pk, fingerprint)
    if name is not None:
        try:
            handle = private_storage.open(name, "rb")
        except OSError:
            raise Http404 from None
        return FileResponse(
            handle, as_attachment=True, filename=f"logbook-{enrolment.course.code}.pdf", content_type="application/pdf"
        )
    return _pdf_page(request, enrolment, _pdf_status(enrolment, state))


@login_required
@require_GET
def logbook_pdf_status(request, pk):
    """Where the logbook's PDF stands, as JSON, for static/js/logbook-pdf.js to poll."""
    enrolment = logbook_pdf_service.get_logbook_enrolment_for(request.user, pk)
    return JsonResponse(_pdf_status(enrolment, logbook_pdf_service.logbook_pdf_state(enrolment)))
