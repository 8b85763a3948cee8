"""The exam page's questions as HTML, built in Python.

The page is 40 fieldsets of about five options each. Rendered by the template engine
that was ~1,450 nodes and ~1,600 variable lookups per request, two thirds of the
request's time (profiled under the exam-day benchmark, bench/README.md). Here it is one
pass over the items with fixed format strings: the same markup, escaped as the template's
autoescaping escapes (``django.utils.html.escape`` is ``html.escape`` marked safe; called
directly here, without its lazy-string wrapper), in a few per cent of the time.

Only the trainee's own state (ticked options, the flag) varies between requests for an
attempt; the stem and options are the attempt's snapshot, fixed when it started.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Markup of exams/templates/exams/attempt.html before the questions moved here.
_CASE = '<section class="case card"><h2>{label} {title}</h2><p>{vignette}</p></section>\n'
_FIELDSET_OPEN = (
    '<fieldset class="card question" id="q{position}" data-position="{position}">\n'
    '<legend><span class="qnum">{position}.</span> {stem}</legend>\n'
    "{help}"
    '<div class="options">\n'
)
_OPTION = (
    '<label class="option"><input type="{input}" name="q{position}" value="{key}"{checked}>'
    " <span>{text}</span></label>\n"
)
_FIELDSET_CLOSE = (
    "</div>\n"
    '<label class="flag"><input type="checkbox" name="flag{position}"{checked} data-flag> {label}</label>\n'
    "</fieldset>\n"
)


def questions_html(items: Iterable) -> SafeString:
    """The fieldsets of the exam form, in the items' order. Each item needs ``position``,
    ``kind``, ``stem``, ``case_title``, ``case_vignette``, ``options`` (the snapshot:
    ``[{"key", "text"}]``), ``response`` (the ticked keys) and ``flagged``."""
    case_label = escape(_("Clinical case:"))
    multiple_help = '<p class="help">{}</p>\n'.format(
        escape(_("Select all that apply. Scored only if your choice is exactly right."))
    )
    flag_label = escape(_("Flag for review"))
    parts: list[str] = []
    previous_case = None
    for item in items:
        position = int(item.position)
        if item.case_title != previous_case:
            previous_case = item.case_title
            if item.case_title:
                parts.append(
                    _CASE.format(
                        label=case_label, title=escape(item.case_title), vignette=linebreaksbr(item.case_vignette)
                    )
                )
        multiple = item.kind == "multiple"
        parts.append(
            _FIELDSET_OPEN.format(position=position, stem=escape(item.stem), help=multiple_help if multiple else "")
        )
        input_type = "checkbox" if multiple else "radio"
        ticked = set(item.response or ())
        for option in item.options:
            key = option["key"]
            parts.append(
                _OPTION.format(
                    input=input_type,
                    position=position,
                    key=escape(key),
                    checked=" checked" if key in ticked else "",
                    text=escape(option["text"]),
                )
            )
        flag = " checked" if item.flagged else ""
        parts.append(_FIELDSET_CLOSE.format(position=position, checked=flag, label=flag_label))
    return SafeString("".join(parts))
