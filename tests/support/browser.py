"""Browser tests: signing in through the real sign-in page."""

from __future__ import annotations

PASSWORD = "correct-horse-battery"  # nosec B105 (the factories' test password)


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign ``email`` in on the sign-in page (an account without a second factor)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def open_menu(page) -> None:
    """Open the site menu if it is collapsed behind "Menu" (a phone-width page)."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def sign_out(page) -> None:
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()


def accept_dialogs(page) -> list[str]:
    """Answer yes to every confirmation the page asks (data-confirm); the list it returns
    fills with the questions, for the test to read."""
    questions: list[str] = []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.dialog_answerer = answer  # for stop_accepting_dialogs
    return questions


def stop_accepting_dialogs(page) -> None:
    """Let the test answer the next confirmations itself (page.once("dialog", …))."""
    answerer = getattr(page, "dialog_answerer", None)
    if answerer is not None:
        page.remove_listener("dialog", answerer)
