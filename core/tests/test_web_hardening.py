"""The web layer's defences (issue 16): private pages kept out of caches, oversized
bodies refused before they are read, only the HTTP methods a view serves, and the
embedded SQLite database serving concurrent writers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import LicenceFactory, UserFactory, add_totp, pdf_bytes, png_bytes
from courses.models import Enrolment
from tests.support.certificates import make_certificate
from tests.support.written import ready_trainee, start

pytestmark = pytest.mark.django_db

OWN_APPS = ("core", "accounts", "courses", "exams", "certification", "portal")


# Finding 7: private responses are not cached -------------------------------------------


def assert_private(response, url):
    assert response.status_code < 400, (url, response.status_code)
    assert response["Cache-Control"] == "private, no-store", url
    assert "Cookie" in response["Vary"], url


def test_every_page_a_signed_in_user_gets_is_private_and_not_stored(client_for, administrator):
    # given a trainee with a certificate, a licence, a hands-on logbook and a graded exam
    certificate = make_certificate(content=pdf_bytes("Certificate"))
    holder = certificate.holder
    licence = LicenceFactory(holder=holder)
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    client.post(reverse("exams:submit", args=[attempt.pk]))
    logbook_pdf = reverse("courses:logbook_pdf", args=[Enrolment.objects.get(trainee=trainee, course=course).pk])
    client.post(logbook_pdf)  # a worker (eager here) renders it; the GET below downloads it
    trainee_pages = [
        reverse("exams:result", args=[attempt.pk]),  # shows the correct answers
        logbook_pdf,
        reverse("courses:logbook", args=[course.code]),
        reverse("accounts:trainee_dashboard"),
    ]
    holder_pages = [
        reverse("certification:pdf", args=[certificate.pk]),
        reverse("certification:badge", args=[certificate.pk]),
        reverse("certification:detail", args=[certificate.pk]),
        reverse("accounts:licence_detail", args=[licence.pk]),
        reverse("accounts:licence_list"),
    ]
    staff_pages = [
        reverse("accounts:admin_dashboard"),
        reverse("accounts:licence_queue"),
        reverse("accounts:licence_review", args=[licence.pk]),
        reverse("certification:staff_queue"),
        reverse("certification:staff_detail", args=[certificate.pk]),
        reverse("core:audit_list"),
        reverse("exams:bank_export", args=[course.code, "json"]),
    ]
    # when each is fetched by who may see it, then none may be kept by a cache
    for user, urls in ((trainee, trainee_pages), (holder, holder_pages), (administrator, staff_pages)):
        client = client_for(user)
        for url in urls:
            assert_private(client.get(url), url)


def test_a_form_error_and_a_redirect_to_a_signed_in_user_are_private_too(client_for, trainee):
    client = client_for(trainee)
    response = client.post(reverse("accounts:profile_edit"), {"legal_name": "", "profession": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(reverse("dashboard"))["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_caching_keeps_it(client_for, instructor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from courses.services import lesson_image_add
    from courses.tests.factories import course_with_lessons

    course = course_with_lessons(1, instructors=[instructor])
    image = lesson_image_add(course=course, upload=SimpleUploadedFile("a.png", png_bytes()), alt_text="Procerus")
    response = client_for(instructor).get(reverse("courses:lesson_image", args=[course.code, image.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"


def test_public_pages_to_anonymous_visitors_are_left_alone(client):
    for url in ("/", reverse("courses:catalogue"), reverse("certification:verify_lookup")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Cache-Control" not in response, url


def test_static_files_keep_their_caching_when_signed_in(client_for, trainee, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client_for(trainee).get(static("css/app.css"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


# Finding 10: oversized bodies are refused before they are read ---------------------------


class BodyMustNotBeRead:
    """A wsgi.input that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read

    def __iter__(self):
        raise AssertionError("the request body was read")


def wsgi_post(path: str, content_length: int) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(content_length),
        "wsgi.input": BodyMustNotBeRead(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s)))
    return status[0], body


def test_a_200_mb_upload_is_refused_with_413_without_reading_it():
    assert settings.MAX_REQUEST_BYTES == 12 * 1024 * 1024  # the 10 MB upload limit and its form
    for path in (reverse("certification:verify_lookup"), reverse("accounts:licence_create"), "/no-such-page/"):
        status, body = wsgi_post(path, 200 * 1024 * 1024)
        assert status.startswith("413"), (path, status)
        assert body.decode() == (
            "Glabella: This request is too large. Files may be up to 12 MB; choose a smaller file and try again.\n"
        )


