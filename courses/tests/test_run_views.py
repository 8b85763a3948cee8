"""The run pages: authoring (administrators edit; the course's instructors see the list and
rosters; others 404 or 403), the course page's choice of run, and My courses."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from core.models import AuditEvent
from courses import services
from courses.models import CourseRun, Enrolment
from courses.tests.factories import CourseFactory, CourseRunFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(instructor):
    course = CourseFactory(title="Glabellar lines", instructors=[instructor])
    return CourseRunFactory(
        course=course, code="2027-spring", title="Spring 2027, Leeds", places=12,
        starts_on=datetime.date(2027, 3, 12), ends_on=datetime.date(2027, 3, 14),
    )  # fmt: skip


def verified_trainee(**kwargs):
    trainee = TraineeFactory(**kwargs)
    LicenceFactory(holder=trainee, verified=True)
    return trainee


def run_data(**overrides) -> dict:
    data = {
        "code": "2027-autumn", "title": "Autumn 2027, Leeds", "starts_on": "2027-10-04", "ends_on": "2027-10-06",
        "enrolment_closes_on": "", "places": "10", "location": "Aire Clinic, Leeds", "status": "open",
    }  # fmt: skip
    data.update(overrides)
    return data


def field_errors(page: str, field: str) -> list[str]:
    """The messages shown under a field (partials/field.html)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


# Who may reach what -----------------------------------------------------------------------


def urls(run):
    code = run.course.code
    return {
        "list": reverse("courses:author_runs", args=[code]),
        "new": reverse("courses:author_run_create", args=[code]),
        "edit": reverse("courses:author_run", args=[code, run.pk]),
        "roster": reverse("courses:author_run_roster", args=[code, run.pk]),
    }


def test_administrators_reach_every_run_page(client_for, administrator, run):
    client = client_for(administrator)
    for url in urls(run).values():
        assert client.get(url).status_code == 200, url


def test_the_courses_instructors_see_the_runs_and_rosters_but_do_not_edit(client_for, instructor, run):
    client = client_for(instructor)
    found = urls(run)
    page = client.get(found["list"]).content.decode()
    assert "Spring 2027, Leeds" in page
    assert f'href="{found["edit"]}"' not in page  # no edit link
    assert "Add a run" not in page
    assert "Cancel the run" not in page
    assert client.get(found["roster"]).status_code == 200
    assert client.get(found["new"]).status_code == 403
    assert client.get(found["edit"]).status_code == 403
    assert client.post(found["new"], run_data()).status_code == 403
    cancel = reverse("courses:author_run_cancel", args=[run.course.code, run.pk])
    assert client.post(cancel, {"confirmed": "yes"}).status_code == 403
    run.refresh_from_db()
    assert run.status == CourseRun.Status.OPEN
    assert CourseRun.objects.count() == 1


def test_another_courses_instructor_gets_404(client_for, run):
    other = UserFactory(is_trainee=False, is_instructor=True)
    CourseFactory(instructors=[other])
    client = client_for(other)
    found = urls(run)
    assert client.get(found["list"]).status_code == 404
    assert client.get(found["roster"]).status_code == 404


def test_a_run_of_another_course_is_404_under_this_course(client_for, administrator, run):
    other = CourseRunFactory()
    client = client_for(administrator)
    assert client.get(reverse("courses:author_run", args=[run.course.code, other.pk])).status_code == 404
    assert client.get(reverse("courses:author_run_roster", args=[run.course.code, other.pk])).status_code == 404


def test_trainees_are_refused(client_for, trainee, run):
    client = client_for(trainee)
    for url in urls(run).values():
        assert client.get(url).status_code == 403, url


def test_the_course_authoring_page_links_to_its_runs(client_for, instructor, run):
    page = client_for(instructor).get(reverse("courses:author_course", args=[run.course.code])).content.decode()
    assert f'href="{reverse("courses:author_runs", args=[run.course.code])}"' in page


# Creating and changing runs --------------------------------------------------------------


