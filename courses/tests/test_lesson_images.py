"""A course's lesson images on the authoring pages: listed with a thumbnail, their
description and the lessons that show them; deleted only when no lesson does, after a
confirmation, the stored file going once the deletion commits; audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory, png_bytes
from core.models import AuditEvent
from courses.authoring import services as authoring_services
from courses.models import Lesson, LessonImage
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(instructor):
    course = CourseFactory(title="Glabellar lines", instructors=[instructor])
    module = ModuleFactory(course=course, position=1, title="Anatomy")
    for index, title in enumerate(["Procerus", "Corrugators", "Frontalis"], start=1):
        LessonFactory(module=module, position=index, title=title, body_html="<p>Text.</p>")
    return course


def add_image(course, actor, alt_text: str) -> LessonImage:
    upload = SimpleUploadedFile("image.png", png_bytes(), content_type="image/png")
    return authoring_services.lesson_image_add(course=course, upload=upload, alt_text=alt_text, actor=actor)


def show_in(lesson: Lesson, image: LessonImage) -> None:
    src = reverse("courses:lesson_image", args=[image.course.code, image.pk])
    Lesson.objects.filter(pk=lesson.pk).update(body_html=f'<p><img src="{src}" alt="{image.alt_text}"></p>')


def delete_url(image: LessonImage) -> str:
    return reverse("courses:author_image_delete", args=[image.course.code, image.pk])


def test_the_course_page_lists_images_with_thumbnail_description_and_lessons(client_for, instructor, taught):
    # given an image shown in two lessons and one shown in none
    shown = add_image(taught, instructor, "Procerus, front view")
    spare = add_image(taught, instructor, "Unused sketch")
    show_in(Lesson.objects.get(title="Procerus"), shown)
    show_in(Lesson.objects.get(title="Frontalis"), shown)
    # when
    page = client_for(instructor).get(reverse("courses:author_course", args=[taught.code])).content.decode()
    # then
    thumbnail = reverse("courses:lesson_image", args=[taught.code, shown.pk])
    assert f'<img class="image-thumb" src="{thumbnail}" alt=""' in page
    assert "Procerus, front view" in page
    procerus = Lesson.objects.get(title="Procerus")
    assert f'<a href="{reverse("courses:author_lesson", args=[taught.code, procerus.pk])}">Procerus</a>' in page
    assert "Not shown in any lesson." in page
    assert delete_url(spare) in page
    # The lesson page lists them too.
    lesson_page = client_for(instructor).get(reverse("courses:author_lesson", args=[taught.code, procerus.pk]))
    assert delete_url(shown) in lesson_page.content.decode()


def test_listing_images_costs_the_same_queries_for_more_images(client_for, instructor, taught):
    client = client_for(instructor)
    url = reverse("courses:author_course", args=[taught.code])
    add_image(taught, instructor, "One")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        show_in(Lesson.objects.get(title="Corrugators"), add_image(taught, instructor, f"More {n}"))
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.content.decode().count("image-thumb") == 4
    assert len(four) == len(one)


def test_an_image_a_lesson_shows_is_not_deleted_and_the_lessons_are_named(client_for, instructor, taught):
    image = add_image(taught, instructor, "Procerus, front view")
    show_in(Lesson.objects.get(title="Procerus"), image)
    show_in(Lesson.objects.get(title="Frontalis"), image)
    response = client_for(instructor).post(delete_url(image), {"confirmed": "yes"}, follow=True)
    assert response.status_code == 200
    assert (
        "“Procerus, front view” is still shown in “Procerus”, “Frontalis”. Remove it from the lesson text first, "
        "then delete it." in response.content.decode()
    )
    assert LessonImage.objects.filter(pk=image.pk).exists()
    assert not AuditEvent.objects.filter(action="lesson_image.deleted").exists()


def test_the_service_refuses_too(instructor, taught):
    from django.core.exceptions import ValidationError

    image = add_image(taught, instructor, "Procerus, front view")
    show_in(Lesson.objects.get(title="Corrugators"), image)
    with pytest.raises(ValidationError, match="still shown in “Corrugators”"):
        authoring_services.lesson_image_delete(image=image, actor=instructor)
    assert LessonImage.objects.filter(pk=image.pk).exists()


def test_deleting_an_unused_image_asks_first_then_deletes_row_and_file(
    client_for, instructor, taught, django_capture_on_commit_callbacks
):
    image = add_image(taught, instructor, "Unused sketch")
    storage, name = image.image.storage, image.image.name
    assert storage.exists(name)
    client = client_for(instructor)
    # Without the confirmation (no scripts): a page that asks, nothing deleted.
    response = client.post(delete_url(image), {"next": reverse("courses:author_course", args=[taught.code])})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "partials/confirm_page.html"
    assert "Delete the image “Unused sketch”?" in response.content.decode()
    assert LessonImage.objects.filter(pk=image.pk).exists()
    # Confirmed: the row goes, the file once the transaction commits, and it is audited.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(delete_url(image), {"confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:author_course", args=[taught.code]) + "#images"
    assert callbacks
    assert not LessonImage.objects.filter(pk=image.pk).exists()
    assert not storage.exists(name)
    event = AuditEvent.objects.get(action="lesson_image.deleted")
    assert event.actor == instructor
    assert event.details["alt_text"] == "Unused sketch"


def test_the_file_stays_until_the_deletion_commits(instructor, taught, django_capture_on_commit_callbacks):
    image = add_image(taught, instructor, "Unused sketch")
    storage, name = image.image.storage, image.image.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        authoring_services.lesson_image_delete(image=image, actor=instructor)
    assert storage.exists(name)  # not yet committed
    assert len(callbacks) == 1


def test_only_the_courses_authors_may_delete_its_images(client_for, client, instructor, taught, trainee):
    image = add_image(taught, instructor, "Unused sketch")
    other = UserFactory(email="other-instructor@example.com", is_trainee=False, is_instructor=True)
    assert client_for(other).post(delete_url(image), {"confirmed": "yes"}).status_code == 404
    assert client_for(trainee).post(delete_url(image), {"confirmed": "yes"}).status_code in (403, 404)
    # An image of another course, under this course's address: 404.
    elsewhere = add_image(CourseFactory(instructors=[instructor]), instructor, "Elsewhere")
    url = reverse("courses:author_image_delete", args=[taught.code, elsewhere.pk])
    assert client_for(instructor).post(url, {"confirmed": "yes"}).status_code == 404
    assert LessonImage.objects.count() == 2
    assert client_for(instructor).get(delete_url(image)).status_code == 405


def test_an_administrator_may_delete_any_courses_image(client_for, administrator, instructor, taught):
    image = add_image(taught, instructor, "Unused sketch")
    assert client_for(administrator).post(delete_url(image), {"confirmed": "yes"}).status_code == 302
    assert not LessonImage.objects.exists()


def test_a_lesson_cannot_show_an_image_that_is_not_in_the_courses_list(client_for, instructor, taught):
    image = add_image(taught, instructor, "Procerus, front view")
    elsewhere = add_image(CourseFactory(instructors=[instructor]), instructor, "Elsewhere")
    lesson = Lesson.objects.get(title="Procerus")
    url = reverse("courses:author_lesson", args=[taught.code, lesson.pk])
    client = client_for(instructor)

    def save_with(shown: LessonImage):
        src = reverse("courses:lesson_image", args=[taught.code, shown.pk])
        return client.post(url, {"title": "Procerus", "minutes": 10, "body_html": f'<p><img src="{src}" alt="x"></p>'})

    assert save_with(image).status_code == 302  # one of the course's own
    assert str(image.pk) in Lesson.objects.get(pk=lesson.pk).body_html
    response = save_with(elsewhere)
    assert response.status_code == 200
    assert response.context["form"].errors["body_html"] == [authoring_services.MSG_IMAGE_GONE]
    assert str(elsewhere.pk) not in Lesson.objects.get(pk=lesson.pk).body_html
