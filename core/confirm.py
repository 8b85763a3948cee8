"""Confirmation before an irreversible action, with or without scripts.

A form that does something that cannot be undone carries ``data-confirm="<consequence>"``.
With scripts, static/js/forms.js asks with the browser's own dialog and, on yes, adds
``confirmed=yes`` to the post. Without scripts the post arrives without it, and the view
answers with a page that states the consequence and re-sends the same fields with
``confirmed=yes`` (``confirmation_page``). Either way the action runs only once the person
has said yes to the sentence they were shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED_FIELD = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED_FIELD) == "yes"


def confirmation_page(
    request: HttpRequest, *, title: str, consequence: str, confirm_label: str, cancel_url: str
) -> HttpResponse:
    """The page that asks, re-posting what was sent (bar the CSRF token, which the page
    sets again) to the same address."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED_FIELD)
        for value in values
    ]
    return render(
        request,
        "partials/confirm_page.html",
        {
            "title": title,
            "consequence": consequence,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "fields": fields,
            "action": request.get_full_path(),
        },
    )
