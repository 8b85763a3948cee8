import datetime
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .forms import AuditFilterForm
from .permissions import role_required
from .selectors import audit_actions, audit_event_list


@require_safe
def home(request):
    return render(request, "core/home.html")


@role_required("administrator")
@require_safe
def audit_list(request):
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# Files that browsers, crawlers and security researchers ask for at fixed addresses.

ROBOTS_DISALLOW = ("/accounts/", "/admin/", "/author/", "/staff/", "/me/", "/dashboard/", "/api/")


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """Crawlers keep out of signed-in and staff pages. Certificate pages are not listed
    here (a link preview, such as LinkedIn's, must read them): they carry
    ``<meta name="robots" content="noindex">`` instead."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=604800)
def favicon_ico(request):
    """The brand mark for browsers that ask for /favicon.ico before reading the page."""
    icon = Path(settings.BASE_DIR) / "static" / "img" / "favicon.ico"
    return HttpResponse(icon.read_bytes(), content_type="image/x-icon")


@require_safe
@cache_control(public=True, max_age=86400)
def security_txt(request):
    """RFC 9116: where to report a vulnerability. Expires is renewed on every request,
    always within the year the RFC allows."""
    expires = (timezone.now() + datetime.timedelta(days=180)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
