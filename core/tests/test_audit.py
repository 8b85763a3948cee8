import datetime
import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory
from core.models import AuditEvent
from core.services import audit_record

pytestmark = pytest.mark.django_db


def test_events_cannot_be_edited_or_deleted_through_the_orm(trainee):
    event = audit_record(actor=trainee, action="licence.submitted", obj=trainee, summary="x")
    event.summary = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_postgresql_refuses_raw_updates_and_deletes(postgres, trainee):
    event = audit_record(actor=trainee, action="licence.submitted", obj=trainee, summary="original")
    for sql in (
        "UPDATE core_auditevent SET summary = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"


def test_audit_list_filters_by_action_actor_and_dates(client_for, administrator, trainee, other_trainee):
    audit_record(actor=trainee, action="licence.submitted", obj=trainee, summary="by trainee")
    audit_record(actor=other_trainee, action="licence.submitted", obj=other_trainee, summary="by other")
    audit_record(actor=administrator, action="licence.verified", obj=trainee, summary="verified it")
    client = client_for(administrator)
    url = reverse("core:audit_list")
    page = client.get(url, {"action": "licence.submitted"})
    assert [e.summary for e in page.context["page"]] == ["by other", "by trainee"]
    page = client.get(url, {"actor_email": trainee.email.upper()})
    assert [e.summary for e in page.context["page"]] == ["by trainee"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.get(url, {"since": tomorrow.isoformat()})
    assert list(page.context["page"]) == []


def test_bad_filters_get_field_errors_not_a_500(client_for, administrator):
    response = client_for(administrator).get(
        reverse("core:audit_list"), {"since": "2026-13-45", "actor_email": "not-an-email", "action": "nope"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["since"] == ["Enter a valid date."]
    assert errors["actor_email"] == ["Enter a valid email address."]
    assert "action" in errors


def test_audit_list_costs_the_same_queries_for_few_and_many(client_for, administrator, django_assert_max_num_queries):
    client = client_for(administrator)
    for _ in range(3):
        LicenceFactory()
    with django_assert_max_num_queries(8):
        client.get(reverse("core:audit_list"))
    for licence in LicenceFactory.create_batch(40):
        audit_record(actor=licence.holder, action="licence.submitted", obj=licence, summary="s")
    with django_assert_max_num_queries(8):
        client.get(reverse("core:audit_list"))


def test_audit_list_times_are_valid_html_datetimes_to_the_second(client_for, administrator, trainee):
    # Django's date:"c" printed microseconds, which the Nu HTML checker refuses.
    event = audit_record(actor=trainee, action="licence.submitted", obj=trainee, summary="by trainee")
    html = client_for(administrator).get(reverse("core:audit_list")).content.decode()
    stamp = timezone.localtime(event.created_at).replace(microsecond=0).isoformat()
    assert f'<time datetime="{stamp}">' in html
    assert re.search(r'datetime="[^"]*\.\d', html) is None
