"""The legal name bound to the verified identity (issue #17, part 7): editable until a
licence is verified, then changed only by a request an administrator approves beside the
licence document; every step audited with both names, the trainee emailed the outcome."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models.query import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Licence, NameChangeRequest, User
from accounts.tests.factories import LicenceFactory, NameChangeRequestFactory, TraineeFactory, pdf_bytes, png_bytes
from core.models import AuditEvent
from tests.support.files import stored_file_names

pytestmark = pytest.mark.django_db

SIZES = (10, 60)


@pytest.fixture
def verified(trainee):
    """The trainee (Ada Trainee) with a verified licence: the name is locked."""
    LicenceFactory(holder=trainee, verified=True)
    return trainee


def request_data(**overrides):
    data = {
        "requested_name": "Ada Trainee-Okoro",
        "reason": NameChangeRequest.Reason.MARRIAGE,
        "explanation": "Married in June.",
        "document": SimpleUploadedFile("marriage.pdf", pdf_bytes()),
    }
    data.update(overrides)
    return data


def name_of(user: User) -> str:
    return User.objects.values_list("legal_name", flat=True).get(pk=user.pk)


# The lock ------------------------------------------------------------------------------


def test_before_any_verified_licence_the_name_is_edited_on_the_profile(client_for, trainee):
    LicenceFactory(holder=trainee)  # submitted, not verified yet
    client = client_for(trainee)
    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert 'name="legal_name"' in page
    assert "Request a name change" not in page
    response = client.post(reverse("accounts:profile_edit"), {"legal_name": "Ada Lovelace", "profession": "md"})
    assert response.status_code == 302
    assert name_of(trainee) == "Ada Lovelace"
    # The name change page is not for an unlocked name.
    assert client.get(reverse("accounts:name_change_create"))["Location"] == reverse("accounts:profile_edit")


def test_once_verified_the_profile_shows_the_name_read_only_with_the_reason_and_a_link(client_for, verified):
    page = client_for(verified).get(reverse("accounts:profile_edit")).content.decode()
    assert 'name="legal_name"' not in page
    assert "Ada Trainee" in page
    assert "checked against your verified licence" in page
    assert f'href="{reverse("accounts:name_change_create")}"' in page
    assert "Request a name change" in page


@pytest.mark.parametrize("status", [Licence.Status.VERIFIED, Licence.Status.EXPIRED, Licence.Status.REVOKED])
def test_a_crafted_post_cannot_change_a_locked_name(client_for, trainee, administrator, status):
    LicenceFactory(holder=trainee, status=status, decided_at=timezone.now(), decided_by=administrator,
                   decision_reason="Withdrawn" if status == Licence.Status.REVOKED else "")  # fmt: skip
    client = client_for(trainee)
    response = client.post(reverse("accounts:profile_edit"), {"legal_name": "Mallory Forged", "profession": "np"})
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.legal_name == "Ada Trainee"
    assert trainee.profession == "np"  # the rest of the profile still saves


def test_the_service_refuses_a_locked_name_whatever_calls_it(verified):
    with pytest.raises(ValidationError) as caught:
        services.user_profile_update(user=verified, legal_name="Mallory Forged", profession="md")
    assert caught.value.message_dict == {"legal_name": [str(services.MSG_NAME_LOCKED)]}
    assert name_of(verified) == "Ada Trainee"
    # Saving the same name (other fields changed) is not a change.
    services.user_profile_update(user=verified, legal_name="Ada Trainee", profession="do")
    assert User.objects.get(pk=verified.pk).profession == "do"


def test_the_django_admin_shows_a_locked_name_read_only(client_for, administrator, verified):
    page = client_for(administrator).get(reverse("admin:accounts_user_change", args=[verified.pk]))
    assert page.status_code == 200
    assert 'name="legal_name"' not in page.content.decode()
    assert "Ada Trainee" in page.content.decode()


def test_verifying_a_licence_records_the_name_it_locks(administrator, trainee):
    licence = LicenceFactory(holder=trainee)
    services.licence_verify(licence_id=licence.pk, actor=administrator)
    assert AuditEvent.objects.get(action="licence.verified").details == {"legal_name": "Ada Trainee"}


# The request ---------------------------------------------------------------------------


def test_a_request_changes_nothing_until_approved_and_is_audited(client_for, verified):
    client = client_for(verified)
    response = client.post(reverse("accounts:name_change_create"), request_data())
    assert response.status_code == 302
    change = NameChangeRequest.objects.get(user=verified)
    assert change.status == NameChangeRequest.Status.PENDING
    assert (change.current_name, change.requested_name) == ("Ada Trainee", "Ada Trainee-Okoro")
    assert change.document_content_type == "application/pdf"
    assert name_of(verified) == "Ada Trainee"
    event = AuditEvent.objects.get(action="name_change.requested")
    assert event.actor == verified
    assert event.details["old_name"] == "Ada Trainee"
    assert event.details["new_name"] == "Ada Trainee-Okoro"
    assert event.details["reason"] == "marriage"
    page = client.get(reverse("accounts:name_change_create")).content.decode()
    assert "Your request awaiting review" in page
    assert "Withdraw the request" in page
    # Its document is the trainee's to see.
    document = client.get(reverse("accounts:name_change_document", args=[change.pk]))
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"


def test_the_document_is_optional(client_for, verified):
    response = client_for(verified).post(reverse("accounts:name_change_create"), request_data(document=""))
    assert response.status_code == 302
    change = NameChangeRequest.objects.get(user=verified)
    assert not change.document
    assert client_for(verified).get(reverse("accounts:name_change_document", args=[change.pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"requested_name": "Ada Trainee"}, "requested_name", "This is already your legal name."),
        ({"requested_name": "Ada\u202eeniarT"}, "requested_name", "this name contains invisible formatting"),
        ({"requested_name": ""}, "requested_name", "This field is required."),
        ({"reason": "whim"}, "reason", "Select a valid choice."),
        (
            {"document": SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>")},
            "document",
            "Upload a JPEG, PNG or PDF. This file&#x27;s content is none of those.",
        ),
        (
            {"document": SimpleUploadedFile("deed.pdf", png_bytes())},
            "document",
            "The file is named deed.pdf but its content is a PNG image.",
        ),
    ],
)
def test_bad_input_is_refused_at_its_field_and_writes_nothing(client_for, verified, overrides, field, message):
    response = client_for(verified).post(reverse("accounts:name_change_create"), request_data(**overrides))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert message in response.content.decode()
    assert not NameChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="name_change").exists()
    assert stored_file_names("name-changes") == []


def test_one_open_request_per_trainee(client_for, verified):
    client = client_for(verified)
    client.post(reverse("accounts:name_change_create"), request_data())
    response = client.post(reverse("accounts:name_change_create"), request_data(requested_name="Ada Okoro"))
    assert response.status_code == 200
    assert str(services.MSG_NAME_CHANGE_OPEN).replace("'", "&#x27;") in response.content.decode()
    assert NameChangeRequest.objects.filter(user=verified).count() == 1
    assert len(stored_file_names(f"name-changes/{verified.pk}")) == 1  # the refused one's file is not kept


def test_the_database_holds_one_open_request_per_trainee(verified):
    NameChangeRequestFactory(user=verified)
    with pytest.raises(IntegrityError), transaction.atomic():
        NameChangeRequestFactory(user=verified, requested_name="Ada Okoro")
    # A decided one does not count.
    NameChangeRequestFactory(user=verified, status=NameChangeRequest.Status.WITHDRAWN, decided_at=timezone.now())


def test_a_request_that_loses_the_race_is_a_message_at_the_form(client_for, verified, monkeypatch):
    """As if another request committed between the check and the insert: the unique
    constraint refuses it, and the trainee reads why (its document is not kept)."""
    NameChangeRequestFactory(user=verified, requested_name="Ada Okoro")
    original = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists", lambda qs: False if qs.model is NameChangeRequest else original(qs))
    response = client_for(verified).post(reverse("accounts:name_change_create"), request_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(services.MSG_NAME_CHANGE_OPEN)]
    assert NameChangeRequest.objects.filter(user=verified).count() == 1
    assert stored_file_names(f"name-changes/{verified.pk}") == []


def test_the_trainee_withdraws_their_own_request_only(client_for, verified, other_trainee):
    change = NameChangeRequestFactory(user=verified)
    url = reverse("accounts:name_change_withdraw", args=[change.pk])
    assert client_for(other_trainee).post(url).status_code == 404
    change.refresh_from_db()
    assert change.status == NameChangeRequest.Status.PENDING
    response = client_for(verified).post(url)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == NameChangeRequest.Status.WITHDRAWN
    event = AuditEvent.objects.get(action="name_change.withdrawn")
    assert (event.actor, event.details["old_name"], event.details["new_name"]) == (
        verified, change.current_name, change.requested_name
    )  # fmt: skip
    assert name_of(verified) == "Ada Trainee"
    # Withdrawn is final; a new request may be made.
    with pytest.raises(ValidationError):
        services.name_change_request_withdraw(request_id=change.pk, user=verified)
    assert client_for(verified).post(reverse("accounts:name_change_create"), request_data()).status_code == 302


# The decision --------------------------------------------------------------------------


def test_the_review_shows_the_verified_licence_and_the_supporting_document(client_for, administrator, verified):
    change = NameChangeRequestFactory(user=verified, with_document=True)
    licence = Licence.objects.get(holder=verified)
    page = client_for(administrator).get(reverse("accounts:name_change_review", args=[change.pk])).content.decode()
    assert reverse("accounts:licence_document", args=[licence.pk]) in page
    assert reverse("accounts:name_change_document", args=[change.pk]) in page
    assert licence.number in page
    assert change.requested_name in page
    assert "Record decision" in page


def test_approving_changes_the_name_audits_both_names_and_emails_the_trainee(
    client_for, administrator, verified, mailoutbox, django_capture_on_commit_callbacks
):
    change = services.name_change_request_submit(user=verified, requested_name="Ada Trainee-Okoro", reason="marriage")
    staff = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("accounts:name_change_review", args=[change.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:name_change_queue")  # the queue is empty now
    assert name_of(verified) == "Ada Trainee-Okoro"
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (NameChangeRequest.Status.APPROVED, administrator)
    requested, approved = AuditEvent.objects.filter(action__startswith="name_change").order_by("id")
    assert (requested.action, requested.actor) == ("name_change.requested", verified)
    assert (approved.action, approved.actor) == ("name_change.approved", administrator)
    assert approved.details["old_name"] == "Ada Trainee"
    assert approved.details["new_name"] == "Ada Trainee-Okoro"
    (mail,) = mailoutbox
    assert mail.to == [verified.email]
    assert mail.subject.endswith("Your name change is approved")
    assert "from Ada Trainee to Ada Trainee-Okoro" in mail.body
    assert reverse("accounts:name_change_create") in mail.body
    # The trainee sees it on their pages.
    trainee_page = client_for(verified).get(reverse("accounts:name_change_create")).content.decode()
    assert "Approved" in trainee_page
    assert "Ada Trainee-Okoro" in client_for(verified).get(reverse("accounts:profile_edit")).content.decode()


def test_rejecting_needs_a_reason_keeps_the_name_and_tells_the_trainee_why(
    client_for, administrator, verified, mailoutbox, django_capture_on_commit_callbacks
):
    change = NameChangeRequestFactory(user=verified, requested_name="Ada Smith")
    staff = client_for(administrator)
    url = reverse("accounts:name_change_review", args=[change.pk])
    response = staff.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": [str(services.MSG_REASON_REQUIRED)]}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {"decision": "reject", "reason": "The document shows a different surname."})
    assert response.status_code == 302
    assert name_of(verified) == "Ada Trainee"
    event = AuditEvent.objects.get(action="name_change.rejected")
    assert event.details == {
        "old_name": "Ada Trainee", "new_name": "Ada Smith", "reason": "The document shows a different surname."
    }  # fmt: skip
    (mail,) = mailoutbox
    assert mail.subject.endswith("Your name change could not be approved")
    assert "Reason: The document shows a different surname." in mail.body
    page = client_for(verified).get(reverse("accounts:name_change_create")).content.decode()
    assert "Rejected" in page
    assert "The document shows a different surname." in page
    # Decided is final.
    with pytest.raises(ValidationError):
        services.name_change_approve(request_id=change.pk, actor=administrator)
    assert name_of(verified) == "Ada Trainee"


def test_only_administrators_decide(client_for, verified, other_trainee, instructor):
    change = NameChangeRequestFactory(user=verified)
    url = reverse("accounts:name_change_review", args=[change.pk])
    for user in (verified, other_trainee, instructor):
        assert client_for(user).post(url, {"decision": "approve"}).status_code == 403
    assert name_of(verified) == "Ada Trainee"
    assert NameChangeRequest.objects.get().status == NameChangeRequest.Status.PENDING


def test_an_approval_whose_name_moved_on_is_refused(administrator, verified):
    change = NameChangeRequestFactory(user=verified)
    User.objects.filter(pk=verified.pk).update(legal_name="Ada Elsewhere")
    with pytest.raises(ValidationError, match="has changed since this request was made"):
        services.name_change_approve(request_id=change.pk, actor=administrator)
    assert name_of(verified) == "Ada Elsewhere"


# The queue -----------------------------------------------------------------------------


def test_the_queue_costs_the_same_with_10_and_60_requests(client_for, administrator, django_assert_num_queries):
    client = client_for(administrator)
    client.get(reverse("accounts:name_change_queue"))  # warm the session
    made = 0
    counts = []
    for size in SIZES:
        trainees = [TraineeFactory(legal_name=f"Dr Queue {made + i:03d}") for i in range(size - made)]
        for user in trainees:
            NameChangeRequestFactory(user=user, submitted_at=timezone.now() - datetime.timedelta(minutes=made))
            made += 1
        with django_assert_num_queries(2 + 1 + 2) as captured:  # session, user, second factor; queue, total
            response = client.get(reverse("accounts:name_change_queue"))
        counts.append(len(captured.captured_queries))
        page = response.content.decode()
        assert f"{size} requests waiting" in page
        assert page.count(reverse("accounts:name_change_review", args=[trainees[0].name_change_requests.get().pk])) >= 1
    assert counts[0] == counts[1]


def test_the_admin_dashboard_counts_pending_name_changes_and_links_the_queue(client_for, administrator, verified):
    NameChangeRequestFactory(user=verified)
    page = client_for(administrator).get(reverse("accounts:admin_dashboard")).content.decode()
    assert (
        f'<a class="card" href="{reverse("accounts:name_change_queue")}"><div class="stat">1</div>'
        '<div class="stat-label">name changes awaiting review</div></a>'
    ) in page
