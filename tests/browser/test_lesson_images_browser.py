"""An instructor looks after a course's lesson images in Chromium: an image a lesson shows
is refused with the lesson named; an unused one is deleted after the browser asks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory, png_bytes
from courses.authoring import services as authoring_services
from courses.models import Lesson, LessonImage
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def test_an_image_in_use_is_refused_and_an_unused_one_deleted_after_asking(page):
    instructor = UserFactory(email="teach@example.com", is_trainee=False, is_instructor=True)
    course = CourseFactory(title="Glabellar Foundations", instructors=[instructor])
    module = ModuleFactory(course=course, position=1, title="Anatomy")
    lesson = LessonFactory(module=module, position=1, title="Procerus", body_html="<p>Start.</p>")
    images = {
        alt: authoring_services.lesson_image_add(
            course=course, upload=SimpleUploadedFile("i.png", png_bytes(), content_type="image/png"),
            alt_text=alt, actor=instructor,
        )
        for alt in ("Procerus, front view", "Old sketch")
    }  # fmt: skip
    src = reverse("courses:lesson_image", args=[course.code, images["Procerus, front view"].pk])
    Lesson.objects.filter(pk=lesson.pk).update(body_html=f'<p><img src="{src}" alt="Procerus, front view"></p>')
    sign_in(page, instructor.email)

    page.goto(reverse("courses:author_course", args=[course.code]))
    listed = page.locator("[data-lesson-images] li")
    expect(listed).to_have_count(2)
    used = listed.filter(has_text="Procerus, front view")
    expect(used.get_by_role("link", name="Procerus")).to_be_visible()
    used.get_by_role("button", name="Delete the image “Procerus, front view”").click()
    expect(page.get_by_text("“Procerus, front view” is still shown in “Procerus”.")).to_be_visible()
    assert page.dialog_questions == []  # refused without asking: nothing to confirm
    assert LessonImage.objects.count() == 2

    listed.filter(has_text="Old sketch").get_by_role("button", name="Delete the image “Old sketch”").click()
    expect(page.get_by_text("Deleted the image “Old sketch”.")).to_be_visible()
    assert page.dialog_questions[0].startswith("Delete the image “Old sketch”?")
    expect(page.locator("[data-lesson-images] li")).to_have_count(1)
    assert list(LessonImage.objects.values_list("alt_text", flat=True)) == ["Procerus, front view"]
