"""The hands-on log never holds who the model (the patient) is: no field for a name, a
birth date or a photo in the models or the forms, and such keys posted to the session
and consultation forms, or to the trainee's case form for a mentor, are dropped, and
neither the mentor's email nor the sign-off page shows them. Photographs are the one
exception, in their own model (CasePhoto), with the model's explicit consent
(courses/tests/test_photos.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.forms import FileField
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import png_bytes
from core.models import AuditEvent
from courses.handson.consultation_forms import ConsultationForm, ResolutionForm
from courses.handson.forms import AmendmentForm, ReflectionForm, SessionForm
from courses.handson.mentor_forms import MentorCaseForm, MentorCodeSignOffForm, MentorSignOffForm
from courses.handson.review_forms import ReviewForm
from courses.models import (
    AdverseEvent,
    CasePhoto,
    Consultation,
    InjectionSession,
    Review,
    ReviewReminder,
    ReviewSite,
    SessionSite,
    SignOffRequest,
)
from courses.tests.factories import MentorFactory
from tests.support.consultation import consultation_post
from tests.support.handson import post_data, record
from tests.support.mentors import LINK

pytestmark = pytest.mark.django_db

# Words that would mean a field for identifying the person treated.
DENY = re.compile(
    r"name|patient|birth|\bdob\b|dob_|photo|image|picture|portrait|selfie|address|phone|e-?mail|"
    r"surname|initials|\bnhs\b|insurance|passport|id_number",
    re.IGNORECASE,
)
# The consultation records the consent to photographs (a yes/no), so "photo" is allowed there.
DENY_BUT_PHOTO_CONSENT = re.compile(DENY.pattern.replace("photo|", ""), re.IGNORECASE)
SENTINELS = {
    "patient_name": "Zelphine Q. Patient",
    "name": "Zelphine Patient",
    "first_name": "Zelphine",
    "last_name": "Quinterro",
    "patient": "Quinterro, Zelphine",
    "date_of_birth": "1980-05-12",
    "birth_date": "12/05/1980",
    "dob": "1980-05-12",
    "model_name": "Zelphine Quinterro",
}
UPLOADS = ("photo", "image", "patient_photo", "before_photo")


def describe(field) -> str:
    return f"{field.name} {getattr(field, 'verbose_name', '')} {getattr(field, 'help_text', '')}"


# The Mentor model names the mentor (a professional), not the model treated: not checked here.
@pytest.mark.parametrize(
    "model", [InjectionSession, SessionSite, SignOffRequest, Review, ReviewSite, AdverseEvent, ReviewReminder]
)
def test_no_model_field_could_hold_a_name_a_birth_date_or_a_photo(model):
    fields = model._meta.get_fields()
    assert len(fields) > 2
    for field in fields:
        if field.related_model is CasePhoto:
            continue  # the photographs, in their own model, with consent
        label = f"{field.name} {getattr(field, 'verbose_name', '')}"
        assert not DENY.search(label), f"{model.__name__}.{field.name}"
        assert not isinstance(field, models.FileField), f"{model.__name__}.{field.name}"
    # The model code's help says what never goes there; that is the only mention.
    assert "Never a name or a birth date" in str(InjectionSession._meta.get_field("model_code").help_text)


@pytest.mark.parametrize(
    "form_class",
    [SessionForm, AmendmentForm, ReflectionForm, MentorCaseForm, MentorSignOffForm, MentorCodeSignOffForm],
)
def test_no_form_field_asks_for_a_name_a_birth_date_or_a_photo(form_class, enrolment):
    kwargs = {"enrolments": type(enrolment).objects.all()} if form_class in (SessionForm, AmendmentForm) else {}
    form = form_class(**kwargs)
    assert not form.is_multipart()
    for name, field in form.fields.items():
        if form_class is MentorCaseForm and name == "mentor":
            continue  # the trainee's mentor, by name: not the model's identity
        assert not DENY.search(f"{name} {field.label}"), name
        assert not isinstance(field, FileField), name


def test_no_review_form_field_asks_for_a_name_a_birth_date_or_a_photo(instructor, enrolment):
    form = ReviewForm(session=record(enrolment, instructor))
    assert not form.is_multipart()
    for name, field in form.fields.items():
        assert not DENY.search(f"{name} {field.label}"), name
        assert not isinstance(field, FileField), name


def test_patient_details_posted_to_the_review_form_are_dropped_and_never_mailed(
    client_for, instructor, enrolment, django_capture_on_commit_callbacks
):
    from django.core import mail

    from courses.handson.review_services import review_reminders_send

    today = timezone.localdate()
    session = record(enrolment, instructor, performed_on=today - datetime.timedelta(days=12))
    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_send()
    payload = {"reviewed_on": today.isoformat(), "outcome": "full", "symmetry": "symmetrical", **SENTINELS}
    payload.update({key: SimpleUploadedFile(f"{key}.png", png_bytes(), "image/png") for key in UPLOADS})
    client = client_for(instructor)
    client.post(reverse("courses:review_create", args=[session.pk]), payload)
    review = Review.objects.get()
    client.post(reverse("courses:review_sign", args=[review.pk]), {"confirmed": "yes"})
    stored = repr(list(Review.objects.values())) + repr(list(AuditEvent.objects.values("summary", "details")))
    pages = "".join(
        client_for(user).get(url).content.decode()
        for user, url in (
            (instructor, reverse("courses:review_detail", args=[review.pk])),
            (enrolment.trainee, reverse("courses:session_detail", args=[session.pk])),
            (enrolment.trainee, reverse("courses:logbook", args=[enrolment.course.code])),
        )
    )
    mails = "".join(m.subject + m.body for m in mail.outbox)
    assert len(mail.outbox) == 2
    assert session.model_code in mails
    for value in (*SENTINELS.values(), "Quinterro", "1980"):
        assert value not in stored + pages + mails, value


def test_the_deny_list_would_catch_such_fields():
    for bad in ("patient_name", "date_of_birth", "dob", "photo", "Model's name", "Before image", "surname"):
        assert DENY.search(bad), bad
    for fine in ("model_code", "clinic", "lot_number", "performed_on", "units_procerus", "enrolment", "ratings"):
        assert not DENY.search(fine), fine


def test_patient_details_posted_to_the_session_form_are_dropped(client_for, instructor, enrolment, settings):
    def private_files():
        root = settings.PRIVATE_MEDIA_ROOT
        return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    before = private_files()  # the trainee's licence scan
    client = client_for(instructor)
    url = reverse("courses:session_create", args=[enrolment.course.code])
    payload = post_data(enrolment, **SENTINELS)
    payload.update({key: SimpleUploadedFile(f"{key}.png", png_bytes(), "image/png") for key in UPLOADS})
    response = client.post(url, payload)  # multipart, with the photos
    session = InjectionSession.objects.get()
    assert response["Location"] == reverse("courses:session_detail", args=[session.pk])
    client.post(reverse("courses:session_sign", args=[session.pk]), {"confirmed": "yes"})
    session.refresh_from_db()
    assert session.status == "signed"

    stored = repr(list(InjectionSession.objects.values())) + repr(list(SessionSite.objects.values()))
    stored += repr(list(AuditEvent.objects.values("summary", "details")))
    for value in (*SENTINELS.values(), "Quinterro", "1980", "photo.png", "image.png"):
        assert value not in stored, value
    assert session.model_code == "M-0147"
    # No upload was kept anywhere in private storage.
    assert private_files() == before
    # And none of it is shown back.
    page = client.get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert "Quinterro" not in page
    assert "Zelphine" not in page


@pytest.mark.parametrize("code", ["Zelphine Smith", "ZelphineSmith", "12-05-1980", "19800512", "120580"])
def test_a_name_or_a_birth_date_is_refused_as_the_model_code(client_for, instructor, enrolment, code):
    response = client_for(instructor).post(
        reverse("courses:session_create", args=[enrolment.course.code]), post_data(enrolment, model_code=code)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["model_code"]
    assert not InjectionSession.objects.exists()


def test_no_consultation_field_could_hold_a_name_a_birth_date_or_a_photo():
    for field in Consultation._meta.get_fields():
        label = f"{field.name} {getattr(field, 'verbose_name', '')}"
        assert not DENY_BUT_PHOTO_CONSENT.search(label), field.name
        assert not isinstance(field, models.FileField), field.name
    for form in (ConsultationForm(), ResolutionForm()):
        assert not form.is_multipart()
        for name, field in form.fields.items():
            assert not DENY_BUT_PHOTO_CONSENT.search(f"{name} {field.label}"), name
    # Each free-text field says what never goes there.
    form = ConsultationForm()
    for name in ("history", "goals"):
        assert "No names or dates of birth." in str(form.fields[name].help_text)
    assert "No names or dates of birth" in str(ResolutionForm().fields["resolution_note"].help_text)


def test_patient_details_posted_to_the_consultation_form_are_dropped(client_for, instructor, enrolment):
    session = record(enrolment, instructor, sign=False)
    client = client_for(instructor)
    payload = consultation_post(**SENTINELS)
    payload.update({key: SimpleUploadedFile(f"{key}.png", png_bytes(), "image/png") for key in UPLOADS})
    response = client.post(reverse("courses:consultation_edit", args=[session.pk]), payload)
    assert response.status_code == 302
    stored = repr(list(Consultation.objects.values())) + repr(list(AuditEvent.objects.values("summary", "details")))
    for value in (*SENTINELS.values(), "Quinterro", "1980"):
        assert value not in stored, value
    assert not CasePhoto.objects.exists()
    page = client.get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert "Quinterro" not in page


def test_patient_details_posted_to_a_mentor_case_reach_neither_the_record_nor_the_mentor(
    client_for, enrolment, django_capture_on_commit_callbacks, client
):
    from django.core import mail

    mentor = MentorFactory(trainee=enrolment.trainee, verified=True)
    trainee = client_for(enrolment.trainee)
    payload = post_data(**SENTINELS) | {"mentor": mentor.pk}
    payload.update({key: SimpleUploadedFile(f"{key}.png", png_bytes(), "image/png") for key in UPLOADS})
    trainee.post(reverse("courses:mentor_case_create", args=[enrolment.course.code]), payload)
    session = InjectionSession.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        trainee.post(reverse("courses:mentor_case_send", args=[session.pk]))
    (message,) = mail.outbox
    token = LINK.search(message.body).group(1)
    trainee.logout()
    page = client.get(reverse("courses:signoff", args=[token])).content.decode()
    stored = repr(list(InjectionSession.objects.values())) + repr(list(SignOffRequest.objects.values()))
    stored += repr(list(AuditEvent.objects.values("summary", "details")))
    for value in (*SENTINELS.values(), "Quinterro", "1980", "photo.png"):
        assert value not in stored, value
        assert value not in message.subject + message.body, value
        assert value not in page, value
    assert "M-0147" in page
