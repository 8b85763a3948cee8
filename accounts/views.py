from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms_utils import form_add_service_errors
from core.permissions import role_required

from . import selectors, services
from .forms import (
    JurisdictionForm,
    LicenceDecisionForm,
    LicenceForm,
    LicenceRevokeForm,
    NameChangeDecisionForm,
    NameChangeRequestForm,
    ProfileForm,
)
from .models import Jurisdiction, Licence, NameChangeRequest


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    name_locked = selectors.legal_name_locked(request.user)
    form = ProfileForm(request.POST or None, instance=request.user, name_locked=name_locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(
                user=request.user,
                legal_name=form.cleaned_data.get("legal_name", request.user.legal_name),
                profession=form.cleaned_data["profession"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("dashboard")
    name_changes = selectors.name_change_list_for(request.user) if name_locked else []
    return render(
        request,
        "accounts/profile_form.html",
        {"form": form, "name_locked": name_locked, "latest_name_change": name_changes[0] if name_changes else None},
    )


@role_required("trainee")
@require_safe
def licence_list(request):
    licences = selectors.licence_list_for_holder(user=request.user)
    return render(request, "accounts/licence_list.html", {"licences": licences})


@role_required("trainee")
@require_http_methods(["GET", "HEAD", "POST"])
def licence_create(request):
    form = LicenceForm(request.POST or None, request.FILES or None, request=request, initial=_licence_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            licence = services.licence_submit(
                holder=request.user,
                profession=data["profession"],
                number=data["number"],
                jurisdiction=data["jurisdiction"],
                expires_on=data["expires_on"],
                npi=data["npi"],
                document=data["document"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Your licence is submitted. We will email you when it has been checked."))
            return redirect("accounts:licence_detail", pk=licence.pk)
    jurisdictions = Jurisdiction.objects.filter(is_active=True)
    return render(request, "accounts/licence_form.html", {"form": form, "jurisdictions": jurisdictions})


def _licence_initial(request) -> dict:
    """What the licence form starts with: the profession from the profile, and, to
    correct a rejected licence (``?from=<id>``, the trainee's own), everything it said but
    the document, which is attached again."""
    initial = {"profession": request.user.profession}
    source = request.GET.get("from")
    if source:
        rejected = selectors.licence_rejected_of(request.user, source)
        if rejected is not None:
            initial.update(
                profession=rejected.profession,
                number=rejected.number,
                jurisdiction=rejected.jurisdiction_id,
                npi=rejected.npi,
            )
            if rejected.expires_on > timezone.localdate():
                initial["expires_on"] = rejected.expires_on
    return initial


@login_required
@require_safe
def licence_detail(request, pk):
    licence = selectors.get_licence_for(request.user, pk)
    return render(
        request,
        "accounts/licence_detail.html",
        {
            "licence": licence,
            "revoke_form": LicenceRevokeForm() if request.user.is_administrator else None,
        },
    )


@login_required
@xframe_options_sameorigin
@require_safe
def licence_document(request, pk):
    """Stream the licence scan to its holder or an administrator (404 for anyone else)."""
    licence = selectors.get_licence_for(request.user, pk)
    try:
        handle = licence.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=licence.document_content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    # Shown inline, framed only by our own pages, loading nothing, running nothing, and
    # sandboxed (a unique origin; no scripts, forms, pop-ups or navigation of the page
    # that frames it). Chromium's PDF viewer still draws a PDF served so; PDFs with
    # scripts or actions are refused at upload as well (core.pdf_actions).
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    )
    return response


@role_required("administrator")
@require_safe
def licence_queue(request):
    queue = selectors.licence_queue()[:200]
    return render(
        request,
        "accounts/licence_queue.html",
        {"queue": queue, "total": selectors.licence_queue().count()},
    )


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def licence_review(request, pk):
    """One licence from the queue: the document inline and a one-step decision."""
    licence = get_object_or_404(Licence.objects.select_related("holder", "jurisdiction", "decided_by"), pk=pk)
    form = LicenceDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == LicenceDecisionForm.VERIFY:
                services.licence_verify(licence_id=licence.pk, actor=request.user)
                messages.success(request, _("Verified %(licence)s.") % {"licence": licence})
            else:
                services.licence_reject(licence_id=licence.pk, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Rejected %(licence)s.") % {"licence": licence})
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            following = selectors.licence_next_in_queue()
            if following is not None:
                return redirect("accounts:licence_review", pk=following.pk)
            messages.info(request, _("The queue is empty."))
            return redirect("accounts:licence_queue")
    return render(
        request,
        "accounts/licence_review.html",
        {"licence": licence, "form": form, "same_number": selectors.licence_same_number_elsewhere(licence)},
    )


@role_required("administrator")
@require_POST
def licence_revoke(request, pk):
    licence = get_object_or_404(Licence, pk=pk)
    form = LicenceRevokeForm(request.POST)
    if form.is_valid():
        try:
            services.licence_revoke(licence_id=licence.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The licence is revoked and its holder told why."))
            return redirect("accounts:licence_detail", pk=licence.pk)
    licence = selectors.get_licence_for(request.user, pk)
    return render(
        request,
        "accounts/licence_detail.html",
        {"licence": licence, "revoke_form": form},
        status=400,
    )


@role_required("administrator")
@require_safe
def jurisdiction_list(request):
    jurisdictions = Jurisdiction.objects.annotate(licence_count=Count("licences"))
    return render(request, "accounts/jurisdiction_list.html", {"jurisdictions": jurisdictions})


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def jurisdiction_edit(request, pk=None):
    jurisdiction = get_object_or_404(Jurisdiction, pk=pk) if pk else Jurisdiction()
    form = JurisdictionForm(request.POST or None, instance=jurisdiction)
    if request.method == "POST" and form.is_valid():
        try:
            services.jurisdiction_save(jurisdiction=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": jurisdiction.name})
            return redirect("accounts:jurisdiction_list")
    return render(request, "accounts/jurisdiction_form.html", {"form": form, "jurisdiction": jurisdiction})


def _stream_private_document(field, content_type):
    """A private scan, inline, framed only by our own pages, sandboxed (as licence_document)."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    )
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def name_change_create(request):
    """The trainee's name change page: their requests and their outcomes, and the form
    to make one while none is open. Only for a locked name (before a licence is
    verified, the profile page edits the name)."""
    if not selectors.legal_name_locked(request.user):
        messages.info(request, _("Your name is not locked yet: change it on your profile page."))
        return redirect("accounts:profile_edit")
    form = NameChangeRequestForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.name_change_request_submit(
                user=request.user,
                requested_name=data["requested_name"],
                reason=data["reason"],
                explanation=data["explanation"],
                document=data["document"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your request is sent. An administrator will review it; we will email you the outcome.")
            )
            return redirect("accounts:name_change_create")
    requests = selectors.name_change_list_for(request.user)
    pending = next((r for r in requests if r.status == NameChangeRequest.Status.PENDING), None)
    return render(
        request,
        "accounts/name_change_form.html",
        {"form": form, "earlier": [r for r in requests if r is not pending], "pending": pending},
    )


@login_required
@require_POST
def name_change_withdraw(request, pk):
    change = get_object_or_404(NameChangeRequest, pk=pk, user=request.user)
    try:
        services.name_change_request_withdraw(request_id=change.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your name change request is withdrawn."))
    return redirect("accounts:name_change_create")


@login_required
@xframe_options_sameorigin
@require_safe
def name_change_document(request, pk):
    """The supporting document, to its trainee or an administrator (404 for anyone else)."""
    change = selectors.get_name_change_for(request.user, pk)
    if not change.document:
        raise Http404
    return _stream_private_document(change.document, change.document_content_type)


@role_required("administrator")
@require_safe
def name_change_queue(request):
    queue = selectors.name_change_queue()[:200]
    return render(
        request,
        "accounts/name_change_queue.html",
        {"queue": queue, "total": selectors.name_change_pending_count()},
    )


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def name_change_review(request, pk):
    """One request from the queue, beside the licence that verified the trainee's
    identity and the supporting document; a one-step decision."""
    change = get_object_or_404(NameChangeRequest.objects.select_related("user", "decided_by"), pk=pk)
    form = NameChangeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == NameChangeDecisionForm.APPROVE:
                services.name_change_approve(request_id=change.pk, actor=request.user)
                messages.success(
                    request,
                    _("Approved: %(email)s's legal name is now %(name)s.")
                    % {"email": change.user.email, "name": change.requested_name},
                )
            else:
                services.name_change_reject(
                    request_id=change.pk, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Rejected the name change of %(email)s.") % {"email": change.user.email})
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            following = selectors.name_change_next_in_queue()
            if following is not None:
                return redirect("accounts:name_change_review", pk=following.pk)
            messages.info(request, _("The queue is empty."))
            return redirect("accounts:name_change_queue")
    return render(
        request,
        "accounts/name_change_review.html",
        {"change": change, "form": form, "licence": selectors.identity_licence_for(change.user)},
    )
