"""An instructor authors a course in Chromium: the lesson editor's toolbar writes HTML
that the server sanitises, lessons are reordered by dragging, and a delete asks first."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from courses.models import Lesson
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def titles(module) -> list[str]:
    return list(Lesson.objects.filter(module=module).order_by("position").values_list("title", flat=True))


def test_instructor_edits_a_lesson_reorders_by_drag_and_deletes_with_confirmation(page):
    instructor = UserFactory(email="teach@example.com", is_trainee=False, is_instructor=True)
    course = CourseFactory(title="Glabellar Foundations", instructors=[instructor])
    module = ModuleFactory(course=course, position=1, title="Anatomy")
    for index, title in enumerate(["Procerus", "Corrugators", "Frontalis"], start=1):
        LessonFactory(module=module, position=index, title=title, body_html="<p>Start.</p>")
    sign_in(page, instructor.email)

    page.goto("/dashboard/")
    page.get_by_role("link", name="Edit content").click()
    page.get_by_role("link", name="Procerus").click()
    editor = page.get_by_role("textbox", name="Lesson text")
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name=body_html]")).to_be_hidden()
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Depressor of the medial brow.")
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name="Bold").click()
    # Something hostile pasted through the HTML view is removed by the server.
    page.get_by_role("button", name="Edit HTML").click()
    source = page.locator("textarea[name=body_html]")
    source.fill(source.input_value() + '<img src="x" onerror="alert(1)"><script>alert(2)</script>')
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved lesson “Procerus”.")).to_be_visible()
    html = Lesson.objects.get(title="Procerus").body_html
    assert "<strong>" in html
    assert "Depressor of the medial brow." in html
    assert "onerror" not in html
    assert "<script" not in html
    assert "alert" not in html

    # Drag Frontalis above Procerus by its row.
    frontalis = page.locator(".outline-lessons > li", has_text="Frontalis")
    procerus = page.locator(".outline-lessons > li", has_text="Procerus")
    expect(frontalis.locator(".drag-handle")).to_be_visible()
    frontalis.drag_to(procerus, target_position={"x": 20, "y": 2})
    expect(page.locator("[data-reorder-status]")).to_have_text("Order saved.")
    assert titles(module) == ["Frontalis", "Procerus", "Corrugators"]

    # Up/Down still work after the drag, and delete asks first.
    page.get_by_role("button", name="Down Move Frontalis down").click()
    expect(page.get_by_text("Order saved.").first).to_be_visible()
    assert titles(module) == ["Procerus", "Frontalis", "Corrugators"]
    page.get_by_role("button", name="Delete Corrugators").click()
    expect(page.get_by_text("Deleted lesson “Corrugators”.")).to_be_visible()
    assert page.dialog_questions[-1].startswith("Delete the lesson “Corrugators”")
    assert titles(module) == ["Procerus", "Frontalis"]
