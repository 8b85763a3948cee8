"""Pages for mentors and external sign-off: the trainee's mentors and mentor cases, the
staff verification queue, and the sign-off page the mentor reaches by the emailed link
(no account) or on the trainee's device with a code."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import ratelimit
from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses import selectors as course_selectors

from . import mentor_selectors as selectors
from . import mentor_services as services
from .mentor_forms import MentorCaseForm, MentorCodeSignOffForm, MentorDecisionForm, MentorForm, MentorSignOffForm
from .views import _chart, _session_form_response

CASE_FORM = "courses/handson/mentors/case_form.html"
MSG_SLOW_DOWN = _("Too many requests: wait a minute and try again.")


# The trainee's mentors ----------------------------------------------------------------


def _case_chart(session):
    """The case's face chart, read-only, checked against the case's own product."""
    return _chart({s.site_code: s.units for s in session.sites.all()}, product=session.product.label(), editable=False)


@role_required("trainee")
@require_http_methods(["GET", "POST"])
def mentor_list(request):
    form = MentorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_add(trainee=request.user, data=form.service_data())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Mentor added. We will email you once staff have checked the register."))
            return redirect("courses:mentor_list")
    mentors = selectors.mentor_list_for_trainee(trainee=request.user)
    return render(
        request, "courses/handson/mentors/mentor_list.html", {"mentors": mentors, "form": form},
        status=400 if form.errors else 200,
    )  # fmt: skip


# Staff verification -------------------------------------------------------------------


@role_required("administrator")
@require_http_methods(["GET"])
def mentor_queue(request):
    queue = selectors.mentor_queue()
    return render(request, "courses/handson/mentors/mentor_queue.html", {"queue": queue[:200], "total": queue.count()})


@role_required("administrator")
@require_http_methods(["GET", "POST"])
def mentor_review(request, pk):
    mentor = selectors.get_mentor_for_staff(pk)
    form = MentorDecisionForm(request.POST or None, verified=mentor.is_verified)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == MentorDecisionForm.VERIFY:
                services.mentor_verify(mentor_id=mentor.pk, actor=request.user)
                messages.success(request, _("Verified %(mentor)s.") % {"mentor": mentor})
            else:
                services.mentor_reject(mentor_id=mentor.pk, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Rejected %(mentor)s.") % {"mentor": mentor})
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            following = selectors.mentor_next_in_queue()
            if following is not None:
                return redirect("courses:mentor_review", pk=following.pk)
            messages.info(request, _("The queue is empty."))
            return redirect("courses:mentor_queue")
    return render(request, "courses/handson/mentors/mentor_review.html", {"mentor": mentor, "form": form})


# The trainee's mentor cases -------------------------------------------------------------


@role_required("trainee")
@require_http_methods(["GET", "POST"])
def mentor_case_create(request, code):
    course = course_selectors.get_course_for(request.user, code)
    enrolment = course_selectors.enrolment_for(request.user, course)
    if enrolment is None:
        raise Http404
    mentors = selectors.mentors_verified_for(trainee=request.user)
    form = MentorCaseForm(request.POST or None, mentors=mentors)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.mentor_case_save_draft(
                enrolment=enrolment, trainee=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Case saved as a draft. Check it, then send it to your mentor to sign."))
            return redirect("courses:mentor_case", pk=session.pk)
    return _session_form_response(request, CASE_FORM, form, {"course": course, "has_mentor": mentors.exists()})


@role_required("trainee")
@require_http_methods(["GET", "POST"])
def mentor_case_edit(request, pk):
    session = selectors.get_own_mentor_case_for(request.user, pk)
    if session.is_locked:
        messages.error(request, _("This case is signed and locked."))
        return redirect("courses:session_detail", pk=session.pk)
    mentors = selectors.mentors_verified_for(trainee=request.user)
    form = MentorCaseForm(request.POST or None, mentors=mentors, initial=MentorCaseForm.initial_from(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_case_save_draft(
                enrolment=session.enrolment, trainee=request.user, session=session, **form.service_kwargs()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Draft updated. Send it to your mentor again when it is ready."))
            return redirect("courses:mentor_case", pk=session.pk)
    return _session_form_response(
        request, CASE_FORM, form, {"course": session.enrolment.course, "session": session, "has_mentor": True}
    )


@role_required("trainee")
@require_http_methods(["GET"])
def mentor_case(request, pk):
    session = selectors.get_own_mentor_case_for(request.user, pk)
    if session.is_locked:
        return redirect("courses:session_detail", pk=session.pk)
    return render(
        request,
        "courses/handson/mentors/case_detail.html",
        {
            "session": session,
            "course": session.enrolment.course,
            "chart": _chart(
                {s.site_code: s.units for s in session.sites.all()}, product=session.product.label(), editable=False
            ),
            "latest": selectors.latest_request(session),
        },
    )


def _trainee_action(request, pk, action, success):
    session = selectors.get_own_mentor_case_for(request.user, pk)
    if not ratelimit.allow(request, scope="mentor-signoff-send", rate="10/h", per="user"):
        messages.error(request, MSG_SLOW_DOWN)
        return None, session
    try:
        action(session_id=session.pk, trainee=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return None, session
    messages.success(request, success)
    return True, session


@role_required("trainee")
@require_POST
def mentor_case_send(request, pk):
    _done, session = _trainee_action(
        request, pk, services.signoff_request_send,
        _("Sent. Your mentor has an email with a link to sign the case, valid for 14 days."),
    )  # fmt: skip
    return redirect("courses:mentor_case", pk=session.pk)


@role_required("trainee")
@require_POST
def mentor_case_code(request, pk):
    done, session = _trainee_action(
        request, pk, services.signoff_code_send,
        _("A 6-digit code is on its way to your mentor's email; it works for 10 minutes."),
    )  # fmt: skip
    return redirect("courses:mentor_case_sign_here" if done else "courses:mentor_case", pk=session.pk)


@role_required("trainee")
@require_POST
def mentor_case_withdraw(request, pk):
    session = selectors.get_own_mentor_case_for(request.user, pk)
    course = session.enrolment.course
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm you want to withdraw this case."))
        return redirect("courses:mentor_case", pk=session.pk)
    try:
        services.mentor_case_withdraw(session_id=session.pk, trainee=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("courses:mentor_case", pk=session.pk)
    messages.success(request, _("The case is withdrawn; any link sent for it no longer works."))
    return redirect("courses:logbook", code=course.code)


@role_required("trainee")
@require_http_methods(["GET", "POST"])
@never_cache
def mentor_case_sign_here(request, pk):
    """The mentor signs on the trainee's device with the code emailed to the mentor."""
    session = selectors.get_own_mentor_case_for(request.user, pk)
    if session.is_locked:
        return redirect("courses:session_detail", pk=session.pk)
    form = MentorCodeSignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signoff_decide_with_code(
                session_id=session.pk, trainee=request.user, code=form.cleaned_data["code"], **form.service_kwargs()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        except services.SignOffRefused as refused:
            return _refused_page(request, refused.problem)
        else:
            return _decided(request, form, session, on_device=True)
    return _signoff_form_page(request, session, form, on_device=True)


# The mentor's page (no account) ---------------------------------------------------------


def _refused_page(request, problem: str):
    title, explanation = selectors.PROBLEMS[problem]
    status = 404 if problem == "unknown" else 410
    return render(
        request, "courses/handson/mentors/signoff_refused.html",
        {"title": title, "explanation": explanation, "problem": problem}, status=status,
    )  # fmt: skip


def _signoff_form_page(request, session, form, *, on_device=False, token=None):
    return render(
        request,
        "courses/handson/mentors/signoff.html",
        {
            "session": session,
            "course": session.enrolment.course,
            "chart": _chart(
                {s.site_code: s.units for s in session.sites.all()}, product=session.product.label(), editable=False
            ),
            "form": form,
            "on_device": on_device,
            "token": token,
        },
        status=400 if form.errors else 200,
    )


def _decided(request, form, session, *, on_device=False):
    signed = form.cleaned_data["decision"] == "signed"
    if on_device:
        messages.success(request, _("Your mentor signed the case.") if signed else _("Your mentor returned the case."))
        return redirect("courses:session_detail" if signed else "courses:mentor_case", pk=session.pk)
    return render(request, "courses/handson/mentors/signoff_done.html", {"signed": signed, "session": session})


@require_http_methods(["GET", "POST"])
@never_cache
def signoff(request, token):
    """The page an emailed sign-off link opens: the whole case read-only, the ratings and
    the decision. Any visitor with the link may use it, once; anything else is explained."""
    if not ratelimit.allow(request, scope="mentor-signoff", rate="60/m"):
        return render(
            request, "courses/handson/mentors/signoff_refused.html",
            {"title": MSG_SLOW_DOWN, "explanation": ""}, status=429,
        )  # fmt: skip
    signoff_request = selectors.signoff_request_for_token(services.token_hash(token))
    problem = selectors.signoff_problem(signoff_request)
    if problem is not None:
        services.signoff_refused(request=signoff_request, problem=problem)
        return _refused_page(request, problem)
    session = selectors.signoff_session(signoff_request)
    form = MentorSignOffForm(request.POST or None)
    if request.method == "GET":
        services.signoff_opened(request=signoff_request)
    elif form.is_valid():
        try:
            services.signoff_decide_by_link(token=token, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        except services.SignOffRefused as refused:
            return _refused_page(request, refused.problem)
        else:
            return _decided(request, form, session)
    return _signoff_form_page(request, session, form, token=token)
