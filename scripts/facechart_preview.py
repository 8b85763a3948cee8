"""Render the face chart partial standalone and screenshot it, to look at what users see.

Usage: .venv/bin/python scripts/facechart_preview.py [OUT_DIR]   (default /tmp/facechart)

Writes preview.html (editable, sample units: the on-label glabellar 20 U and crow's feet 24 U,
forehead 10 U) and preview-readonly.html, then screenshots both at tablet (820x1180) and
phone (390x844) sizes, a close-up of the face, and the editable chart after a few taps.
No database and no project settings: Django is configured here with just the template
engine and staticfiles, STATIC_URL pointing at the repository's static/ folder.
"""

import sys
import tempfile
from pathlib import Path

import django
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

settings.configure(
    DEBUG=False,
    INSTALLED_APPS=["django.contrib.staticfiles"],
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(ROOT / "templates"), str(ROOT / "courses" / "templates")],
        }
    ],
    # An absolute path: in a file:// page "/work/main/static/css/…" is that file.
    STATIC_URL=f"{(ROOT / 'static').as_posix()}/",
    USE_I18N=False,
)
django.setup()

from django.template import Template, engines  # noqa: E402
from django.template.context import Context  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402

from courses.handson.face_sites import SITES, chart_context  # noqa: E402

PAGE = """{% load static %}<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Face chart preview</title>
<link rel="stylesheet" href="{% static 'css/app.css' %}">
</head>
<body>
<main class="wrap" id="main">
  <h1>{{ heading }}</h1>
  {% if editable %}<form method="post" action="#" class="card">{% else %}<div class="card">{% endif %}
    {{ chart }}
  {% if editable %}<div class="actions"><button type="submit">Save session</button></div></form>
  {% else %}</div>{% endif %}
</main>
</body>
</html>
"""


def sample_units() -> dict[str, int]:
    units = {s["code"]: s["reference_units"] for s in SITES if s["area"] in ("glabella", "lateral_canthal")}
    units.update({f"frontalis_{n}": 2 for n in range(1, 6)})
    return units


def render(editable: bool) -> str:
    chart = render_to_string("courses/handson/face_chart.html", chart_context(sample_units(), editable=editable))
    page = Template(PAGE, engine=engines["django"].engine)
    heading = "Hands-on session: injection sites" if editable else "Signed session: injection sites"
    return page.render(Context({"chart": chart, "editable": editable, "heading": heading}, autoescape=False))


def screenshot(out: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    made, problems = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, (width, height) in {"tablet": (820, 1180), "phone": (390, 844)}.items():
            for kind in ("editable", "readonly"):
                page = browser.new_page(viewport={"width": width, "height": height}, has_touch=True)
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
                html = out / ("preview.html" if kind == "editable" else "preview-readonly.html")
                page.goto(html.as_uri())
                path = out / f"{name}-{kind}.png"
                page.screenshot(path=str(path), full_page=True)
                made.append(str(path))
                if kind == "editable":
                    box = page.locator(".fc-svg").bounding_box()
                    made.append(
                        f"  rendered face chart: {box['width']:.0f} px wide, touch target "
                        f"{50 * box['width'] / 360:.0f} px"
                    )
                page.close()

        # A close-up of the face at 2x, and the chart after some taps on the tablet.
        page = browser.new_page(viewport={"width": 820, "height": 1180}, device_scale_factor=2, has_touch=True)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto((out / "preview.html").as_uri())
        page.locator(".fc-svg").screenshot(path=str(out / "face-closeup.png"))
        made.append(str(out / "face-closeup.png"))
        page.locator('[data-site="nasalis_r"]').tap()  # empty: gets 2 U, its input focused
        page.keyboard.type("3")  # the value is selected: typing replaces it
        page.locator('[data-site="procerus"]').focus()
        page.keyboard.press("Enter")  # has 4 U: only focused, not changed
        page.locator('[data-site-row="procerus"] .fc-step').nth(1).click()  # +1 U -> 5
        page.locator('[data-site="lateral_canthal_middle_l"]').tap()
        state = page.evaluate(
            """() => ({
              nasalis: document.querySelector('#id_units_nasalis_r').value,
              procerus: document.querySelector('#id_units_procerus').value,
              glabella: document.querySelector('#units_total-glabella').textContent,
              session: document.querySelector('#units_total-session').textContent,
              warnings: [...document.querySelectorAll('.fc-panel .fc-warning')].map(p => p.textContent),
              dot: document.querySelector('[data-site="procerus"]').getAttribute('aria-label'),
            })"""
        )
        made.append(f"  after taps: {state}")
        expected = {"nasalis": "3", "procerus": "5", "glabella": "21", "session": "58"}
        for key, value in expected.items():
            if state[key] != value:
                problems.append(f"after taps {key} is {state[key]!r}, expected {value!r}")
        page.screenshot(path=str(out / "tablet-after-taps.png"), full_page=True)
        made.append(str(out / "tablet-after-taps.png"))
        browser.close()
    return made + problems


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "preview.html").write_text(render(editable=True), encoding="utf-8")
    (out / "preview-readonly.html").write_text(render(editable=False), encoding="utf-8")
    for line in screenshot(out):
        print(line)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "facechart")
