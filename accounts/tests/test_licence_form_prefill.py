"""The licence form asks nothing twice: the profession comes from the profile, and a
rejected licence is corrected from what it said instead of typed again."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Licence
from accounts.tests.factories import AdministratorFactory, LicenceFactory, TraineeFactory

pytestmark = pytest.mark.django_db


def _value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    found = tag and re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    found = select and re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return found.group(1) if found else None


def test_the_profession_comes_from_the_profile(client):
    trainee = TraineeFactory(profession="np")
    client.force_login(trainee)
    page = client.get(reverse("accounts:licence_create")).content.decode()
    assert _selected(page, "profession") == "np"


def test_a_rejected_licence_is_corrected_from_what_it_said(client):
    trainee = TraineeFactory(profession="md")
    rejected = LicenceFactory(
        holder=trainee, status=Licence.Status.REJECTED, number="A123456", npi="1234567893", profession="do",
        decided_at=timezone.now(), decided_by=AdministratorFactory(), decision_reason="Number unreadable",
    )  # fmt: skip
    client.force_login(trainee)
    detail = client.get(reverse("accounts:licence_detail", args=[rejected.pk])).content.decode()
    link = f"{reverse('accounts:licence_create')}?from={rejected.pk}"
    assert f'href="{link}">Correct and resubmit</a>' in detail
    page = client.get(link).content.decode()
    assert _value(page, "number") == "A123456"
    assert _value(page, "npi") == "1234567893"
    assert _selected(page, "profession") == "do"
    assert _selected(page, "jurisdiction") == str(rejected.jurisdiction_id)
    assert _value(page, "expires_on") == rejected.expires_on.isoformat()


def test_only_ones_own_rejected_licence_prefills(client):
    trainee = TraineeFactory(profession="md")
    someone_elses = LicenceFactory(
        status=Licence.Status.REJECTED,
        number="Z999999",
        decided_at=timezone.now(),
        decided_by=AdministratorFactory(),
        decision_reason="Expired document",
    )
    pending_own = LicenceFactory(holder=trainee, number="B111111")
    client.force_login(trainee)
    for source in (someone_elses.pk, pending_own.pk, "not-a-uuid"):
        page = client.get(f"{reverse('accounts:licence_create')}?from={source}").content.decode()
        assert _value(page, "number") is None
        assert _selected(page, "profession") == "md"
