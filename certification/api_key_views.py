"""Administrators' pages for the verification API's keys: the list, creating a key
(its secret shown once), a key's use, and revoking it after a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.permissions import role_required

from . import selectors
from .forms import ApiKeyForm
from .services import api_keys


def _list(request, form, *, status=200):
    return render(
        request,
        "certification/api_key_list.html",
        {"keys": selectors.api_key_list(), "form": form},
        status=status,
    )


@role_required("administrator")
@require_safe
def api_key_list(request):
    return _list(request, ApiKeyForm())


@role_required("administrator")
@require_POST
def api_key_create(request):
    """Create a key and show it, once: the page is not cached and the key is not kept."""
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    api_key, secret = api_keys.api_key_create(
        organisation=form.cleaned_data["organisation"],
        contact_email=form.cleaned_data["contact_email"],
        actor=request.user,
    )
    response = render(request, "certification/api_key_created.html", {"key": api_key, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@role_required("administrator")
@require_safe
def api_key_detail(request, pk):
    api_key, usage, totals = selectors.get_api_key_for_staff(pk)
    return render(request, "certification/api_key_detail.html", {"key": api_key, "usage": usage, "totals": totals})


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def api_key_revoke(request, pk):
    """GET: what revoking means, and a button to confirm; POST: revoke."""
    api_key, _usage, totals = selectors.get_api_key_for_staff(pk)
    if request.method == "POST":
        try:
            api_keys.api_key_revoke(key_id=api_key.pk, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The key %(key)s of %(org)s is revoked; requests with it are refused from now on.")
                % {"key": api_key.display_prefix, "org": api_key.organisation},
            )
        return redirect("certification:api_key_detail", api_key.pk)
    if not api_key.is_active:
        return redirect("certification:api_key_detail", api_key.pk)
    return render(request, "certification/api_key_revoke.html", {"key": api_key, "totals": totals})
