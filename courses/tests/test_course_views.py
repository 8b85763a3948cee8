import pytest
from django.urls import reverse

from accounts.tests.factories import LicenceFactory, UserFactory
from courses.models import Enrolment, LessonCompletion
from courses.tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    LessonFactory,
    ModuleFactory,
    course_with_lessons,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(trainee):
    LicenceFactory(holder=trainee, verified=True)
    return trainee


def test_catalogue_searches_filters_and_hides_drafts(client):
    CourseFactory(title="Glabellar Foundations", code="GLB-1", eligible_professions=["md"], credit_hours=16)
    CourseFactory(
        title="Nurse Injector Essentials",
        code="NIE-1",
        eligible_professions=["rn"],
        credit_hours=8,
        accrediting_body="Nursing CE Board",
    )
    CourseFactory(title="Secret Draft", status="draft")
    url = reverse("courses:catalogue")
    titles = lambda response: [c.title for c in response.context["page"]]  # noqa: E731
    assert titles(client.get(url)) == ["Glabellar Foundations", "Nurse Injector Essentials"]
    assert titles(client.get(url, {"q": "glabellar"})) == ["Glabellar Foundations"]
    assert titles(client.get(url, {"q": "NIE"})) == ["Nurse Injector Essentials"]
    assert titles(client.get(url, {"profession": "rn"})) == ["Nurse Injector Essentials"]
    assert titles(client.get(url, {"body": "Nursing CE Board"})) == ["Nurse Injector Essentials"]
    assert titles(client.get(url, {"min_credits": "10"})) == ["Glabellar Foundations"]
    bad = client.get(url, {"min_credits": "lots"})
    assert bad.status_code == 200
    assert bad.context["form"].errors == {"min_credits": ["Enter a number."]}


def test_catalogue_paginates(client):
    for index in range(15):
        CourseFactory(title=f"Course {index:02d}")
    first = client.get(reverse("courses:catalogue"))
    second = client.get(reverse("courses:catalogue"), {"page": 2})
    assert len(first.context["page"]) == 12
    assert len(second.context["page"]) == 3


def test_course_page_is_public_and_drafts_are_404(client_for, trainee, instructor):
    course = course_with_lessons(2, title="Public Course")
    page = client_for(None).get(reverse("courses:detail", args=[course.code])).content.decode()
    assert "Public Course" in page
    assert "AMAC-2026-" in page
    assert "Sign in to enrol" in page
    draft = CourseFactory(status="draft", instructors=[instructor])
    url = reverse("courses:detail", args=[draft.code])
    assert client_for(None).get(url).status_code == 404
    assert client_for(trainee).get(url).status_code == 404
    assert client_for(instructor).get(url).status_code == 200


def test_unverified_trainee_is_told_why_and_cannot_enrol(client_for, trainee):
    course = CourseFactory()
    client = client_for(trainee)
    page = client.get(reverse("courses:detail", args=[course.code])).content.decode()
    assert "You need a verified, unexpired licence before you can enrol." in page
    assert f'action="/courses/{course.code}/enrol/"' not in page
    response = client.post(reverse("courses:enrol", args=[course.code]), follow=True)
    assert "You need a verified, unexpired licence before you can enrol." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_verified_trainee_enrols_studies_and_resumes(client_for, verified):
    course = course_with_lessons(3)
    lessons = list(course.modules.first().lessons.all())
    client = client_for(verified)
    response = client.post(reverse("courses:enrol", args=[course.code]))
    assert response["Location"] == reverse("courses:learn", args=[course.code])
    assert client.get(response["Location"])["Location"] == reverse("courses:lesson", args=[course.code, lessons[0].pk])
    response = client.post(
        reverse("courses:lesson_complete", args=[course.code, lessons[0].pk]), {"next": lessons[1].pk}
    )
    assert response["Location"] == reverse("courses:lesson", args=[course.code, lessons[1].pk])
    client.get(response["Location"])  # opens lesson 2, then leaves
    assert client.get(reverse("courses:learn", args=[course.code]))["Location"] == reverse(
        "courses:lesson", args=[course.code, lessons[1].pk]
    )
    page = client.get(reverse("accounts:trainee_dashboard")).content.decode()
    assert 'aria-valuenow="1"' in page
    assert "1 of 3 lessons complete." in page


