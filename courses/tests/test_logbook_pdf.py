"""The logbook PDF: rendered by a worker, never in a web request; stored privately and
served again until the log changes; asked for at a limited rate; for the trainee, the
course's instructors and administrators only."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.storage import private_storage
from courses.handson import logbook_pdf, services
from courses.models import Enrolment
from courses.tasks import logbook_pdf_render_task
from tests.support.files import pdf_text
from tests.support.handson import GLABELLA, RATINGS, data, record
from tests.support.wait import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts the renders; the real renderer does the work."""
    calls = []
    real = logbook_pdf.render_logbook_pdf

    def counting(enrolment):
        calls.append(enrolment.pk)
        return real(enrolment)

    monkeypatch.setattr(logbook_pdf, "render_logbook_pdf", counting)
    return calls


def _no_render_here(monkeypatch):
    def refuse(enrolment):
        raise AssertionError("the logbook PDF was rendered in the web request")

    monkeypatch.setattr(logbook_pdf, "render_logbook_pdf", refuse)


def _urls(enrolment):
    return (
        reverse("courses:logbook_pdf", args=[enrolment.pk]),
        reverse("courses:logbook_pdf_status", args=[enrolment.pk]),
    )


def _download(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def _stored(settings) -> list[str]:
    root = settings.PRIVATE_MEDIA_ROOT / "logbooks"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_web_request_only_queues_the_render(
    client_for, instructor, enrolment, monkeypatch, django_capture_on_commit_callbacks
):
    record(enrolment, instructor, model_code="M-0777")
    _no_render_here(monkeypatch)
    client = client_for(enrolment.trainee)
    pdf_url, status_url = _urls(enrolment)
    logbook = client.get(reverse("courses:logbook", args=[enrolment.course.code])).content.decode()
    assert f'action="{pdf_url}"' in logbook
    assert client.get(status_url).json()["state"] == "none"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(pdf_url)
    assert response.status_code == 302
    assert response["Location"] == pdf_url
    assert len(callbacks) == 1  # the task, sent once the request's transaction commits
    progress = client.get(pdf_url)
    assert progress["Content-Type"].startswith("text/html")
    page = progress.content.decode()
    assert "Preparing your logbook" in page
    assert f'<a href="{pdf_url}">Refresh</a>' in page
    assert "http-equiv" not in page  # no meta refresh: the link, or the script, polls
    assert client.get(status_url).json() == {
        "state": "pending",
        "message": "Preparing your logbook… This takes a few seconds.",
        "status_url": status_url,
        "download_url": pdf_url,
    }
    # Asking again while it renders queues nothing more.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(pdf_url, HTTP_ACCEPT="application/json").json()["state"] == "pending"
    assert callbacks == []


def test_the_worker_renders_once_and_the_file_is_served_until_the_log_changes(
    client_for, instructor, enrolment, renders, settings, django_capture_on_commit_callbacks
):
    session = record(enrolment, instructor, model_code="M-0777")
    client = client_for(enrolment.trainee)
    pdf_url, status_url = _urls(enrolment)
    with django_capture_on_commit_callbacks(execute=True):  # the (eager) worker runs
        client.post(pdf_url)
    assert renders == [enrolment.pk]
    assert client.get(status_url).json()["state"] == "ready"
    first = _download(client.get(pdf_url))
    text = pdf_text(first)
    assert "Learner One" in text
    assert "M-0777" in text
    assert len(_stored(settings)) == 2  # the PDF and its fingerprint beside it

    # Unchanged log: served from storage, whoever asks, without rendering again.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(pdf_url)["Location"] == pdf_url
    assert callbacks == []
    assert _download(client_for(instructor).get(pdf_url)) == first
    assert logbook_pdf_render_task.delay(str(enrolment.pk)).get() is False  # a redelivery does nothing
    assert renders == [enrolment.pk]

    # A reflection changes the log: the stored file is stale and a new one is rendered.
    client = client_for(enrolment.trainee)
    client.post(reverse("courses:session_reflect", args=[session.pk]), {"reflection": "Aspirate less."})
    assert client.get(status_url).json()["state"] == "none"
    assert client.get(pdf_url)["Content-Type"].startswith("text/html")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pdf_url)
    assert len(renders) == 2
    assert "Aspirate less." in pdf_text(_download(client.get(pdf_url)))
    assert len(_stored(settings)) == 2  # the old one was deleted

    # So does a new sign-off, and an amendment.
    record(enrolment, instructor, model_code="M-0778")
    assert client.get(status_url).json()["state"] == "none"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pdf_url)
    services.session_amend(
        original_id=session.pk, instructor=instructor, data=data(clinic="Harbour Clinic", model_code="M-0777"),
        units_by_site=GLABELLA, ratings=RATINGS, reason="Wrong clinic",
    )  # fmt: skip
    assert client.get(status_url).json()["state"] == "none"


