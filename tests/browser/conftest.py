"""Fixtures of the browser tests: a Playwright page in headless Chromium against the
live test server, and screenshots of the pages of a failed test."""

from __future__ import annotations

import contextlib
import os

import pytest
from django.conf import settings


@pytest.fixture
def page(chromium_path, live_server, transactional_db):
    """A Playwright page in headless Debian Chromium, against the live test server.
    Screenshots of failures land in test-artifacts/."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from tests.support.browser import accept_dialogs
    from tests.support.products import ensure_catalogue

    ensure_catalogue()  # an earlier transactional test's flush emptied it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        # Confirmations (data-confirm) are answered yes; page.dialog_questions has them.
        page.dialog_questions = accept_dialogs(page)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connection
            # (asgiref sees another context); close it, or the test database stays in use.
            from django.db import connections

            connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        folder = settings.BASE_DIR / "test-artifacts"
        folder.mkdir(exist_ok=True)
        # Best effort: the failure itself is what gets reported.
        with contextlib.suppress(Exception):
            item.funcargs["page"].screenshot(path=str(folder / f"{item.name}.png"), full_page=True)