def test_lessons_are_404_for_trainees_not_enrolled(client_for, verified, other_trainee):
    course = course_with_lessons(1)
    lesson = course.modules.first().lessons.first()
    EnrolmentFactory(trainee=verified, course=course)
    url = reverse("courses:lesson", args=[course.code, lesson.pk])
    assert client_for(verified).get(url).status_code == 200
    assert client_for(other_trainee).get(url).status_code == 404
    complete = reverse("courses:lesson_complete", args=[course.code, lesson.pk])
    assert client_for(other_trainee).post(complete).status_code == 404
    assert not LessonCompletion.objects.exists()
    other_course = course_with_lessons(1)
    wrong = reverse("courses:lesson", args=[other_course.code, lesson.pk])
    assert client_for(verified).get(wrong).status_code == 404


def test_script_typed_by_an_author_never_reaches_the_trainee(client_for, verified):
    from courses import services

    course = CourseFactory()
    module = ModuleFactory(course=course)
    lesson = LessonFactory.build(
        module=module,
        position=1,
        body_html='<p>Hi</p><script>alert("x")</script><img src=x onerror=alert(1)>',
    )
    services.lesson_save(lesson=lesson)
    EnrolmentFactory(trainee=verified, course=course)
    page = client_for(verified).get(reverse("courses:lesson", args=[course.code, lesson.pk])).content.decode()
    assert "<p>Hi</p>" in page
    assert 'alert("x")' not in page
    assert "onerror" not in page


def test_roster_is_for_the_course_instructors_only(client_for, instructor, administrator, trainee):
    course = course_with_lessons(2, instructors=[instructor])
    EnrolmentFactory(trainee=trainee, course=course)
    url = reverse("courses:roster", args=[course.code])
    page = client_for(instructor).get(url).content.decode()
    assert trainee.email in page
    assert 'aria-label="Cases treated"' in page  # hands-on progress per trainee
    assert client_for(administrator).get(url).status_code == 200
    other_instructor = UserFactory(is_trainee=False, is_instructor=True)
    assert client_for(other_instructor).get(url).status_code == 404
    assert client_for(trainee).get(url).status_code == 403
    teach = client_for(instructor).get(reverse("accounts:instructor_dashboard")).content.decode()
    assert course.title in teach


# The course page with its pathway (written exam state: attempts, settings, accommodations,
# bookings) and its open runs.
QUERY_BUDGET = 16


# The catalogue: the count, the accrediting bodies for the filter, the page of courses
# (lesson totals and seats annotated); a signed-in trainee adds the session and the user.
CATALOGUE_QUERIES = 3


def test_catalogue_queries_do_not_grow_with_courses(client, trainee, django_assert_num_queries):
    for total, new in ((10, 10), (200, 190)):
        CourseFactory.create_batch(new, accrediting_body="Board")
        client.logout()
        with django_assert_num_queries(CATALOGUE_QUERIES):
            first = client.get(reverse("courses:catalogue"))
        with django_assert_num_queries(CATALOGUE_QUERIES):
            last = client.get(reverse("courses:catalogue"), {"page": "999", "body": "Board"})
        assert first.context["page"].paginator.count == total
        assert len(first.context["page"]) == min(total, 12)
        assert all(course.title in first.content.decode() for course in first.context["page"])
        assert len(last.context["page"]) == (total - 1) % 12 + 1
        client.force_login(trainee)
        with django_assert_num_queries(CATALOGUE_QUERIES + 2):
            signed_in = client.get(reverse("courses:catalogue"))
        assert signed_in.context["page"].paginator.count == total


