"""Authoring courses, modules and lessons in Glabella's own pages (courses.authoring):
who may do what, what is kept of a lesson's HTML, reordering without scripts, audit."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory, png_bytes
from core.models import AuditEvent
from courses.models import Course, Lesson, LessonCompletion, LessonImage, Module
from courses.tests.factories import CourseFactory, EnrolmentFactory, LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(instructor):
    course = CourseFactory(title="Glabellar lines", instructors=[instructor], credit_hours=16)
    module = ModuleFactory(course=course, position=1, title="Anatomy")
    for index, title in enumerate(["Procerus", "Corrugators", "Frontalis"], start=1):
        LessonFactory(module=module, position=index, title=title)
    return course


def course_admin_data(course: Course, **overrides) -> dict:
    data = {
        "code": course.code, "title": course.title, "summary": course.summary, "description": course.description,
        "status": course.status, "accrediting_body": course.accrediting_body,
        "accreditation_number": course.accreditation_number, "credit_hours": "16",
        "accreditation_valid_from": course.accreditation_valid_from.isoformat(),
        "accreditation_valid_until": course.accreditation_valid_until.isoformat(),
        "eligible_professions": course.eligible_professions, "capacity": course.capacity,
        "certificate_validity_months": course.certificate_validity_months, "director_name": "",
        "director_title": "", "handson_min_sessions": 10, "handson_recent_competent": 3,
        "handson_mentor_cases_count": "on", "handson_reviews_required": 0,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_hands_on_requirement_is_numbers_per_case_type_and_area_not_json(client_for, administrator, taught):
    """One number field per case type and per face-chart area, shown with what the course
    requires now; what is sent (zeros left out) is the requirement saved and audited."""
    taught.handson_type_minimums = {"observed": 10}
    taught.handson_area_minimums = {"glabella": 3}
    taught.save()
    client = client_for(administrator)
    url = reverse("courses:author_course", args=[taught.code])
    page = client.get(url).content.decode()
    assert "handson_type_minimums" not in page  # no JSON to type
    assert re.search(r'<label for="id_type_minimum_observed">Observed cases required</label>', page)
    assert 'name="type_minimum_observed" value="10"' in page
    assert "Performed cases including glabellar lines" in page
    assert 'name="area_minimum_glabella" value="3"' in page
    data = course_admin_data(
        taught, type_minimum_observed=10, type_minimum_supervised=12, type_minimum_independent=0,
        area_minimum_glabella=4, area_minimum_forehead=2, area_minimum_lateral_canthal="",
    )  # fmt: skip
    assert client.post(url, data).status_code == 302
    taught.refresh_from_db()
    assert taught.handson_type_minimums == {"observed": 10, "supervised": 12}
    assert taught.handson_area_minimums == {"glabella": 4, "forehead": 2}
    event = AuditEvent.objects.filter(action="course.updated").latest("id")
    assert event.details["handson"]["types"] == {"observed": 10, "supervised": 12}
    # A negative count is refused at its field, and nothing changes.
    refused = client.post(url, course_admin_data(taught, type_minimum_supervised=-1, area_minimum_glabella=9))
    assert refused.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in refused.content.decode()
    field = re.search(r'<input[^>]*name="type_minimum_supervised"[^>]*>', refused.content.decode()).group(0)
    assert 'aria-invalid="true"' in field
    taught.refresh_from_db()
    assert taught.handson_area_minimums == {"glabella": 4, "forehead": 2}


def lesson_titles(module: Module) -> list[str]:
    return list(module.lessons.order_by("position").values_list("title", flat=True))


# Who may reach what ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trainee", "examiner"])
def test_trainees_and_examiners_are_refused_every_authoring_page(client_for, request, taught, role):
    client = client_for(request.getfixturevalue(role))
    lesson = Lesson.objects.filter(module__course=taught).first()
    for url in (
        reverse("courses:author_courses"),
        reverse("courses:author_course", args=[taught.code]),
        reverse("courses:author_lesson", args=[taught.code, lesson.pk]),
        reverse("exams:settings", args=[taught.code]),
    ):
        assert client.get(url).status_code == 403, url


def test_an_instructor_sees_only_the_courses_they_teach(client_for, instructor, taught):
    other = CourseFactory(title="Crow's feet")
    client = client_for(instructor)
    page = client.get(reverse("courses:author_courses")).content.decode()
    assert "Glabellar lines" in page
    assert "Crow&#x27;s feet" not in page
    assert "Crow's feet" not in page
    assert "Create a course" not in page
    other_lesson = LessonFactory(module=ModuleFactory(course=other))
    for url in (
        reverse("courses:author_course", args=[other.code]),
        reverse("courses:author_lesson", args=[other.code, other_lesson.pk]),
        reverse("courses:author_module_create", args=[other.code]),
        reverse("exams:settings", args=[other.code]),
        # Someone else's lesson through the instructor's own course: still 404.
        reverse("courses:author_lesson", args=[taught.code, other_lesson.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("courses:author_lesson_delete", args=[other.code, other_lesson.pk])).status_code == 404
    assert client.get(reverse("courses:author_course_create")).status_code == 403
    assert Lesson.objects.filter(pk=other_lesson.pk).exists()


def test_an_instructor_edits_the_content_but_never_accreditation_or_settings(client_for, instructor, taught):
    client = client_for(instructor)
    page = client.get(reverse("courses:author_course", args=[taught.code])).content.decode()
    assert 'name="description"' in page
    assert 'name="accreditation_number"' not in page
    assert 'name="capacity"' not in page
    response = client.post(
        reverse("courses:author_course", args=[taught.code]),
        course_admin_data(
            taught, summary="Treating glabellar lines safely.", description="New description.",
            accreditation_number="FORGED-1", credit_hours="99", capacity=500, status="archived",
            certificate_validity_months=120,
        ),
    )  # fmt: skip
    assert response.status_code == 302
    taught.refresh_from_db()
    assert taught.description == "New description."
    assert taught.summary == "Treating glabellar lines safely."
    assert taught.accreditation_number != "FORGED-1"
    assert taught.credit_hours == 16
    assert taught.capacity == 20
    assert taught.status == Course.Status.PUBLISHED
    assert taught.certificate_validity_months == 24
    event = AuditEvent.objects.get(action="course.updated")
    assert event.actor == instructor
    assert event.object_id == str(taught.pk)


def test_an_administrator_creates_a_course_with_iso_dates_and_instructors(client_for, administrator, instructor):
    client = client_for(administrator)
    page = client.get(reverse("courses:author_course_create")).content.decode()
    assert 'type="date"' in page
    assert 'name="accreditation_number"' in page
    template = CourseFactory.build(code="BTA-900", title="Advanced toxin")
    response = client.post(
        reverse("courses:author_course_create"),
        course_admin_data(template, status="draft", instructors=[instructor.pk], accreditation_valid_from="2026-12-07",
                          accreditation_valid_until="2028-12-07"),
    )  # fmt: skip
    course = Course.objects.get(code="BTA-900")
    assert response["Location"] == reverse("courses:author_course", args=["BTA-900"])
    assert course.accreditation_valid_from == datetime.date(2026, 12, 7)
    assert list(course.instructors.all()) == [instructor]
    assert AuditEvent.objects.filter(action="course.created", object_id=str(course.pk), actor=administrator).exists()
    # An ambiguous date is refused at its field, and nothing typed is lost.
    response = client.post(
        reverse("courses:author_course_create"),
        course_admin_data(CourseFactory.build(code="BTA-901"), accreditation_valid_from="07/12/2026"),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["accreditation_valid_from"]
    assert 'value="BTA-901"' in response.content.decode()
    assert not Course.objects.filter(code="BTA-901").exists()


def test_the_window_rule_is_reported_at_the_field(client_for, administrator, taught):
    before = taught.accreditation_valid_until
    response = client_for(administrator).post(
        reverse("courses:author_course", args=[taught.code]),
        course_admin_data(taught, accreditation_valid_from="2027-01-01", accreditation_valid_until="2026-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "accreditation_valid_until": ["The accreditation must end after it starts (1 Jan 2027)."]
    }
    taught.refresh_from_db()
    assert taught.accreditation_valid_until == before


# Lessons: the editor's HTML is sanitised ---------------------------------------------------


def test_lesson_html_from_the_editor_is_sanitised_and_audited(client_for, instructor, taught):
    lesson = Lesson.objects.get(title="Procerus")
    image = LessonImage.objects.create(course=taught, image="x.png", content_type="image/png", alt_text="Procerus")
    own_src = reverse("courses:lesson_image", args=[taught.code, image.pk])
    body = (
        '<h2>Procerus</h2><p onclick="alert(1)"><strong>Depresses</strong> the <em>medial</em> brow.'
        "<script>alert('x')</script></p><ul><li>one</li></ul>"
        '<a href="javascript:alert(1)">bad link</a> <a href="https://example.org/atlas">atlas</a>'
        f'<img src="{own_src}" alt="Procerus" onerror="alert(2)"><img src="https://evil.example/x.png" alt="far">'
    )
    client = client_for(instructor)
    response = client.post(
        reverse("courses:author_lesson", args=[taught.code, lesson.pk]),
        {"title": "Procerus muscle", "minutes": 12, "body_html": body},
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    html = lesson.body_html
    assert "<script" not in html
    assert "alert" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "evil.example" not in html
    assert f'src="{own_src}"' in html
    assert "<h2>Procerus</h2>" in html
    assert "<strong>Depresses</strong>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org/atlas"' in html
    assert lesson.title == "Procerus muscle"
    assert lesson.minutes == 12
    event = AuditEvent.objects.get(action="lesson.updated")
    assert event.actor == instructor
    assert event.object_id == str(lesson.pk)
    # The trainee's lesson page shows the cleaned text.
    page = client.get(reverse("courses:lesson", args=[taught.code, lesson.pk])).content.decode()
    assert "<strong>Depresses</strong>" in page
    assert "evil.example" not in page


def test_the_lesson_form_works_without_scripts_as_a_textarea(client_for, instructor, taught):
    lesson = Lesson.objects.get(title="Procerus")
    page = client_for(instructor).get(reverse("courses:author_lesson", args=[taught.code, lesson.pk])).content.decode()
    assert '<textarea name="body_html"' in page
    assert "data-rich-editor" in page
    assert "js/lesson-editor.js" in page
    assert "The procerus pulls the medial brows down." in page


def test_a_new_lesson_goes_last_in_its_module(client_for, instructor, taught):
    module = taught.modules.get()
    client = client_for(instructor)
    response = client.post(
        reverse("courses:author_lesson_create", args=[taught.code, module.pk]),
        {"title": "Depressor supercilii", "minutes": 10, "body_html": "<p>Small.</p>"},
    )
    assert response.status_code == 302
    assert lesson_titles(module) == ["Procerus", "Corrugators", "Frontalis", "Depressor supercilii"]
    assert AuditEvent.objects.filter(action="lesson.created").count() == 1


def test_a_lesson_without_a_title_is_refused_at_the_field_keeping_the_text(client_for, instructor, taught):
    module = taught.modules.get()
    response = client_for(instructor).post(
        reverse("courses:author_lesson_create", args=[taught.code, module.pk]),
        {"title": "", "minutes": 10, "body_html": "<p>Keep this text.</p>"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["title"]
    assert "Keep this text." in response.content.decode()


def test_lesson_images_are_uploaded_with_the_usual_checks(client_for, instructor, taught):
    client = client_for(instructor)
    url = reverse("courses:author_image_upload", args=[taught.code])
    fake = SimpleUploadedFile("atlas.png", b"<script>not an image</script>", content_type="image/png")
    response = client.post(url, {"upload": fake, "alt_text": "Atlas"}, follow=True)
    assert not LessonImage.objects.exists()
    assert "Image: Upload a JPEG, PNG or PDF. This file&#x27;s content is none of those." in response.content.decode()
    real = SimpleUploadedFile("atlas.png", png_bytes(), content_type="image/png")
    client.post(url, {"upload": real, "alt_text": "Corrugator, front view"})
    image = LessonImage.objects.get()
    assert image.course == taught
    assert image.content_type == "image/png"
    assert AuditEvent.objects.filter(action="lesson_image.added", object_id=str(image.pk)).exists()
    lesson = Lesson.objects.get(title="Procerus")
    page = client.get(reverse("courses:author_lesson", args=[taught.code, lesson.pk])).content.decode()
    assert reverse("courses:lesson_image", args=[taught.code, image.pk]) in page


# Reorder and delete ---------------------------------------------------------------------------


def test_lessons_move_up_and_down_with_plain_form_posts(client_for, instructor, taught):
    module = taught.modules.get()
    frontalis = Lesson.objects.get(title="Frontalis")
    procerus = Lesson.objects.get(title="Procerus")
    client = client_for(instructor)
    page = client.get(reverse("courses:author_course", args=[taught.code])).content.decode()
    assert reverse("courses:author_lesson_move", args=[taught.code, frontalis.pk]) in page
    response = client.post(reverse("courses:author_lesson_move", args=[taught.code, frontalis.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert lesson_titles(module) == ["Procerus", "Frontalis", "Corrugators"]
    client.post(reverse("courses:author_lesson_move", args=[taught.code, procerus.pk]), {"direction": "down"})
    assert lesson_titles(module) == ["Frontalis", "Procerus", "Corrugators"]
    # The first cannot go further up: nothing changes, nothing is audited.
    before = AuditEvent.objects.count()
    client.post(reverse("courses:author_lesson_move", args=[taught.code, frontalis.pk]), {"direction": "up"})
    assert lesson_titles(module) == ["Frontalis", "Procerus", "Corrugators"]
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.filter(action="lesson.reordered").count() == 2


def test_a_drag_posts_the_whole_order_and_a_wrong_list_is_refused(client_for, instructor, taught):
    module = taught.modules.get()
    ids = {title: pk for pk, title in module.lessons.values_list("pk", "title")}
    client = client_for(instructor)
    url = reverse("courses:author_lesson_move", args=[taught.code, ids["Procerus"]])
    order = [ids["Corrugators"], ids["Frontalis"], ids["Procerus"]]
    response = client.post(url, {"ids": order}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204
    assert lesson_titles(module) == ["Corrugators", "Frontalis", "Procerus"]
    stranger = LessonFactory().pk
    response = client.post(url, {"ids": [ids["Procerus"], stranger]}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400
    assert "reload the page" in response.content.decode()
    assert lesson_titles(module) == ["Corrugators", "Frontalis", "Procerus"]


def test_modules_reorder_and_delete_after_confirmation(client_for, administrator, taught):
    second = ModuleFactory(course=taught, position=2, title="Technique")
    first = taught.modules.get(title="Anatomy")
    lesson = first.lessons.first()
    LessonCompletion.objects.create(enrolment=EnrolmentFactory(course=taught), lesson=lesson)
    client = client_for(administrator)
    client.post(reverse("courses:author_module_move", args=[taught.code, second.pk]), {"direction": "up"})
    assert list(taught.modules.order_by("position").values_list("title", flat=True)) == ["Technique", "Anatomy"]
    url = reverse("courses:author_module_delete", args=[taught.code, first.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "its 3 lessons are deleted" in asked.content.decode()
    assert "cannot be undone" in asked.content.decode()
    # One lesson is named in the singular (no "lesson(s)"), in the question and the page.
    LessonFactory(module=second, title="Dilution")
    outline = client.get(reverse("courses:author_course", args=[taught.code])).content.decode()
    assert "“Technique” and its 1 lesson, with trainees' completions of it?" in outline
    assert "(s)" not in outline
    single = client.post(reverse("courses:author_module_delete", args=[taught.code, second.pk])).content.decode()
    assert "The module and its 1 lesson are deleted" in single
    assert Module.objects.filter(pk=first.pk).exists()
    response = client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302
    assert not Module.objects.filter(pk=first.pk).exists()
    assert list(taught.modules.values_list("title", "position")) == [("Technique", 1)]
    event = AuditEvent.objects.get(action="module.deleted")
    assert event.details["lessons"] == ["Procerus", "Corrugators", "Frontalis"]


def test_deleting_a_lesson_asks_then_renumbers(client_for, instructor, taught):
    module = taught.modules.get()
    corrugators = Lesson.objects.get(title="Corrugators")
    client = client_for(instructor)
    url = reverse("courses:author_lesson_delete", args=[taught.code, corrugators.pk])
    assert "cannot be undone" in client.post(url).content.decode()
    client.post(url, {"confirmed": "yes"})
    assert list(module.lessons.order_by("position").values_list("title", "position")) == [
        ("Procerus", 1),
        ("Frontalis", 2),
    ]
    assert AuditEvent.objects.filter(action="lesson.deleted", actor=instructor).exists()


# Queries -------------------------------------------------------------------------------------


def test_the_course_list_runs_the_same_queries_for_more_courses(client_for, administrator, django_assert_num_queries):
    client = client_for(administrator)
    for _ in range(2):
        ModuleFactory(course=CourseFactory())
    client.get(reverse("courses:author_courses"))  # warm caches (session, site)
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("courses:author_courses"))
    for _ in range(5):
        course = CourseFactory()
        LessonFactory(module=ModuleFactory(course=course))
        EnrolmentFactory(course=course)
    with django_assert_num_queries(len(baseline.captured_queries)):
        page = client.get(reverse("courses:author_courses")).content.decode()
    assert page.count(reverse("courses:author_courses")) >= 1
    assert page.count("/author/courses/BTA-") >= 7


def test_the_instructor_dashboard_and_the_admin_dashboard_link_to_the_authoring_pages(
    client_for, instructor, administrator, taught
):
    page = client_for(instructor).get(reverse("accounts:instructor_dashboard")).content.decode()
    assert reverse("courses:author_course", args=[taught.code]) in page
    page = client_for(administrator).get(reverse("accounts:admin_dashboard")).content.decode()
    assert reverse("courses:author_course", args=[taught.code]) in page
    assert "/admin/courses/" not in page


def test_the_django_admin_is_for_superusers_only(client_for, instructor, administrator):
    assert client_for(instructor).get("/admin/").status_code == 302  # to the sign-in page
    staff = UserFactory(is_trainee=False, is_administrator=True, is_staff=True, is_superuser=False)
    from accounts.tests.factories import add_totp

    add_totp(staff)
    assert client_for(staff).get("/admin/").status_code == 302
    assert client_for(administrator).get("/admin/").status_code == 200