def test_a_draft_does_not_change_the_log(client_for, instructor, enrolment, django_capture_on_commit_callbacks):
    record(enrolment, instructor)
    client = client_for(enrolment.trainee)
    pdf_url, status_url = _urls(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pdf_url)
    record(enrolment, instructor, sign=False, model_code="M-0999")  # not in the logbook yet
    assert client.get(status_url).json()["state"] == "ready"


def test_a_failing_render_says_so_and_can_be_tried_again(
    client_for, instructor, enrolment, monkeypatch, django_capture_on_commit_callbacks
):
    record(enrolment, instructor)
    client = client_for(enrolment.trainee)
    pdf_url, status_url = _urls(enrolment)

    def broken(enrolment):
        raise OSError("font cache unreadable")

    monkeypatch.setattr(logbook_pdf, "render_logbook_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pdf_url)  # the eager task retries at once, then gives up
    assert client.get(status_url).json()["state"] == "failed"
    assert "Try again" in client.get(pdf_url).content.decode()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pdf_url)
    assert client.get(status_url).json()["state"] == "ready"


def test_render_requests_are_rate_limited_per_user(
    client_for, instructor, enrolment, settings, monkeypatch, django_capture_on_commit_callbacks
):
    _no_render_here(monkeypatch)
    settings.LOGBOOK_PDF_RATE = "2/10m"
    record(enrolment, instructor)
    client = client_for(enrolment.trainee)
    pdf_url, _status_url = _urls(enrolment)
    for _index in range(2):
        with django_capture_on_commit_callbacks(execute=False):
            assert client.post(pdf_url).status_code == 302
        # The render was lost (the worker died): the request is asked for again.
        cache.delete(logbook_pdf._pending_key(enrolment.pk, logbook_pdf.logbook_fingerprint(enrolment)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(pdf_url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "many times in a short while" in response.content.decode()
    assert callbacks == []
    json = client.post(pdf_url, HTTP_ACCEPT="application/json")
    assert json.status_code == 429
    assert "many times" in json.json()["message"]


def test_only_the_trainee_the_courses_instructors_and_staff_reach_it(
    client_for, instructor, enrolment, other_trainee, administrator, examiner, django_capture_on_commit_callbacks
):
    record(enrolment, instructor)
    pdf_url, status_url = _urls(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(enrolment.trainee).post(pdf_url)
    for user in (enrolment.trainee, instructor, administrator):
        assert client_for(user).get(pdf_url).status_code == 200
        assert client_for(user).get(status_url).status_code == 200
    other_instructor = UserFactory(is_trainee=False, is_instructor=True)
    # A former instructor of the course no longer reaches it.
    for user in (other_trainee, other_instructor, examiner):
        client = client_for(user)
        assert client.get(pdf_url).status_code == 404
        assert client.get(status_url).status_code == 404
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert client.post(pdf_url).status_code == 404
        assert callbacks == []
    enrolment.course.instructors.remove(instructor)
    assert client_for(instructor).get(pdf_url).status_code == 404
    assert client_for(None).get(pdf_url).status_code == 302  # to sign in
    assert client_for(enrolment.trainee).put(pdf_url).status_code == 405
    assert client_for(enrolment.trainee).post(status_url).status_code == 405


def test_the_stored_file_is_private(client_for, instructor, enrolment, django_capture_on_commit_callbacks):
    record(enrolment, instructor)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(enrolment.trainee).post(_urls(enrolment)[0])
    name = logbook_pdf.stored_pdf_name(enrolment.pk, logbook_pdf.logbook_fingerprint(enrolment))
    assert name.startswith(f"logbooks/{enrolment.pk}/")
    with pytest.raises(ValueError, match="Private files have no URL"):
        private_storage.url(name)


@pytest.mark.worker
def test_a_real_worker_renders_the_logbook(celery_worker_process, client, instructor, settings):
    """The page asks, a worker process renders and stores it, the page downloads it."""
    from accounts.tests.factories import LicenceFactory, TraineeFactory
    from courses.tests.factories import CourseFactory, EnrolmentFactory

    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], handson_min_sessions=2)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    record(enrolment, instructor, model_code="M-0777")
    client.force_login(trainee, backend=settings.AUTHENTICATION_BACKENDS[0])
    pdf_url, status_url = _urls(enrolment)
    assert client.post(pdf_url).status_code == 302  # committed: the task goes to the worker
    wait_for(
        lambda: client.get(status_url).json()["state"] == "ready",
        timeout=90,
        interval=0.5,
        what="the worker to render the logbook",
        log=celery_worker_process["log"],
    )
    text = pdf_text(_download(client.get(pdf_url)))
    assert "Learner One" in text
    assert "M-0777" in text
    # The same task delivered again renders nothing.
    assert logbook_pdf_render_task.delay(str(enrolment.pk)).get(timeout=60) is False
    celery_worker_process["broker"].wait_idle(log=celery_worker_process["log"])
    assert len(_stored(settings)) == 2
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