def test_course_page_queries_do_not_grow_with_lessons(client_for, verified, django_assert_max_num_queries):
    course = course_with_lessons(2)
    EnrolmentFactory(trainee=verified, course=course)
    client = client_for(verified)
    url = reverse("courses:detail", args=[course.code])
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(url)
    module = course.modules.first()
    for index in range(40):
        LessonFactory(module=module, position=100 + index)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(url)


# The trainee dashboard: session, user, licences, enrolments (lesson counts annotated),
# then hands-on sessions, the written exam's state (attempts, settings, accommodations,
# bookings), practicals and certificates for all of them.
DASHBOARD_QUERIES = 11


def test_dashboard_queries_do_not_grow_with_enrolments(client_for, verified, django_assert_num_queries):
    client = client_for(verified)
    enrolments = []
    for total in (10, 200):
        while len(enrolments) < total:
            course = course_with_lessons(1)
            enrolment = EnrolmentFactory(trainee=verified, course=course)
            if len(enrolments) % 2:  # half of them part way through the theory
                LessonCompletion.objects.create(enrolment=enrolment, lesson=course.modules.first().lessons.first())
            enrolments.append(enrolment)
        with django_assert_num_queries(DASHBOARD_QUERIES):
            response = client.get(reverse("accounts:trainee_dashboard"))
        page = response.content.decode()
        assert len(response.context["journeys"]) == total
        assert all(enrolment.course.title in page for enrolment in enrolments)


def test_roster_queries_do_not_grow_with_trainees(client_for, instructor, django_assert_max_num_queries):
    course = course_with_lessons(3, instructors=[instructor], capacity=100)
    client = client_for(instructor)
    EnrolmentFactory.create_batch(2, course=course)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(reverse("courses:roster", args=[course.code]))
    EnrolmentFactory.create_batch(40, course=course)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(reverse("courses:roster", args=[course.code]))


def test_lesson_page_queries_do_not_grow_with_lessons(client_for, verified, django_assert_max_num_queries):
    course = course_with_lessons(2)
    EnrolmentFactory(trainee=verified, course=course)
    first = course.modules.first().lessons.first()
    client = client_for(verified)
    url = reverse("courses:lesson", args=[course.code, first.pk])
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(url)
    for index in range(40):
        LessonFactory(module=course.modules.first(), position=100 + index)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(url)


def test_trainee_without_role_cannot_enrol(client_for, instructor):
    course = CourseFactory()
    assert client_for(instructor).post(reverse("courses:enrol", args=[course.code])).status_code == 403
    assert not Enrolment.objects.exists()


def test_a_lesson_image_whose_file_is_missing_is_404_not_500(client_for, verified):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.tests.factories import png_bytes
    from courses.services import lesson_image_add

    course = course_with_lessons(1)
    EnrolmentFactory(trainee=verified, course=course)
    image = lesson_image_add(course=course, upload=SimpleUploadedFile("a.png", png_bytes()), alt_text="Procerus")
    url = reverse("courses:lesson_image", args=[course.code, image.pk])
    assert client_for(verified).get(url).status_code == 200
    image.image.storage.delete(image.image.name)
    assert client_for(verified).get(url).status_code == 404


@pytest.mark.parametrize(
    "following",
    ["²", "¹²", "١", "٣", "𝟙", "-1", "+1", " 1", "1.0", "1e3", "9" * 5000, "9" * 19, "0", "x", "", "\x00"],
)
def test_completing_a_lesson_with_a_strange_next_goes_back_to_the_lesson(client_for, verified, following):
    """``next`` is the following lesson's id as the page wrote it: anything else (unicode
    digits, signs, thousands of digits) is ignored, never a 500."""
    course = course_with_lessons(2)
    lesson = course.modules.first().lessons.first()
    EnrolmentFactory(trainee=verified, course=course)
    response = client_for(verified).post(
        reverse("courses:lesson_complete", args=[course.code, lesson.pk]), {"next": following}, follow=True
    )
    assert response.redirect_chain == [(reverse("courses:lesson", args=[course.code, lesson.pk]), 302)]
    assert "Lesson complete." in response.content.decode()
    assert LessonCompletion.objects.filter(lesson=lesson).exists()
