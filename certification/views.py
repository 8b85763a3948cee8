"""Certificate pages: the public verification pages, the holder's certificate, and
the administrators' issue queue and certificate management."""

from __future__ import annotations

import base64
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms_utils import form_add_service_errors
from core.permissions import role_required
from core.ratelimit import allow

from . import selectors, sharing, verification
from .badge_art import badge_art
from .credentials import status
from .credentials.did import did_document
from .credentials.openbadge import CREDENTIAL_CONTENT_TYPE
from .documents import CREDENTIAL_FILE_NAME, CREDENTIAL_MEDIA_TYPE, credential_in_pdf
from .forms import CertificateFilterForm, IssueForm, LookupForm, ReasonForm, ReissueForm, VerifyFileForm
from .models import Certificate
from .services import delivery, issuing, lifecycle, rendering

MSG_NO_MATCH = gettext_lazy(
    "No certificate matches that serial number and surname. Check both against the certificate."
)
MSG_RATE_LIMITED = gettext_lazy("Too many look-ups from your network in a short time. Wait a minute and try again.")


# The issuer's keys ------------------------------------------------------------------------

DID_DOCUMENT_MAX_AGE = 300  # seconds: a rotation or revocation reaches verifiers within minutes


@require_safe
def issuer_did_document(request):
    """``did:web`` resolution: the public keys that sign our credentials (active and
    retired; not revoked). Public and cacheable; holds no secret."""
    response = JsonResponse(did_document(), content_type="application/did+json")
    response["Cache-Control"] = f"public, max-age={DID_DOCUMENT_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # browser-based verifiers and wallets
    return response


# Public verification --------------------------------------------------------------------


def _limited(request):
    if allow(request, scope="verify", rate=settings.VERIFY_RATE_LIMIT):
        return None
    response = render(request, "certification/verify_limited.html", {"message": MSG_RATE_LIMITED}, status=429)
    response["Retry-After"] = "60"
    return response


def _verify_result(request, certificate: Certificate | None, *, how: str):
    """The one template every lookup answers with (see certification.verification)."""
    certificate, state = verification.public_verdict(certificate)
    context = {"certificate": certificate, "state": state, "how": how}
    if certificate is not None:
        context["replacement"] = verification.replacement_for(certificate)
        context["og"] = sharing.open_graph(certificate, state)
    response = render(request, "certification/verify_result.html", context, status=200 if certificate else 404)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


# The credential's id is its verification URL: these types get the credential JSON,
# anything else (a browser's text/html, */*, no Accept at all) the page.
CREDENTIAL_TYPES = ("application/vc+ld+json", "application/ld+json")


