"""Browser tests: signing in through the real sign-in page."""

from __future__ import annotations

PASSWORD = "correct-horse-battery"  # nosec B105 (the factories' test password)


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign ``email`` in on the sign-in page (an account without a second factor)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()
