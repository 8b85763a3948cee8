"""The emailed sign-off link: the mentor (no account) reads the whole case, rates it and
signs or returns it, once; a used, expired, forged or revoked link, a withdrawn case, a
trainee no longer enrolled or a mentor since rejected each get a page that says so, and
nothing is written. Two requests racing on one link sign once (PostgreSQL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from courses.handson import mentor_services
from courses.models import Enrolment, InjectionSession, Mentor, SignOffRequest
from courses.tests.factories import MentorFactory
from tests.support.handson import RATINGS
from tests.support.mentors import FEEDBACK, draft_case, send_link, sign_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(enrolment):
    return MentorFactory(trainee=enrolment.trainee, verified=True, full_name="Dr Morgan Reyes")


@pytest.fixture
def case(enrolment, mentor):
    return draft_case(enrolment, mentor, clinic="Harbour Clinic", model_code="M-0311")


def url(token):
    return reverse("courses:signoff", args=[token])


def test_the_mentor_reads_the_whole_case_without_an_account(client, case):
    token = send_link(case)
    response = client.get(url(token))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("Learner One", "Dr Morgan Reyes", "Harbour Clinic", "M-0311", "C1234A", "Procerus"):
        assert shown in page, shown
    assert 'name="rating_technique"' in page
    assert response["Cache-Control"].startswith("max-age=0")
    client.get(url(token))
    request = SignOffRequest.objects.get()
    assert request.opened_at is not None
    assert AuditEvent.objects.filter(action="signoff.opened", object_id=str(request.pk)).count() == 1


def test_the_mentor_rates_and_signs_and_the_trainee_is_told(client, case, django_capture_on_commit_callbacks):
    token = send_link(case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token), sign_form(rating_asepsis="limited"))
    assert response.status_code == 200
    assert "Case signed" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.instructor, case.overall_independence) == ("signed", None, "competent")
    assert case.ratings["asepsis"] == "limited"
    assert case.went_well == FEEDBACK["went_well"]
    request = SignOffRequest.objects.get()
    assert (request.outcome, request.used_at is not None) == ("signed", True)
    event = AuditEvent.objects.get(action="signoff.signed")
    assert (event.object_id, event.details["channel"]) == (str(case.pk), "link")
    assert mail.outbox[-1].to == [case.enrolment.trainee.email]
    assert mail.outbox[-1].subject == "[Glabella] Your mentor signed your case"


def test_the_mentor_returns_the_case_with_a_comment(client_for, client, case, django_capture_on_commit_callbacks):
    token = send_link(case)
    response = client.post(url(token), {"decision": "returned", "return_comment": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["return_comment"] == [str(mentor_services.MSG_RETURN_COMMENT)]
    assert SignOffRequest.objects.get().used_at is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token), {"decision": "returned", "return_comment": "The lot number is wrong."})
    assert "Case returned" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "draft"
    assert "The lot number is wrong." in mail.outbox[-1].body
    page = client_for(case.enrolment.trainee).get(reverse("courses:mentor_case", args=[case.pk])).content.decode()
    assert "returned this case" in page
    assert "The lot number is wrong." in page
    assert AuditEvent.objects.filter(action="signoff.returned").count() == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (sign_form(confirm=None), "confirm", mentor_services.MSG_CONFIRM),
        (sign_form(rating_technique=None), "rating_technique", "Rate this competency (or choose “Not observed”)."),
        (sign_form(overall_independence="brilliant"), "overall_independence", None),
        (sign_form(decision=None), "decision", "This field is required."),
    ],
)
def test_an_incomplete_signature_is_refused_at_the_field_and_nothing_is_written(client, case, form, field, message):
    token = send_link(case)
    response = client.post(url(token), form)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert message is None or errors == [str(message)]
    case.refresh_from_db()
    assert case.status == "draft"
    assert SignOffRequest.objects.get().used_at is None
    # What the mentor typed is still there.
    assert "Calm landmarking." in response.content.decode()


def _signed_once(token, client):
    client.post(url(token), sign_form())
    return InjectionSession.objects.get().signed_at


def _expire(case):
    SignOffRequest.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


def _revoke(case):
    send_link(case)


def _withdraw(case):
    mentor_services.mentor_case_withdraw(session_id=case.pk, trainee=case.enrolment.trainee)


def _reject_mentor(case):
    Mentor.objects.update(status="rejected", decision_reason="Struck off.")


def _leave_course(case):
    Enrolment.objects.update(status=Enrolment.Status.WITHDRAWN)


@pytest.mark.parametrize(
    ("spoil", "status", "title"),
    [
        (_expire, 410, "This link has expired"),
        (_revoke, 410, "This link was replaced"),
        (_withdraw, 410, "This case was withdrawn"),
        (_reject_mentor, 410, "You can no longer sign for this trainee"),
        (_leave_course, 410, "The trainee is no longer enrolled"),
    ],
)
def test_an_unusable_link_says_why_and_writes_nothing(client, case, spoil, status, title):
    token = send_link(case)
    spoil(case)
    before = list(InjectionSession.objects.values())
    for response in (client.get(url(token)), client.post(url(token), sign_form())):
        assert response.status_code == status
        assert f"<h1>{title}</h1>" in response.content.decode()
        assert "Nothing was changed." in response.content.decode()
    assert list(InjectionSession.objects.values()) == before
    assert not AuditEvent.objects.filter(action__in=["signoff.signed", "signoff.opened"]).exists()
    assert AuditEvent.objects.filter(action="signoff.refused").count() == 2


def test_a_used_link_says_so_and_changes_nothing(client, case):
    token = send_link(case)
    signed_at = _signed_once(token, client)
    response = client.post(url(token), sign_form(rating_asepsis="direct"))
    assert response.status_code == 410
    assert "This link has already been used" in response.content.decode()
    case.refresh_from_db()
    assert (case.signed_at, case.ratings["asepsis"]) == (signed_at, "competent")
    assert AuditEvent.objects.filter(action="signoff.signed").count() == 1
    assert AuditEvent.objects.filter(action="signoff.refused").count() == 1


@pytest.mark.parametrize("token", ["not-a-real-token", "A" * 43, "x"])
def test_a_forged_link_is_explained_not_a_bare_404(client, case, token):
    send_link(case)
    for response in (client.get(url(token)), client.post(url(token), sign_form())):
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "draft"


def test_the_link_page_serves_only_get_and_post(client, case):
    token = send_link(case)
    assert client.put(url(token)).status_code == 405
    assert client.delete(url(token)).status_code == 405


def test_two_requests_racing_on_one_link_sign_once(postgres, transactional_db, case):
    token = send_link(case)
    barrier = threading.Barrier(4)
    outcomes = []

    def use():
        try:
            barrier.wait()
            mentor_services.signoff_decide_by_link(
                token=token, decision="signed", ratings=dict(RATINGS), feedback=FEEDBACK
            )
            outcomes.append("signed")
        except mentor_services.SignOffRefused as refused:
            outcomes.append(refused.problem)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["signed", "used", "used", "used"]
    assert AuditEvent.objects.filter(action="signoff.signed").count() == 1
    assert AuditEvent.objects.filter(action="signoff.refused").count() == 3
    request = SignOffRequest.objects.get()
    assert request.outcome == "signed"
    assert InjectionSession.objects.get().status == "signed"
