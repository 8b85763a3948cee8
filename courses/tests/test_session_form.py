"""The instructor's session form in daily use: dates that survive editing and amending,
today's date on a new session, the dose-warning acknowledgement beside the warning, the
instructor's home (record a session, drafts awaiting sign-off) and the areas treated on
the trainee's logbook."""

import datetime
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import TraineeFactory, UserFactory
from core.forms_utils import IsoDateInput
from courses.models import InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory, InjectionSessionFactory
from tests.support.handson import post_data, record

pytestmark = pytest.mark.django_db


def _date_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    assert 'type="date"' in tag
    return re.search(r'value="([^"]*)"', tag).group(1)


def _form_values(response) -> dict:
    """What a browser would post back from the page as rendered: every field's current
    value (the test client does not run the page)."""
    page = response.content.decode()
    values = post_data()
    for name in ("performed_on", "lot_expiry"):
        values[name] = _date_value(page, name)
    return values


# Dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["session_edit", "session_amend"])
def test_edit_and_amend_pages_show_the_dates_as_iso_and_save_unchanged(client_for, instructor, enrolment, view):
    performed = timezone.localdate() - datetime.timedelta(days=3)
    expiry = datetime.date(2026, 12, 7) if performed < datetime.date(2026, 12, 7) else performed
    session = record(enrolment, instructor, sign=view == "session_amend", performed_on=performed, lot_expiry=expiry)
    client = client_for(instructor)
    url = reverse(f"courses:{view}", args=[session.pk])
    response = client.get(url)
    page = response.content.decode()
    assert _date_value(page, "performed_on") == performed.isoformat()
    assert _date_value(page, "lot_expiry") == expiry.isoformat()
    values = _form_values(response)
    if view == "session_amend":
        values["amendment_reason"] = "Nothing changed; checking the form"
    response = client.post(url, values)
    assert response.status_code == 302, response.context["form"].errors
    saved = InjectionSession.objects.order_by("-created_at").first()
    assert (saved.performed_on, saved.lot_expiry) == (performed, expiry)


def test_every_date_field_of_the_project_is_written_as_iso():
    """The class of defect: any form's date input written in the language's format shows
    empty in a browser's date picker."""
    # Every form module, so that their classes are loaded.
    import accounts.forms  # noqa: F401
    import certification.forms  # noqa: F401
    import core.forms  # noqa: F401
    import courses.forms  # noqa: F401
    import courses.handson.forms  # noqa: F401
    import exams.practical.forms  # noqa: F401

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    date_inputs = [
        (form.__name__, name, field.widget)
        for form in set(subclasses(forms.BaseForm))
        if form.__module__.split(".")[0] in ("accounts", "core", "courses", "exams", "certification", "portal")
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field.widget, forms.DateInput)
        and field.widget.attrs.get("type", field.widget.input_type) == "date"  # the admin's are text inputs
    ]
    assert {name for _form, name, _widget in date_inputs} >= {"performed_on", "lot_expiry", "expires_on", "since"}
    for form, name, widget in date_inputs:
        assert widget.format_value(datetime.date(2026, 12, 7)) == "2026-12-07", (form, name)
        assert isinstance(widget, IsoDateInput), (form, name)


def test_a_new_session_is_dated_today(client_for, instructor, enrolment):
    page = client_for(instructor).get(reverse("courses:session_create", args=[enrolment.course.code])).content.decode()
    assert _date_value(page, "performed_on") == timezone.localdate().isoformat()


# The dose-warning acknowledgement --------------------------------------------------------


def _ack_box(page: str) -> str:
    return re.search(r"<div class=\"ack-warnings\"[^>]*>", page).group(0)


def test_the_acknowledgement_box_is_on_the_page_hidden_until_a_warning(client_for, instructor, enrolment):
    page = client_for(instructor).get(reverse("courses:session_create", args=[enrolment.course.code])).content.decode()
    assert "I have reviewed the dose warnings" in page  # there for the script to show
    assert " hidden" in _ack_box(page)


def test_a_draft_with_warnings_shows_the_box_on_the_first_visit(client_for, instructor, enrolment):
    units = {"procerus": 14, "corrugator_medial_r": 4}
    draft = record(enrolment, instructor, units=units, sign=False)
    assert draft.dose_warnings
    page = client_for(instructor).get(reverse("courses:session_edit", args=[draft.pk])).content.decode()
    box = _ack_box(page)
    assert " hidden" not in box
    assert "data-ack-sticky" in box


def test_the_box_stays_shown_after_the_server_asked_for_it(client_for, instructor, enrolment):
    response = client_for(instructor).post(
        reverse("courses:session_create", args=[enrolment.course.code]), post_data(enrolment, units_procerus="14")
    )
    box = _ack_box(response.content.decode())
    assert " hidden" not in box
    assert "data-ack-sticky" in box


# The instructor's home -----------------------------------------------------------------


def _drafts(count, *, instructor, enrolment):
    for _ in range(count):
        InjectionSessionFactory(enrolment=enrolment, instructor=instructor)


def test_the_instructors_home_records_a_session_and_lists_their_drafts(client_for, instructor, enrolment):
    other_instructor = UserFactory(is_trainee=False, is_instructor=True)
    enrolment.course.instructors.add(other_instructor)
    mine = InjectionSessionFactory(enrolment=enrolment, instructor=instructor, model_code="M-5501")
    InjectionSessionFactory(enrolment=enrolment, instructor=other_instructor, model_code="M-5502")  # not mine
    InjectionSessionFactory(enrolment=enrolment, instructor=instructor, model_code="M-5503", signed=True)  # signed
    client = client_for(instructor)
    page = client.get(reverse("accounts:instructor_dashboard")).content.decode()
    assert reverse("courses:session_create", args=[enrolment.course.code]) in page
    assert "Record a session" in page
    assert "Drafts awaiting your sign-off" in page
    assert "M-5501" in page
    assert reverse("courses:session_detail", args=[mine.pk]) in page
    assert "M-5502" not in page
    assert "M-5503" not in page
    assert "Learner One" in page


def test_the_instructors_home_costs_the_same_with_10_and_200_drafts(
    client_for, instructor, enrolment, django_assert_num_queries
):
    client = client_for(instructor)
    second = EnrolmentFactory(trainee=TraineeFactory(), course=CourseFactory(instructors=[instructor]))
    _drafts(10, instructor=instructor, enrolment=enrolment)
    for total in (10, 200):
        _drafts(total - InjectionSession.objects.count(), instructor=instructor, enrolment=second)
        with django_assert_num_queries(4):  # session, user, courses taught, drafts
            page = client.get(reverse("accounts:instructor_dashboard")).content.decode()
        assert page.count("Review and sign") == total


# The logbook's areas -------------------------------------------------------------------


def test_logbook_rows_show_the_areas_treated(client_for, instructor, enrolment):
    units = {"procerus": 4, "corrugator_medial_r": 4, "corrugator_medial_l": 4, "corrugator_lateral_r": 4,
             "corrugator_lateral_l": 4, "frontalis_1": 2, "frontalis_2": 2}  # fmt: skip
    record(enrolment, instructor, units=units)
    page = client_for(enrolment.trainee).get(reverse("courses:logbook", args=[enrolment.course.code])).content.decode()
    assert "Glabellar lines 20 U · Forehead lines 4 U" in page
