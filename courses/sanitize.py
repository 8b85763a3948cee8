"""Lesson HTML is cleaned with nh3 (the Ammonia sanitiser) when it is saved: no scripts,
no event handlers, no styles, and images only from the course's own lesson images."""

import re

import nh3

ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "u", "sub", "sup",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "caption", "figure", "figcaption",
    "img", "a", "abbr", "code", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Lesson images are served by the app itself (courses:lesson_image); nothing else loads.
LESSON_IMAGE_SRC = re.compile(r"^/courses/[\w-]+/images/[0-9a-f-]{36}/$")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not LESSON_IMAGE_SRC.match(value):
        return None
    return value


def lesson_html_clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )
