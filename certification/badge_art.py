"""Badge art for a course, made here from its code and title in Glabella's colours, with
no outside assets: an SVG, and the same picture as a PNG (Pillow, the system's DejaVu
fonts) for the sites and wallets that want a bitmap. Two shapes: a square badge (the
Open Badges achievement's ``image``) and a 1200×630 card (Open Graph and Twitter cards).

Both formats are drawn from one list of shapes (``_layout``), with text measured in the
same fonts, so the SVG and the PNG wrap the title alike."""

from __future__ import annotations

import hashlib
import io
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import cache as django_cache
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

# static/css/app.css
BRAND = "#0f4c5c"
BRAND_DARK = "#0a3642"
ACCENT = "#b3541e"
PAPER = "#ffffff"
MIST = "#cfe3e8"
INK = "#1b2430"

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    ("sans", False): "DejaVuSans.ttf",
    ("sans", True): "DejaVuSans-Bold.ttf",
    ("mono", True): "DejaVuSansMono-Bold.ttf",
}
SVG_FAMILIES = {"sans": "'DejaVu Sans', Verdana, sans-serif", "mono": "'DejaVu Sans Mono', Menlo, monospace"}

SIZES = {"square": (600, 600), "card": (1200, 630)}
CACHE_SECONDS = 24 * 3600
ISSUER = "GLABELLA"


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int
    fill: str
    radius: int = 0


@dataclass(frozen=True)
class Circle:
    cx: int
    cy: int
    r: int
    fill: str
    stroke: str = ""
    width: int = 0


@dataclass(frozen=True)
class Text:
    x: int
    y: int  # the baseline
    text: str
    size: int
    fill: str
    bold: bool = False
    family: str = "sans"
    anchor: str = "start"  # or "middle"


@cache
def _font(family: str, bold: bool, size: int):
    name = FONTS.get((family, bold)) or FONTS[("sans", bold)]
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:  # no DejaVu on this machine: Pillow's own font, same sizes
        return ImageFont.load_default(size)


def _width(text: str, size: int, *, bold: bool = False, family: str = "sans") -> float:
    return _font(family, bold, size).getlength(text)


def _fit(text: str, size: int, max_width: float, *, bold: bool = True, family: str = "sans") -> int:
    """The largest size up to ``size`` at which ``text`` is at most ``max_width`` wide."""
    while size > 12 and _width(text, size, bold=bold, family=family) > max_width:
        size -= 2
    return size


def _wrap(text: str, size: int, max_width: float, max_lines: int, *, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``max_width``; an ellipsis ends what does not fit."""
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if _width(candidate, size, bold=bold) <= max_width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    # A single word wider than the line (a long code) is shortened, not overflowed.
    return [
        line if _width(line, size, bold=bold) <= max_width else textwrap.shorten(line, 24, placeholder="…")
        for line in lines
    ]


def _medallion(cx: int, cy: int, r: int, code: str) -> list:
    code_size = _fit(code, r // 2, r * 1.35, family="mono")
    return [
        Circle(cx, cy, r, PAPER, stroke=ACCENT, width=max(6, r // 14)),
        Circle(cx, cy, int(r * 0.82), PAPER, stroke=BRAND, width=max(2, r // 60)),
        Text(cx, cy - r // 3, ISSUER, max(12, r // 8), BRAND, bold=True, anchor="middle"),
        Text(cx, cy + code_size // 3, code, code_size, INK, bold=True, family="mono", anchor="middle"),
        Text(cx, cy + r // 2 - 4, "CERTIFIED", max(12, r // 10), ACCENT, bold=True, anchor="middle"),
    ]


def _layout(code: str, title: str, shape: str) -> list:
    width, height = SIZES[shape]
    if shape == "square":
        shapes = [Rect(0, 0, width, height, BRAND, radius=48), *_medallion(300, 250, 190, code)]
        lines = _wrap(title, 30, width - 80, 2, bold=True)
        shapes += [Text(300, 500 + 38 * i, line, 30, PAPER, bold=True, anchor="middle") for i, line in enumerate(lines)]
        return shapes
    shapes = [
        Rect(0, 0, width, height, BRAND),
        Rect(0, height - 18, width, 18, ACCENT),
        *_medallion(300, 305, 215, code),
    ]
    lines = _wrap(title, 46, 570, 4, bold=True)
    top = 315 - (len(lines) * 58) // 2
    shapes.append(Text(580, top - 40, "Glabella certificate", 30, MIST))
    shapes += [Text(580, top + 36 + 58 * i, line, 46, PAPER, bold=True) for i, line in enumerate(lines)]
    shapes.append(Text(580, top + 36 + 58 * len(lines) + 10, "Botulinum toxin certification", 26, MIST))
    return shapes


def badge_svg(code: str, title: str, shape: str = "square") -> str:
    width, height = SIZES[shape]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)} ({escape(code)})</title>",
    ]
    for shape_ in _layout(code, title, shape):
        if isinstance(shape_, Rect):
            parts.append(
                f'<rect x="{shape_.x}" y="{shape_.y}" width="{shape_.w}" height="{shape_.h}" '
                f'rx="{shape_.radius}" fill="{shape_.fill}"/>'
            )
        elif isinstance(shape_, Circle):
            stroke = f' stroke="{shape_.stroke}" stroke-width="{shape_.width}"' if shape_.stroke else ""
            parts.append(f'<circle cx="{shape_.cx}" cy="{shape_.cy}" r="{shape_.r}" fill="{shape_.fill}"{stroke}/>')
        else:
            weight = ' font-weight="bold"' if shape_.bold else ""
            parts.append(
                f'<text x="{shape_.x}" y="{shape_.y}" font-family="{SVG_FAMILIES[shape_.family]}" '
                f'font-size="{shape_.size}"{weight} fill="{shape_.fill}" text-anchor="{shape_.anchor}">'
                f"{escape(shape_.text)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def badge_png(code: str, title: str, shape: str = "square") -> bytes:
    width, height = SIZES[shape]
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for item in _layout(code, title, shape):
        if isinstance(item, Rect):
            box = (item.x, item.y, item.x + item.w - 1, item.y + item.h - 1)
            draw.rounded_rectangle(box, radius=item.radius, fill=item.fill)
        elif isinstance(item, Circle):
            box = (item.cx - item.r, item.cy - item.r, item.cx + item.r, item.cy + item.r)
            draw.ellipse(box, fill=item.fill, outline=item.stroke or None, width=item.width)
        else:
            anchor = "ms" if item.anchor == "middle" else "ls"
            draw.text(
                (item.x, item.y),
                item.text,
                fill=item.fill,
                font=_font(item.family, item.bold, item.size),
                anchor=anchor,
            )
    if shape == "card":  # Open Graph images are opaque
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def badge_art(code: str, title: str, *, shape: str, kind: str) -> bytes:
    """The picture (``kind``: svg or png), made once a day per course code and title."""
    digest = hashlib.sha256(f"{code}\0{title}".encode()).hexdigest()[:32]
    key = f"badge-art:v1:{shape}:{kind}:{digest}"
    art = django_cache.get(key)
    if art is None:
        art = badge_svg(code, title, shape).encode() if kind == "svg" else badge_png(code, title, shape)
        django_cache.set(key, art, CACHE_SECONDS)
    return art


def badge_art_url(code: str, name: str = "badge.png") -> str:
    """The absolute URL of a course's art: badge.png, badge.svg or card.png."""
    return settings.SITE_URL + reverse("certification:badge_image", args=[code, name])
