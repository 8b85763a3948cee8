import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Licence
from accounts.tests.factories import JurisdictionFactory, LicenceFactory, jpeg_bytes, pdf_bytes, png_bytes
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def form_data(jurisdiction, **overrides):
    data = {
        "profession": "md",
        "number": "A7654321",
        "jurisdiction": jurisdiction.pk,
        "expires_on": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
        "npi": "1234567893",
        "document": SimpleUploadedFile("licence.pdf", pdf_bytes()),
    }
    data.update(overrides)
    return data


def test_trainee_submits_a_licence_and_sees_it_waiting(client_for, trainee):
    client = client_for(trainee)
    jurisdiction = JurisdictionFactory()
    response = client.post(reverse("accounts:licence_create"), form_data(jurisdiction))
    licence = Licence.objects.get(holder=trainee)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:licence_detail", args=[licence.pk])
    page = client.get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "A7654321" in page
    assert "Awaiting verification" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"npi": "1234567890"}, "npi", "This NPI&#x27;s check digit is wrong; please check the number."),
        ({"expires_on": "2001-01-01"}, "expires_on", "The expiry date must be after today"),
        ({"expires_on": "31/02/2030"}, "expires_on", "Enter a valid date."),
        (
            {"document": SimpleUploadedFile("licence.pdf", png_bytes())},
            "document",
            "The file is named licence.pdf but its content is a PNG image.",
        ),
        ({"document": SimpleUploadedFile("licence.png", b"")}, "document", "The submitted file is empty."),
        (
            {"document": SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>")},
            "document",
            "Upload a JPEG, PNG or PDF. This file&#x27;s content is none of those.",
        ),
        ({"profession": "witchdoctor"}, "profession", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_at_its_field_and_keeps_what_was_typed(
    client_for, trainee, settings, overrides, field, message
):
    client = client_for(trainee)
    jurisdiction = JurisdictionFactory()
    response = client.post(reverse("accounts:licence_create"), form_data(jurisdiction, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    page = response.content.decode()
    assert message in page
    assert 'value="A7654321"' in page  # the number the trainee typed is still there
    assert not Licence.objects.exists()
    assert not AuditEvent.objects.exists()
    private = settings.PRIVATE_MEDIA_ROOT
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_oversize_upload_is_refused(client_for, trainee, settings):
    settings.MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    client = client_for(trainee)
    big = SimpleUploadedFile("scan.jpg", jpeg_bytes() + b"\0" * (10 * 1024 * 1024 + 1))
    response = client.post(reverse("accounts:licence_create"), form_data(JurisdictionFactory(), document=big))
    assert response.context["form"].errors == {"document": ["The file is 10.0\xa0MB; the limit is 10.0\xa0MB."]}
    assert not Licence.objects.exists()


def test_document_is_served_to_its_holder_and_administrators_only(
    client_for, trainee, other_trainee, instructor, examiner, administrator
):
    licence = LicenceFactory(holder=trainee)
    url = reverse("accounts:licence_document", args=[licence.pk])
    response = client_for(trainee).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert client_for(administrator).get(url).status_code == 200
    for outsider in (other_trainee, instructor, examiner):
        assert client_for(outsider).get(url).status_code == 404
    client_for(None)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_licence_page_is_404_for_another_trainee(client_for, trainee, other_trainee):
    licence = LicenceFactory(holder=trainee)
    assert client_for(other_trainee).get(reverse("accounts:licence_detail", args=[licence.pk])).status_code == 404
    assert client_for(trainee).get(reverse("accounts:licence_detail", args=[licence.pk])).status_code == 200


def test_licence_files_have_no_public_url_and_live_outside_the_web_root(settings):
    licence = LicenceFactory()
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
    assert licence.document.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    with pytest.raises(ValueError, match="Private files have no URL"):
        licence.document.url  # noqa: B018


def test_queue_lists_oldest_first_with_the_document_inline(client_for, administrator):
    now = timezone.now()
    newer = LicenceFactory(submitted_at=now - datetime.timedelta(hours=1))
    older = LicenceFactory(submitted_at=now - datetime.timedelta(days=2))
    LicenceFactory(verified=True)
    client = client_for(administrator)
    response = client.get(reverse("accounts:licence_queue"))
    assert [lic.pk for lic in response.context["queue"]] == [older.pk, newer.pk]
    review = client.get(reverse("accounts:licence_review", args=[older.pk])).content.decode()
    assert f'src="{reverse("accounts:licence_document", args=[older.pk])}"' in review


def test_one_step_decisions_move_to_the_next_licence(client_for, administrator, django_capture_on_commit_callbacks):
    now = timezone.now()
    first = LicenceFactory(submitted_at=now - datetime.timedelta(days=2))
    second = LicenceFactory(submitted_at=now - datetime.timedelta(days=1))
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:licence_review", args=[first.pk]), {"decision": "verify"})
    assert response["Location"] == reverse("accounts:licence_review", args=[second.pk])
    response = client.post(reverse("accounts:licence_review", args=[second.pk]), {"decision": "reject"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Give the reason; the trainee will read it."]}
    response = client.post(
        reverse("accounts:licence_review", args=[second.pk]), {"decision": "reject", "reason": "Expired scan"}
    )
    assert response["Location"] == reverse("accounts:licence_queue")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("verified", "rejected")


def test_rejection_reason_is_shown_on_the_trainee_dashboard(client_for, trainee, administrator):
    LicenceFactory(
        holder=trainee,
        status="rejected",
        decided_by=administrator,
        decided_at=timezone.now(),
        decision_reason="The photo is too blurred to read.",
    )
    page = client_for(trainee).get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "Rejected" in page
    assert "The photo is too blurred to read." in page


def test_deciding_an_already_decided_licence_shows_why(client_for, administrator):
    licence = LicenceFactory(verified=True)
    response = client_for(administrator).get(reverse("accounts:licence_review", args=[licence.pk]))
    assert "Record decision" not in response.content.decode()
    response = client_for(administrator).post(
        reverse("accounts:licence_review", args=[licence.pk]), {"decision": "verify"}
    )
    assert "This licence is no longer awaiting verification; it is verified." in response.content.decode()


def test_revoke_from_the_licence_page(client_for, administrator, trainee):
    licence = LicenceFactory(holder=trainee, verified=True)
    url = reverse("accounts:licence_revoke", args=[licence.pk])
    response = client_for(administrator).post(url, {"reason": ""})
    assert response.status_code == 400
    response = client_for(administrator).post(url, {"reason": "Board suspension notice"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == "revoked"
    assert client_for(trainee).post(url, {"reason": "x"}).status_code == 403


def test_queue_costs_the_same_queries_for_few_and_many(client_for, administrator, django_assert_max_num_queries):
    client = client_for(administrator)
    LicenceFactory.create_batch(2)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:licence_queue"))
    LicenceFactory.create_batch(40)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:licence_queue"))


def test_trainee_dashboard_costs_the_same_queries_for_few_and_many(client_for, trainee, django_assert_max_num_queries):
    client = client_for(trainee)
    LicenceFactory.create_batch(2, holder=trainee)
    with django_assert_max_num_queries(6):
        client.get(reverse("accounts:trainee_dashboard"))
    LicenceFactory.create_batch(30, holder=trainee)
    with django_assert_max_num_queries(6):
        client.get(reverse("accounts:trainee_dashboard"))


def test_jurisdiction_rules_are_managed_by_administrators(client_for, administrator, trainee):
    client = client_for(administrator)
    response = client.post(
        reverse("accounts:jurisdiction_create"),
        {
            "name": "Australia — Victoria",
            "country": "au",
            "region": "VIC",
            "certifiable_professions": ["md", "rn"],
            "requirements_note": "Nurses need a prescriber's authority.",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:jurisdiction_list")).content.decode()
    assert "Australia — Victoria" in page
    assert "Physician (MD), Registered nurse" in page
    assert AuditEvent.objects.filter(action="jurisdiction.created").count() == 1
    bad = client.post(reverse("accounts:jurisdiction_create"), {"name": "X", "country": "USA"})
    assert bad.context["form"].errors["country"] == ["Use the two-letter ISO country code, e.g. US or GB."]
    assert client_for(trainee).get(reverse("accounts:jurisdiction_list")).status_code == 403
    form_page = client_for(trainee).get(reverse("accounts:licence_create")).content.decode()
    assert "Nurses need a prescriber&#x27;s authority." in form_page


def test_admin_dashboard_links_each_course_and_costs_fixed_queries(
    client_for, administrator, django_assert_max_num_queries
):
    from courses.tests.factories import CourseFactory

    client = client_for(administrator)
    CourseFactory.create_batch(2)
    # The session, licences, name changes and mentors waiting, courses, the Angoff exercises
    # this administrator judges, the certificate counts, the awards waiting and the
    # issued-per-month chart: 12, however many courses.
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:admin_dashboard")).content.decode()
    CourseFactory.create_batch(30)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:admin_dashboard")).content.decode()
    assert page.count("/bank/") == 32
    assert page.count("/analysis/") == 32
