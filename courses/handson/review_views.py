"""The review visit's pages: record or edit a case's review (the course's instructors),
sign it, and read it (whoever may see the case)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.confirm import confirmation_page, is_confirmed
from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from courses.models import CasePhoto, InjectionSession
from courses.selectors import course_is_taught_by

from . import face_sites, photos, review_selectors, review_services, selectors
from .forms import UNIT_PREFIX
from .review_forms import ReviewForm


def _chart(units, *, session, editable, errors=None) -> dict:
    context = face_sites.chart_context(
        units, product=session.product.label(), editable=editable, field_prefix=UNIT_PREFIX, translate=_
    )
    context["unit_errors"] = errors or {}
    return context


def _form_response(request, form: ReviewForm, *, session: InjectionSession, review=None, status=200):
    if form.is_bound:
        units = form.typed_units()
    else:
        units = {k[len(UNIT_PREFIX) :]: v for k, v in form.initial.items() if k.startswith(UNIT_PREFIX) and v}
    warnings = []
    if form.is_bound and "acknowledge_warnings" in form.errors and form.cleaned_data.get("reviewed_on"):
        warnings = review_services.review_dose_warnings(
            session=session, reviewed_on=form.cleaned_data["reviewed_on"], topup=form.topup()
        )
    unit_errors = {n[len(UNIT_PREFIX) :]: e for n, e in form.errors.items() if n.startswith(UNIT_PREFIX)}
    context = {
        "form": form,
        "session": session,
        "course": session.enrolment.course,
        "review": review,
        "chart": _chart(units, session=session, editable=True, errors=unit_errors),
        "warnings": [face_sites.warning_text(w, _) for w in warnings if not face_sites.is_informational(w)],
        "window": review_selectors.WINDOW_DAYS,
    }
    return render(request, "courses/handson/reviews/review_form.html", context, status=status)


@role_required("instructor")
@require_http_methods(["GET", "HEAD", "POST"])
def review_create(request, pk):
    session = selectors.get_supervised_session_for(request.user, pk)
    existing = review_selectors.review_of_case(session)
    if existing is not None:
        messages.info(request, review_services.MSG_ALREADY_REVIEWED)
        return redirect("courses:review_detail", pk=existing.pk)
    if session.status != InjectionSession.Status.SIGNED:
        messages.error(request, review_services.MSG_CASE_NOT_SIGNED)
        return redirect("courses:session_detail", pk=session.pk)
    initial = {**ReviewForm.initial_for(session), "reviewed_on": timezone.localdate()}
    form = ReviewForm(request.POST or None, session=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_services.review_save(
                session_id=session.pk, instructor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Review recorded. Check it, then sign it off."))
            return redirect("courses:review_detail", pk=review.pk)
    return _form_response(request, form, session=session, status=400 if form.is_bound else 200)


def _taught_review(user, pk):
    review = review_selectors.get_review_for(user, pk)
    if not course_is_taught_by(review.session.enrolment.course, user):
        raise Http404
    return review


@role_required("instructor")
@require_http_methods(["GET", "HEAD", "POST"])
def review_edit(request, pk):
    review = _taught_review(request.user, pk)
    session = review.session
    if review.is_locked:
        messages.error(request, review_services.MSG_REVIEW_LOCKED)
        return redirect("courses:review_detail", pk=review.pk)
    form = ReviewForm(request.POST or None, session=session, initial=ReviewForm.initial_for(session, review))
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_save(
                session_id=session.pk, instructor=request.user, review_id=review.pk, **form.service_kwargs()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Review updated."))
            return redirect("courses:review_detail", pk=review.pk)
    return _form_response(request, form, session=session, review=review, status=400 if form.is_bound else 200)


@role_required("instructor")
@require_POST
def review_sign(request, pk):
    review = _taught_review(request.user, pk)
    if review.signed_at is None and not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Sign this review?"),
            consequence=_("Once signed, the review is locked and counts toward the trainee's reviewed cases."),
            confirm_label=_("Sign off and lock"),
            cancel_url=reverse("courses:review_detail", args=[review.pk]),
        )
    try:
        review_services.review_sign(review_id=review.pk, instructor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Review signed. It is now locked."))
    return redirect("courses:review_detail", pk=review.pk)


@login_required
@require_safe
def review_detail(request, pk):
    review = review_selectors.get_review_for(request.user, pk)
    session = review.session
    reportable = review_selectors.review_is_reportable(review)
    return render(
        request,
        "courses/handson/reviews/review_detail.html",
        {
            "review": review,
            "session": session,
            "course": session.enrolment.course,
            "chart": _chart({s.site_code: s.units for s in review.sites.all()}, session=session, editable=False),
            "can_sign": request.user.is_instructor and course_is_taught_by(session.enrolment.course, request.user),
            "is_owner": session.enrolment.trainee_id == request.user.pk,
            "reportable": reportable,
            "routes": review_selectors.reporting_routes_for(session.enrolment.trainee) if reportable else [],
            # The photographs taken at the review, for those who may see the case's photos.
            "review_photos": [p for p in photos.photo_list_for_session(session) if p.kind == CasePhoto.Kind.REVIEW]
            if photos.photos_visible_to(request.user, session)
            else [],
        },
    )
