"""A form sent back with errors puts keyboard focus on the first field to fix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_focus_moves_to_the_first_field_in_error(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.get_by_role("button", name="Sign up").click()
    first_error = page.get_by_label("Password", exact=True)
    expect(first_error).to_have_attribute("aria-invalid", "true")
    expect(first_error).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value("someone@example.com")  # nothing typed is lost
