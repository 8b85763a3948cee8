"""The exam page's questions as HTML, built in Python.

The page was once the whole paper: 40 fieldsets of about five options each. Rendered by the template engine
that was ~1,450 nodes and ~1,600 variable lookups per request, two thirds of the
request's time (profiled under the exam-day benchmark, bench/README.md). Here it is one
pass over the items with f-strings: the same markup, escaped as the template's
autoescaping escapes (``django.utils.html.escape`` is ``html.escape`` marked safe; called
directly here, without its lazy-string wrapper), in a few per cent of the time.

Only the trainee's own state (ticked options, the flag) varies between requests for an
attempt; the stem and options are the attempt's snapshot, fixed when it started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .models import Question

# The markup is that of exams/templates/exams/attempt.html before the questions moved
# here. f-strings: str.format with keyword arguments took 2.2 times as long.


def page_html(items: Iterable, *, token: Callable[[str], str]) -> SafeString:
    """The fieldsets of one page of the exam form, in the items' order: one question, or a
    clinical case's vignette beside (on a wide screen; above, on a phone) its questions.
    Each item needs ``position``, ``kind``, ``stem``, ``case_title``, ``case_vignette``,
    ``options`` (the snapshot: ``[{"key", "text"}]``), ``response`` (the ticked keys) and
    ``flagged``. ``token(key)`` is the option's name on the page (exams.option_tokens):
    the snapshot's keys are never written out."""
    items = list(items)
    multiple_help = (
        f'<p class="help">{escape(_("Select all that apply. Scored only if your choice is exactly right."))}</p>\n'
    )
    flag_label = escape(_("Flag for review"))
    multiple_kind = Question.Kind.MULTIPLE
    parts: list[str] = []
    case = items[0] if items and items[0].case_title else None
    if case is not None:
        parts.append(
            '<div class="case-page">\n'
            f'<section class="case card" aria-labelledby="case-title"><h2 id="case-title">'
            f"{escape(_('Clinical case:'))} {escape(case.case_title)}</h2>"
            f"<p>{linebreaksbr(case.case_vignette)}</p></section>\n"
            '<div class="case-questions">\n'
        )
    for item in items:
        position = int(item.position)
        multiple = item.kind == multiple_kind
        parts.append(
            f'<fieldset class="card question" id="q{position}" data-position="{position}">\n'
            f'<legend><span class="qnum">{position}.</span> {escape(item.stem)}</legend>\n'
            f"{multiple_help if multiple else ''}"
            '<div class="options">\n'
        )
        option_start = (
            f'<label class="option"><input type="{"checkbox" if multiple else "radio"}" name="q{position}" value="'
        )
        ticked = set(item.response or ())
        for option in item.options:
            key = option["key"]
            checked = " checked" if key in ticked else ""
            value = escape(token(key))
            parts.append(f'{option_start}{value}"{checked}> <span>{escape(option["text"])}</span></label>\n')
        flag = " checked" if item.flagged else ""
        parts.append(
            "</div>\n"
            f'<label class="flag"><input type="checkbox" name="flag{position}"{flag} data-flag> {flag_label}</label>\n'
            "</fieldset>\n"
        )
    if case is not None:
        parts.append("</div>\n</div>\n")
    # Every value interpolated above went through escape() or linebreaksbr (which escapes).
    return SafeString("".join(parts))  # nosec B703
