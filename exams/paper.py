"""The paper as a candidate meets it: pages (one question, or one clinical case with its
questions), the question navigator, and the clock shown on every page.

Pure functions of an attempt's items (``exams.selectors.PageItem``, in position order):
the views read the attempt and its items once (two queries whatever the paper's length)
and everything here is computed from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def paper_pages(items: Sequence) -> list[list]:
    """The items grouped into pages, in order: a standalone item is a page; the items of
    one clinical case (consecutive, as drawn, sharing the case's title and vignette) are
    one page."""
    pages: list[list] = []
    previous = None
    for item in items:
        case = (item.case_title, item.case_vignette) if item.case_title else None
        if case is not None and case == previous:
            pages[-1].append(item)
        else:
            pages.append([item])
        previous = case
    return pages


def page_of(pages: list[list], position: int) -> int | None:
    """The number (from 1) of the page holding question ``position``."""
    for number, page in enumerate(pages, start=1):
        if any(item.position == position for item in page):
            return number
    return None


class NavEntry(NamedTuple):
    """One question in the navigator."""

    position: int
    page: int
    answered: bool
    flagged: bool
    current: bool


def navigator(pages: list[list], *, current: int | None) -> list[NavEntry]:
    """Every question with its page and state; ``current``: the page shown (None on the
    summary page)."""
    return [
        NavEntry(item.position, number, bool(item.response), bool(item.flagged), number == current)
        for number, page in enumerate(pages, start=1)
        for item in page
    ]


def navigator_html(entries: list[NavEntry], *, attempt_id, links: bool = False) -> SafeString:
    """The navigator's list items: on a page of the paper, buttons that save the page and
    go to the question's page (``go=page-N``); on the summary (``links``), links to it.
    Each says its state in words as well as by its class (exam.js keeps both current by
    ``data-nav`` and ``data-nav-state``).

    Built here rather than in a template loop: an entry per question, and at 200
    questions the template's tags (translations and number formatting per entry) were
    most of the page's time; the words are translated once, positions are integers."""
    answered, unanswered, flagged = (escape(gettext(word)) for word in ("answered", "unanswered", "flagged"))
    # One reverse for all pages: the page number's place in the URL, then filled in.
    stem, _, tail = reverse("exams:page", args=[attempt_id, 987654321]).rpartition("987654321")
    rows = []
    for e in entries:
        classes = "nav-q" + (" is-answered" if e.answered else "") + (" is-flagged" if e.flagged else "")
        state = (answered if e.answered else unanswered) + (f", {flagged}" if e.flagged else "")
        inner = f'<span class="nav-num">{e.position}</span> <span class="nav-state" data-nav-state>{state}</span>'
        if links:
            rows.append(f'<li><a href="{stem}{e.page}{tail}#q{e.position}" class="{classes}">{inner}</a></li>')
        else:
            current = ' aria-current="page"' if e.current else ""
            rows.append(
                f'<li><button type="submit" name="go" value="page-{e.page}" class="{classes}" '
                f'data-nav="{e.position}"{current}>{inner}</button></li>'
            )
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308, B703 (integers and escaped words only)


def clock(attempt) -> dict:
    """What every page of an open attempt shows of its clock: seconds left by the
    server's deadline, the deadline itself, and whether an invigilator has paused the
    attempt (``paused_at``, from the sittings; absent, never paused)."""
    paused_at = getattr(attempt, "paused_at", None)
    # While paused the clock stands at what was left when the pause began.
    until = paused_at if paused_at is not None else timezone.now()
    remaining = max(int((attempt.deadline - until).total_seconds()), 0)
    hours, rest = divmod(remaining, 3600)
    return {
        "remaining": remaining,
        # As the countdown shows it (exam.js), for a page without JavaScript.
        "remaining_text": f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}",
        "deadline": attempt.deadline,
        "paused": paused_at is not None,
    }