def test_an_administrator_adds_a_run_with_date_inputs_and_it_is_audited(client_for, administrator, run):
    client = client_for(administrator)
    page = client.get(reverse("courses:author_run_create", args=[run.course.code])).content.decode()
    for name in ("starts_on", "ends_on", "enrolment_closes_on"):
        assert re.search(rf'<input type="date" name="{name}"', page), name
    assert 'value="cancelled"' not in page  # cancelling is its own action
    response = client.post(reverse("courses:author_run_create", args=[run.course.code]), run_data())
    assert response.status_code == 302
    created = CourseRun.objects.get(code="2027-autumn")
    assert created.course == run.course
    assert created.starts_on == datetime.date(2027, 10, 4)
    event = AuditEvent.objects.get(action="course_run.created")
    assert event.actor == administrator
    assert event.details["title"] == "Autumn 2027, Leeds"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2027-10-01"}, "ends_on", "The last day cannot be before the first day."),
        ({"enrolment_closes_on": "2027-10-07"}, "enrolment_closes_on",
         "Enrolment must close by the run&#x27;s last day."),
        ({"starts_on": "04/10/2027"}, "starts_on", "Enter a valid date."),
        ({"places": "0"}, "places", "Ensure this value is greater than or equal to 1."),
        ({"code": "2027-spring"}, "code", "This course already has a run with the code “2027-spring”."),
        ({"location": ""}, "location", "This field is required."),
    ],
)  # fmt: skip
def test_bad_input_is_explained_at_the_field(client_for, administrator, run, changes, field, message):
    response = client_for(administrator).post(
        reverse("courses:author_run_create", args=[run.course.code]), run_data(**changes)
    )
    assert response.status_code == 200
    assert field_errors(response.content.decode(), field) == [message]
    assert CourseRun.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="course_run.").exists()


def test_places_cannot_drop_below_the_trainees_enrolled(client_for, administrator, run):
    EnrolmentFactory.create_batch(3, course=run.course, run=run)
    client = client_for(administrator)
    data = run_data(code=run.code, title=run.title, starts_on="2027-03-12", ends_on="2027-03-14", places="2")
    response = client.post(reverse("courses:author_run", args=[run.course.code, run.pk]), data)
    assert field_errors(response.content.decode(), "places") == [
        "3 trainees are enrolled on this run: it needs at least that many places."
    ]
    data["places"] = "3"
    assert client.post(reverse("courses:author_run", args=[run.course.code, run.pk]), data).status_code == 302
    run.refresh_from_db()
    assert run.places == 3
    assert AuditEvent.objects.get(action="course_run.updated").details["places"] == 3