def test_the_limit_comes_from_the_settings_and_smaller_requests_go_through(client, settings):
    data = {"action": "lookup", "serial": "GLB-NONE", "surname": "Nobody"}
    assert client.post(reverse("certification:verify_lookup"), data).status_code == 400  # no match, at the field
    settings.MAX_REQUEST_BYTES = 100
    status, _body = wsgi_post(reverse("certification:verify_lookup"), 101)
    assert status.startswith("413")
    response = client.post(reverse("certification:verify_lookup"), data)
    assert response.status_code == 413


# Finding 13: only the HTTP methods a view serves -----------------------------------------


def _placeholder(converter: str) -> str:
    return {"int": "1", "uuid": str(uuid.uuid4())}.get(converter, "x")


def own_urls() -> list[tuple[str, str]]:
    """(route name, a concrete path) for every URL pattern served by this project's apps
    (not the Django admin's or allauth's)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and pattern.callback.__module__.split(".")[0] in OWN_APPS:
                path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _placeholder(m.group(1) or "str"), prefix + route)
                found.append((pattern.name or route, "/" + path))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_walk_covers_every_app():
    names = {name for name, _path in own_urls()}
    assert {"home", "healthz", "readyz", "dashboard", "catalogue", "attempt", "pdf", "licence_create"} <= names
    assert len(names) > 60


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_no_view_of_ours_answers_put_or_delete(client, method):
    # given a user with every role (and a second factor): every sign-in and role check
    # lets the request through to the method check
    everyone = add_totp(
        UserFactory(email="all@example.com", is_trainee=True, is_instructor=True, is_examiner=True,
                    is_administrator=True)
    )  # fmt: skip
    anonymous = []
    for name, path in own_urls():
        response = getattr(client, method)(path)
        anonymous.append((name, response.status_code))
        assert response.status_code in (302, 405), (name, path, response.status_code)
    client.force_login(everyone, backend=settings.AUTHENTICATION_BACKENDS[0])
    for name, path in own_urls():
        response = getattr(client, method)(path)
        assert response.status_code == 405, (name, path, response.status_code)
        assert set(response["Allow"].split(", ")) <= {"GET", "HEAD", "POST"}, name
    # The public pages refused anonymous visitors too, rather than sending them to sign in.
    assert ("home", 405) in anonymous
    assert ("healthz", 405) in anonymous


def test_read_only_pages_refuse_a_post_and_actions_refuse_a_get(client_for, trainee):
    client = client_for(trainee)
    response = client.post(reverse("accounts:trainee_dashboard"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert client.head(reverse("accounts:trainee_dashboard")).status_code == 200
    assert client.get(reverse("courses:enrol", args=["BTA-1"])).status_code == 405


# Finding 12: SQLite under concurrent writers ---------------------------------------------

# Run in a fresh interpreter on a file database named by DATABASE_URL, so that the
# settings build its options as they would for the embedded default.
CONCURRENT_WRITES = r"""
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
call_command("migrate", verbosity=0)
from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import Enrolment
from courses.services import enrolment_create
from courses.tests.factories import course_with_lessons
from exams.models import Attempt
from exams.services.attempts import attempt_start
from tests.support.written import ready_trainee

N = 6
course = course_with_lessons(1, capacity=N)
enrolling = []
for _ in range(N):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    enrolling.append(trainee)
starting = []
for _ in range(N):
    trainee, exam_course = ready_trainee()
    starting.append((trainee, Enrolment.objects.get(trainee=trainee, course=exam_course)))
connections.close_all()
barrier = threading.Barrier(2 * N)
errors = []

def run(work):
    try:
        barrier.wait()
        work()
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()

threads = [threading.Thread(target=run, args=(lambda t=t: enrolment_create(trainee=t, course=course),))
           for t in enrolling]
threads += [threading.Thread(target=run, args=(lambda t=t, e=e: attempt_start(trainee=t, enrolment=e),))
            for t, e in starting]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({
    "errors": errors,
    "enrolled": Enrolment.objects.filter(course=course).count(),
    "attempts": Attempt.objects.count(),
    "journal": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
}))
"""


def test_parallel_enrolments_and_exam_starts_on_sqlite_all_succeed(tmp_path):
    # given a file database as the embedded default (not the test run's own database)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'glabella.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.test_settings",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    # when six trainees enrol in one course while six others start their exams, at once
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", CONCURRENT_WRITES],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # then every request succeeded: none answered "database is locked"
    assert result["errors"] == []
    assert result["enrolled"] == 6
    assert result["attempts"] == 6
    assert result["journal"] == "wal"


def test_sqlite_options_are_only_for_sqlite():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] == 20
    else:
        assert "transaction_mode" not in options
