"""Security headers on real pages, and templates that need no 'unsafe-inline': no inline
scripts, no event-handler attributes, no javascript: URLs, no inline styles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.tests.factories import LicenceFactory
from tests.support.written import ready_trainee, start

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def assert_strict_policy(response, frame_ancestors="'none'"):
    header = response["Content-Security-Policy"]
    policy = directives(header)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], header
    assert policy["style-src"] == ["'self'"], header
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == [frame_ancestors]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if frame_ancestors == "'none'":
        assert response["X-Frame-Options"] == "DENY"


def test_public_trainee_and_exam_pages_send_a_strict_policy(client, client_for):
    for url in ("/", reverse("account_login"), reverse("account_signup"), reverse("certification:verify_lookup")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
    trainee, course = ready_trainee()
    client = client_for(trainee)
    for url in (reverse("dashboard"), reverse("exams:home", args=[course.code])):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_strict_policy(response)
    attempt = start(client, course)
    response = client.get(reverse("exams:attempt", args=[attempt.pk]))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert b"js/exam.js" in response.content


def test_no_hsts_unless_configured_then_a_year_with_subdomains(client, settings):
    from django.test import Client

    assert "Strict-Transport-Security" not in client.get("/", secure=True)
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    client = Client()  # middleware reads its settings when the client's handler loads it
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # Never over plain HTTP, where a browser would ignore it anyway.
    assert "Strict-Transport-Security" not in client.get("/")


def test_the_licence_document_may_be_framed_by_our_own_pages_only(client_for, trainee):
    licence = LicenceFactory(holder=trainee)
    licence.document.save("scan.pdf", ContentFile(b"%PDF-1.7\n%stand-in\n"), save=True)
    licence.document_content_type = "application/pdf"
    licence.save()
    response = client_for(trainee).get(reverse("accounts:licence_document", args=[licence.pk]))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy  # default-src 'none': no scripts at all
    # The page that frames it is itself not frameable.
    page = client_for(trainee).get(reverse("accounts:licence_detail", args=[licence.pk]))
    assert_strict_policy(page)


def test_a_same_origin_framed_view_gets_frame_ancestors_self():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from core.middleware import ContentSecurityPolicyMiddleware

    def framed(request):
        response = HttpResponse("ok")
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    response = ContentSecurityPolicyMiddleware(framed)(RequestFactory().get("/"))
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


# --- Templates ---------------------------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
DJANGO_SYNTAX = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
DATA_BLOCK = re.compile(r"""\stype\s*=\s*["']application/(?:ld\+)?json["']""", re.IGNORECASE)


def served_templates() -> list[Path]:
    """Every HTML template of the project (not the virtual environment's). Templates under
    pdf/ and *_pdf.html are rendered by WeasyPrint into documents, and those under email/
    into messages (where mail programs need inline styles): never served as pages."""
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in p.parts]
    found = sorted(path for root in roots for path in root.rglob("*.html"))
    assert len(found) > 50
    return [p for p in found if not {"pdf", "email"} & set(p.parts) and not p.name.endswith("_pdf.html")]


def template_problems(text: str) -> list[str]:
    # Django's {# #} is one line; over several it is printed on the page.
    problems = [
        f"a {{# #}} comment over several lines (use {{% comment %}}): {comment.strip()[:60]!r}"
        for comment in re.findall(r"{#(.*?)#}", text, re.DOTALL)
        if "\n" in comment
    ]
    markup = DJANGO_SYNTAX.sub("", text)
    for attributes, body in SCRIPT.findall(markup):
        if DATA_BLOCK.search(attributes):
            continue  # a JSON data block (json_script) is never executed
        if body.strip():
            problems.append(f"inline <script> with a body: {body.strip()[:60]!r}")
        elif "src=" not in attributes.replace(" ", ""):
            problems.append("a <script> without src")
    for tag in TAG.findall(markup):
        if EVENT_HANDLER.search(tag):
            problems.append(f"event-handler attribute: {tag[:80]}")
        if STYLE_ATTRIBUTE.search(tag):
            problems.append(f"inline style attribute: {tag[:80]}")
    if JAVASCRIPT_URL.search(markup):
        problems.append("a javascript: URL")
    if re.search(r"<style\b", markup, re.IGNORECASE):
        problems.append("a <style> element")
    return problems


def test_the_template_check_catches_what_it_should():
    assert template_problems('<script src="{% static "js/exam.js" %}" defer></script>') == []
    assert template_problems('<script id="d" type="application/json">{"a": 1}</script>') == []
    assert template_problems('<p data-onload="x" class="one">on=</p>') == []
    assert len(template_problems("<script>alert(1)</script>")) == 1
    assert len(template_problems("<script>\n</script>")) == 1
    assert len(template_problems('<button onclick="go()">Go</button>')) == 1
    assert len(template_problems('<body\n  onload="go()">')) == 1
    assert len(template_problems('<div class="{% if x %}a{% endif %}" style="width: 3%">')) == 1
    assert len(template_problems('<a href="javascript:go()">Go</a>')) == 1
    assert len(template_problems("<style>p { color: red }</style>")) == 1
    assert template_problems("{# one line #}<p>x</p>") == []
    assert len(template_problems("{# two\n lines #}<p>x</p>")) == 1


def test_no_served_template_needs_unsafe_inline():
    problems = {
        str(path.relative_to(settings.BASE_DIR)): found
        for path in served_templates()
        if (found := template_problems(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_bar_widths_are_whole_percentages_with_a_class_for_each():
    from core.templatetags.bars import pct, pct_of

    assert [pct(v) for v in (0, 66.5, 66.49, -3, 150, "40", None, "nan", float("inf"))] == [
        0,
        67,
        66,
        0,
        100,
        40,
        0,
        0,
        0,
    ]
    assert [pct_of(3, 4), pct_of(1, 0), pct_of(0.25, 1), pct_of(5, 4), pct_of(1, None)] == [75, 0, 25, 100, 0]
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    for n in range(101):
        assert f".w-pct-{n} {{ width: {n}%; }}" in css
        assert f".h-pct-{n} {{ height: {n}%; }}" in css