def test_cancelling_a_run_with_trainees_asks_first_and_deletes_nothing(client_for, administrator, run):
    EnrolmentFactory.create_batch(2, course=run.course, run=run)
    client = client_for(administrator)
    listing = client.get(reverse("courses:author_runs", args=[run.course.code])).content.decode()
    assert "2 trainees are enrolled on it." in listing  # the data-confirm question
    cancel = reverse("courses:author_run_cancel", args=[run.course.code, run.pk])
    page = client.post(cancel).content.decode()  # no script: the confirmation page
    assert "Cancel the run “Spring 2027, Leeds”?" in page
    assert "2 trainees are enrolled on it." in page
    run.refresh_from_db()
    assert run.status == CourseRun.Status.OPEN
    response = client.post(cancel, {"confirmed": "yes"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == CourseRun.Status.CANCELLED
    assert Enrolment.objects.filter(run=run, status=Enrolment.Status.ACTIVE).count() == 2
    assert AuditEvent.objects.get(action="course_run.cancelled").details["enrolled"] == 2


def test_an_empty_run_is_cancelled_without_asking(client_for, administrator, run):
    listing = client_for(administrator).get(reverse("courses:author_runs", args=[run.course.code])).content.decode()
    assert "data-confirm" not in listing
    client_for(administrator).post(reverse("courses:author_run_cancel", args=[run.course.code, run.pk]))
    run.refresh_from_db()
    assert run.status == CourseRun.Status.CANCELLED


# The roster --------------------------------------------------------------------------------

# Session, user, course (and whether the instructor teaches it), the run with its count,
# its enrolments with their trainees.
ROSTER_QUERIES = 6


def test_the_roster_lists_the_runs_trainees_in_a_fixed_number_of_queries(
    client_for, instructor, run, django_assert_num_queries
):
    withdrawn = EnrolmentFactory(
        course=run.course, run=run, status=Enrolment.Status.WITHDRAWN, withdrawn_at=timezone.now(),
        trainee=TraineeFactory(legal_name="Wanda Withdrawn"),
    )  # fmt: skip
    EnrolmentFactory(course=run.course)  # on the course, not on this run
    client = client_for(instructor)
    url = reverse("courses:author_run_roster", args=[run.course.code, run.pk])
    for total in (2, 20):
        while Enrolment.objects.filter(run=run, status=Enrolment.Status.ACTIVE).count() < total:
            EnrolmentFactory(course=run.course, run=run)
        with django_assert_num_queries(ROSTER_QUERIES):
            page = client.get(url).content.decode()
        assert page.count("<tr>") == 1 + total + 1  # the header, the enrolled, the withdrawn
        assert f"{total} of 12 places taken" in page
    assert withdrawn.trainee.email in page
    assert "Withdrawn" in page


# Trainees ----------------------------------------------------------------------------------


def test_the_course_page_lists_open_runs_with_dates_location_and_places(client_for, run):
    EnrolmentFactory.create_batch(9, course=run.course, run=run)
    CourseRunFactory(course=run.course, title="Draft cohort", status=CourseRun.Status.DRAFT)
    for user in (None, verified_trainee()):
        page = client_for(user).get(reverse("courses:detail", args=[run.course.code])).content.decode()
        assert "Spring 2027, Leeds" in page
        assert "12–14 March 2027" in page
        assert "Aire Clinic, Leeds" in page
        assert "3 of 12 places left" in page
        assert "Draft cohort" not in page
    assert f'<input type="radio" name="run" value="{run.pk}" id="run-{run.pk}"' in page


def test_a_trainee_chooses_a_run_and_sees_it_on_my_courses(client_for, run):
    trainee = verified_trainee()
    client = client_for(trainee)
    response = client.post(reverse("courses:enrol", args=[run.course.code]), {"run": run.pk})
    assert response["Location"] == reverse("courses:learn", args=[run.course.code])
    assert Enrolment.objects.get(trainee=trainee).run == run
    for url in (reverse("courses:my_courses"), reverse("courses:detail", args=[run.course.code])):
        page = client.get(url).content.decode()
        assert "Your run:" in page
        assert "Spring 2027, Leeds" in page


@pytest.mark.parametrize("case", ["none", "full", "other_course", "missing"])
def test_a_refused_run_is_explained_at_the_choice(client_for, run, case):
    trainee = verified_trainee()
    if case == "full":
        run.places = 1
        run.save()
        EnrolmentFactory(course=run.course, run=run)
    posted = {
        "none": {},
        "full": {"run": run.pk},
        "other_course": {"run": CourseRunFactory().pk},
        "missing": {"run": 999999},
    }[case]
    expected = {
        "none": str(services.MSG_RUN_REQUIRED),
        "full": "Spring 2027, Leeds is full.",
        "other_course": str(services.MSG_RUN_OTHER_COURSE),
        "missing": "That run does not exist; choose one of the runs listed.",
    }[case]
    response = client_for(trainee).post(reverse("courses:enrol", args=[run.course.code]), posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'<ul class="errorlist" id="id_run_error"><li>(.*?)</li>', page).group(1) == expected
    assert not Enrolment.objects.filter(trainee=trainee).exists()


def test_a_full_run_is_shown_but_cannot_be_chosen(client_for, run):
    run.places = 1
    run.save()
    EnrolmentFactory(course=run.course, run=run)
    page = client_for(verified_trainee()).get(reverse("courses:detail", args=[run.course.code])).content.decode()
    assert f'id="run-{run.pk}" disabled' in page
    assert "Full" in page


def test_the_catalogue_shows_a_courses_next_open_run_instead_of_its_seats(client, run):
    CourseRunFactory(course=run.course, starts_on=datetime.date(2027, 9, 1), ends_on=datetime.date(2027, 9, 3))
    CourseRunFactory(course=run.course, status=CourseRun.Status.DRAFT, starts_on=datetime.date(2027, 1, 1))
    CourseFactory(title="Without runs", capacity=20)
    page = client.get(reverse("courses:catalogue")).content.decode()
    assert "Next run: 12–14 March 2027, Aire Clinic, Leeds (and 1 more)" in page
    assert page.count("seats left") == 1  # the course without runs only


def test_the_course_roster_names_each_trainees_run(client_for, instructor, run):
    EnrolmentFactory(course=run.course, run=run)
    page = client_for(instructor).get(reverse("courses:roster", args=[run.course.code])).content.decode()
    assert "Spring 2027, Leeds" in page