def _credential_response(certificate: Certificate | None, content_type: str) -> HttpResponse:
    credential = verification.credential_for_public(certificate)
    if credential is None:
        response = JsonResponse({"error": "not_found", "detail": _("No certificate matches.")}, status=404)
    else:
        body = json.dumps(credential, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def verify_code(request, code):
    """What the QR code opens: the verification page, or the credential JSON to a client
    that asks for it (Accept: application/vc+ld+json or application/ld+json)."""
    wanted = request.get_preferred_type(["text/html", *CREDENTIAL_TYPES])
    limited = _limited(request)
    if limited and wanted in CREDENTIAL_TYPES:
        response = JsonResponse({"error": "rate_limited", "detail": str(MSG_RATE_LIMITED)}, status=429)
        response["Retry-After"] = limited["Retry-After"]
    elif limited:
        response = limited
    elif wanted in CREDENTIAL_TYPES:
        response = _credential_response(verification.certificate_for_code(code), wanted)
    else:
        response = _verify_result(request, verification.certificate_for_code(code), how="code")
    patch_vary_headers(response, ("Accept",))
    return response


@require_safe
def verify_credential(request, code):
    """The credential JSON whatever the Accept header (the API's credential_url)."""
    limited = _limited(request)
    if limited:
        return limited
    return _credential_response(verification.certificate_for_code(code), CREDENTIAL_TYPES[0])


def _credential_data_uri(credential: bytes | None) -> str:
    """The credential a verified PDF carries, as a link to save it with (a data: URI: the
    bytes of the visitor's own file, nothing fetched or kept)."""
    if not credential:
        return ""
    return f"data:{CREDENTIAL_MEDIA_TYPE};base64,{base64.b64encode(credential).decode()}"


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """Look a certificate up by serial and surname, or check a PDF file."""
    lookup = LookupForm(request.POST if request.POST.get("action") == "lookup" else None)
    upload = VerifyFileForm(
        request.POST if request.POST.get("action") == "file" else None,
        request.FILES if request.POST.get("action") == "file" else None,
    )
    if request.method == "POST":
        limited = _limited(request)
        if limited:
            return limited
        if lookup.is_bound and lookup.is_valid():
            certificate = verification.certificate_for_serial_and_surname(
                lookup.cleaned_data["serial"], lookup.cleaned_data["surname"]
            )
            if certificate is not None:
                return _verify_result(request, certificate, how="lookup")
            lookup.add_error(None, MSG_NO_MATCH)
        elif upload.is_bound and upload.is_valid():
            content = upload.cleaned_data["document"]
            certificate, state = verification.public_verdict(verification.certificate_for_pdf(content))
            # Read only once the bytes are known to be a PDF this site issued.
            credential = credential_in_pdf(content) if certificate is not None else None
            return render(
                request,
                "certification/verify_file_result.html",
                {
                    "certificate": certificate,
                    "state": state,
                    "credential_uri": _credential_data_uri(credential),
                    "credential_name": CREDENTIAL_FILE_NAME,
                },
                status=200,
            )
    status = 400 if (lookup.errors or upload.errors) else 200
    return render(request, "certification/verify.html", {"lookup": lookup, "upload": upload}, status=status)


# Status lists -----------------------------------------------------------------------------


@require_safe
def status_list_credential(request, number, purpose):
    """A signed BitstringStatusListCredential, public (what verifiers and wallets fetch
    to see whether a credential was revoked or suspended). Cacheable for five minutes,
    with an ETag answered by 304."""
    signed = status.signed_status_list(number, purpose)
    if signed is None:
        raise Http404
    # Weak comparison, as If-None-Match asks (a compressing proxy may have weakened it).
    asked = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    if signed.etag in asked or "*" in asked:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(signed.body, content_type="application/vc+ld+json")
    response["ETag"] = signed.etag
    response["Cache-Control"] = f"public, max-age={status.MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # browser wallets fetch it from their own origin
    return response


# Badge art ------------------------------------------------------------------------------

BADGE_FORMATS = {
    "badge.svg": ("square", "svg", "image/svg+xml"),
    "badge.png": ("square", "png", "image/png"),
    "card.png": ("card", "png", "image/png"),
}


@require_safe
def badge_image(request, code, name):
    """A course's badge art (certification.badge_art), public: the square badge as SVG or
    PNG (the Open Badge's image), the 1200×630 card as PNG (Open Graph)."""
    title = selectors.badge_course_title(code)
    if title is None or name not in BADGE_FORMATS:
        raise Http404
    shape, kind, content_type = BADGE_FORMATS[name]
    response = HttpResponse(badge_art(code, title, shape=shape, kind=kind), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={settings.BADGE_ART_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The holder -----------------------------------------------------------------------------


@role_required("trainee")
@require_safe
def certificate_list(request):
    return render(
        request,
        "certification/certificate_list.html",
        {"certificates": selectors.certificates_for_holder(user=request.user)},
    )


@role_required("trainee", "administrator")
@require_safe
def certificate_detail(request, pk):
    certificate = selectors.get_certificate_for(request.user, pk)
    return render(
        request,
        "certification/certificate_detail.html",
        {"certificate": certificate, "linkedin_url": sharing.linkedin_add_url(certificate)},
    )


@role_required("trainee", "administrator")
@require_safe
def certificate_pdf(request, pk):
    """The PDF, to its holder and administrators. Once revoked or superseded it is
    withdrawn from its holder (a clear page says why; an unmarked copy would still look
    valid); administrators keep access to the record."""
    certificate = selectors.get_certificate_document_for(request.user, pk)
    withdrawn = (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED)
    if certificate.status in withdrawn and not request.user.is_administrator:
        newer = Certificate.objects.filter(replaces=certificate).first()
        return render(
            request,
            "certification/certificate_withdrawn.html",
            {"certificate": certificate, "newer": newer},
            status=410,
        )
    try:
        handle = certificate.pdf.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=f"{certificate.serial}.pdf", content_type="application/pdf"
    )


@role_required("trainee", "administrator")
@require_safe
def certificate_badge(request, pk):
    """The signed credential exactly as issued (what a wallet imports and a verifier
    checks), as a download."""
    certificate = selectors.get_certificate_badge_for(request.user, pk)
    if certificate.credential is None:
        raise Http404  # issued before signing and not yet back-filled (credential_keys backfill)
    body = json.dumps(certificate.credential, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type=CREDENTIAL_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}-open-badge.json"'
    return response


# Administrators -------------------------------------------------------------------------


@role_required("administrator")
@require_safe
def staff_queue(request):
    awards = list(selectors.awards_ready()[:200])
    form = IssueForm(award_ids=[a.pk for a in awards])
    filters = CertificateFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    certificates = selectors.certificate_list_for_staff(state=chosen.get("state", ""), query=chosen.get("q", ""))
    page = Paginator(certificates, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certification/staff_queue.html",
        {
            "awards": awards,
            "form": form,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.certificate_counts(),
        },
    )


@role_required("administrator")
@require_POST
def staff_issue(request):
    awards = list(selectors.awards_ready().values_list("pk", flat=True))
    form = IssueForm(request.POST, award_ids=awards)
    if not form.is_valid():
        for error in form.errors.get("awards", []):
            messages.error(request, error)
        return redirect("certification:staff_queue")
    issued, problems = issuing.certificates_issue_bulk(award_ids=form.cleaned_data["awards"], actor=request.user)
    if issued:
        messages.success(
            request,
            ngettext(
                "%(n)s certificate queued for rendering; it is emailed to its holder when ready.",
                "%(n)s certificates queued for rendering; each is emailed to its holder when ready.",
                len(issued),
            )
            % {"n": len(issued)},
        )
    for problem in problems:
        messages.error(request, problem)
    return redirect("certification:staff_queue")


def _detail(request, certificate_id, *, status=200, **forms):
    certificate = selectors.get_certificate_for_staff(certificate_id)
    context = {
        "certificate": certificate,
        "replaced_by": selectors.certificate_replaced_by(certificate),
        "history": selectors.certificate_history(certificate),
        "status_position": selectors.certificate_status_position(certificate),
        "revoke_form": ReasonForm(prefix="revoke"),
        "reissue_form": ReissueForm(prefix="reissue", initial={"holder_name": certificate.holder.legal_name}),
        **forms,
    }
    return render(request, "certification/staff_detail.html", context, status=status)


@role_required("administrator")
@require_safe
def staff_detail(request, pk):
    return _detail(request, pk)


def _staff_action(request, pk, action):
    certificate = selectors.get_certificate_for_staff(pk)
    form = (ReissueForm if action == "reissue" else ReasonForm)(request.POST, prefix=action)
    if action in ("revoke", "reissue") and not form.is_valid():
        return _detail(request, pk, status=400, **{f"{action}_form": form})
    try:
        if action == "revoke":
            lifecycle.certificate_revoke(certificate_id=pk, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(
                request, _("Certificate %(s)s revoked; the holder has been told.") % {"s": certificate.serial}
            )
        elif action == "reissue":
            new = lifecycle.certificate_reissue(
                certificate_id=pk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_name=form.cleaned_data["holder_name"] or None,
            )
            messages.success(
                request,
                _("%(old)s is superseded; %(new)s is being rendered.") % {"old": certificate.serial, "new": new.serial},
            )
            return redirect("certification:staff_detail", new.pk)
        elif action == "resend":
            delivery.certificate_email_resend(certificate_id=pk, actor=request.user)
            messages.success(request, _("Emailing %(s)s to its holder again.") % {"s": certificate.serial})
        else:
            rendering.certificate_retry(certificate_id=pk, actor=request.user)
            messages.success(request, _("Rendering %(s)s again.") % {"s": certificate.serial})
    except ValidationError as error:
        if action in ("retry", "resend"):
            messages.error(request, " ".join(error.messages))
        else:
            if action == "reissue":
                # Shown again with the approved name as it is now, so a second press
                # re-issues with the name the page shows.
                certificate.holder.refresh_from_db(fields=["legal_name"])
                data = request.POST.copy()
                data[form.add_prefix("holder_name")] = certificate.holder.legal_name
                form = ReissueForm(data, prefix=action)
                form.is_valid()
            form_add_service_errors(form, error)
            return _detail(request, pk, status=400, **{f"{action}_form": form})
    return redirect("certification:staff_detail", pk)


@role_required("administrator")
@require_POST
def staff_revoke(request, pk):
    return _staff_action(request, pk, "revoke")


@role_required("administrator")
@require_POST
def staff_reissue(request, pk):
    return _staff_action(request, pk, "reissue")


@role_required("administrator")
@require_POST
def staff_retry(request, pk):
    return _staff_action(request, pk, "retry")


@role_required("administrator")
@require_POST
def staff_resend_email(request, pk):
    return _staff_action(request, pk, "resend")
