"""Irreversible actions ask first, stating the consequence (with the totals signed for),
also without scripts: the post without ``confirmed=yes`` gets a page that asks, and
changes nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from courses.models import Enrolment, InjectionSession
from tests.support.handson import GLABELLA, record

pytestmark = pytest.mark.django_db


def test_signing_a_session_asks_first_with_its_totals(client_for, enrolment, instructor):
    session = record(enrolment, instructor, sign=False)
    client = client_for(instructor)
    url = reverse("courses:session_sign", args=[session.pk])

    detail = client.get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    question = re.search(rf'action="{url}" data-confirm="([^"]+)"', detail).group(1)
    units = sum(GLABELLA.values())
    assert f"You sign for {len(GLABELLA)} injection sites, {units:g} units of Botox in all" in question
    assert "locked" in question

    asked = client.post(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Sign off and lock this session?" in page
    assert f"{len(GLABELLA)} injection sites" in page
    assert '<input type="hidden" name="confirmed" value="yes">' in page
    session.refresh_from_db()
    assert session.status == InjectionSession.Status.DRAFT

    client.post(url, {"confirmed": "yes"})
    session.refresh_from_db()
    assert session.status == InjectionSession.Status.SIGNED


def test_withdrawing_asks_first_and_says_the_seat_goes(client_for, enrolment):
    client = client_for(enrolment.trainee)
    url = reverse("courses:withdraw", args=[enrolment.course.code])
    detail = client.get(reverse("courses:detail", args=[enrolment.course.code])).content.decode()
    assert "Your seat is released to the next trainee at once." in re.search(r'data-confirm="([^"]+)"', detail).group(1)

    asked = client.post(url)
    assert asked.status_code == 200
    assert f"Withdraw from {enrolment.course.title}?" in asked.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE

    client.post(url, {"confirmed": "yes"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_the_confirmation_page_resends_what_was_posted(client_for, enrolment, instructor):
    session = record(enrolment, instructor, sign=False)
    page = (
        client_for(instructor)
        .post(reverse("courses:session_sign", args=[session.pk]), {"note": 'a "quoted" <value>'})
        .content.decode()
    )
    assert '<input type="hidden" name="note" value="a &quot;quoted&quot; &lt;value&gt;">' in page
    form = page[page.index('<section class="card confirm-card"') :]
    form = form[: form.index("</section>")]
    assert form.count('name="csrfmiddlewaretoken"') == 1  # a fresh token, once
