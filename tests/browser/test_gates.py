"""The gates that keep the pages accessible and valid: the demo is seeded once, and for
every demo role (anonymous, each trainee state, instructor, examiner, invigilator,
administrator) the same-origin links are followed breadth-first from the home page, GET
only, so that every page a role can reach is seen. Each page is

- checked by axe-core (injected into Chromium) at desktop (1366 px) and phone (390 px)
  widths: any serious or critical violation fails;
- saved as served and checked by the W3C Nu HTML checker (vnu.jar, one run for all pages):
  any error fails.

Run them alone with ``.venv/bin/pytest -m gates``. Both need ``npm ci`` (node_modules) and
Java; without them they skip, and under CI=true that fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 (runs the pinned vnu.jar on files the test wrote)
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from conftest import require
from tests.browser import gate_states

pytestmark = [pytest.mark.browser, pytest.mark.gates]

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

WIDTHS = (1366, 390)
MAX_PAGES_PER_ROLE = 60
# Two pages of one view are enough to see its template with and without variations
# (a first and a second lesson, a course with and without a run); more only costs time.
MAX_PAGES_PER_VIEW = 1

# Every demo role: (label, email, password); None signs nobody in.
ROLES = [
    ("anonymous", None, None),
    ("trainee, licence verified, course in progress", "trainee@glabella.test", "demo-trainee-pass"),
    ("trainee, licence awaiting verification", "nurse@glabella.test", "demo-nurse-pass"),
    ("trainee, booked on a sitting", "candidate@glabella.test", "demo-candidate-pass"),
    ("trainee, practical scheduled", "ready@glabella.test", "demo-ready-pass"),
    ("trainee, certified", "certified@glabella.test", "demo-certified-pass"),
    ("trainee, re-issued", "reissued@glabella.test", "demo-reissued-pass"),
    ("instructor", "instructor@glabella.test", "demo-instructor-pass"),
    ("examiner", "examiner@glabella.test", "demo-examiner-pass"),
    ("invigilator", "invigilator@glabella.test", "demo-invigilator-pass"),
    ("administrator", "admin@glabella.test", "demo-admin-pass"),
]
# Where the anonymous visitor starts besides the home page (the sign-in page links on).
ANONYMOUS_STARTS = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/verify/"]

SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/accounts/logout/")
SKIP_SUFFIXES = (".pdf", ".csv", ".json", ".jsonld", ".png", ".svg", ".jpg", ".ico", ".txt", ".xml", ".zip", ".ics")

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")), count: v.nodes.length}));
}"""


def _totp(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in(page, email: str, password: str) -> None:
    from accounts.demo import DEMO_TOTP_SECRET

    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    for _ in range(3):
        if "/2fa/" not in page.url:
            break
        # A code computed at the end of its 30-second step may arrive in the next one
        # (no tolerance is allowed): then the next step's code.
        page.fill("input[name=code]", _totp(DEMO_TOTP_SECRET))
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        if "/2fa/" in page.url:
            time.sleep(30 - time.time() % 30 + 1)
    assert page.locator("form[action='/accounts/logout/']").count() == 1, f"{email} could not sign in ({page.url})"


def _view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match._func_path


def _crawlable(path: str) -> bool:
    return not path.startswith(SKIP_PREFIXES) and not path.lower().endswith(SKIP_SUFFIXES)


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    paths = []
    for href in hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue  # another site, mailto: or javascript:
        # A query string filters or pages a list the bare path already shows.
        paths.append(parts.path)
    return paths


def _crawl(context, role: str, starts: list[str], origin: str, out: Path, pages: list[dict]) -> list[str]:
    """Visit what ``role`` can reach; returns the problems found (axe and HTTP)."""
    page = context.new_page()
    problems: list[str] = []
    queue = deque(starts)
    seen = set(starts)
    per_view: Counter = Counter()
    visited = 0
    while queue and visited < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        view = _view_name(path)
        if view is None or per_view[view] >= MAX_PAGES_PER_VIEW:
            continue
        response = page.request.get(path, max_redirects=0)
        if 300 <= response.status < 400:
            target = urlsplit(response.headers.get("location", "")).path
            if target and target not in seen and _crawlable(target):
                seen.add(target)
                queue.append(target)
            continue
        if response.status != 200:
            problems.append(f"[{role}] GET {path} answered {response.status} (linked from a page the role sees)")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a download
        per_view[view] += 1
        visited += 1
        file = out / f"{len(pages):04d}.html"
        file.write_bytes(response.body())
        pages.append({"file": file.name, "role": role, "path": path})

        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if width == WIDTHS[0]:
                page.goto(path)
                for link in _links(page, origin):
                    if link not in seen and _crawlable(link):
                        seen.add(link)
                        queue.append(link)
            problems.extend(
                f"[{role}] {path} at {width}px: axe {v['impact']} {v['id']} "
                f"({v['count']}×) {', '.join(v['targets'])}: {v['help']}"
                for v in page.evaluate(AXE_RUN)
            )
    page.close()
    return problems


def _vnu(out: Path, pages: list[dict]) -> list[str]:
    by_file = {p["file"]: p for p in pages}
    files = sorted(str(out / f) for f in by_file)
    result = subprocess.run(  # noqa: S603  # nosec B603 (fixed command, files the test wrote)
        [shutil.which("java"), "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        page = by_file.get(Path(urlsplit(message.get("url", "")).path).name)
        where = f"[{page['role']}] {page['path']} ({page['file']})" if page else message.get("url", "?")
        extract = (message.get("extract") or "").strip().replace("\n", " ")[:120]
        problems.append(f"{where} line {message.get('lastLine', '?')}: {message['message']}  «{extract}»")
    return problems


def test_every_page_of_every_role_passes_axe_and_the_nu_html_checker(page, live_server, tmp_path):
    require(AXE.exists() and VNU.exists(), "needs node_modules (npm ci --no-audit --no-fund --ignore-scripts)")
    require(shutil.which("java") is not None, "needs Java for the Nu HTML checker (apt-get install default-jre)")
    started = time.monotonic()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115, PTH123
    timings = {"seed": time.monotonic() - started}

    browser = page.context.browser
    origin = live_server.url
    pages: list[dict] = []
    problems: list[str] = []
    reached = {}
    for role, email, password in ROLES:
        # bypass_csp: axe is injected as a script of the test's, which the site's policy
        # refuses (rightly; tests/browser/test_csp.py checks the policy itself).
        context = browser.new_context(base_url=origin, bypass_csp=True)
        context.set_default_timeout(15_000)
        context.add_init_script(path=str(AXE))  # axe-core in every page, before the site's scripts
        try:
            starts = ANONYMOUS_STARTS if email is None else ["/"]
            if email is not None:
                _sign_in(context.new_page(), email, password)
            before = len(pages)
            problems += _crawl(context, role, starts, origin, tmp_path, pages)
            reached[role] = len(pages) - before
        finally:
            context.close()

    timings["crawl and axe"] = time.monotonic() - started - sum(timings.values())
    summary = "; ".join(f"{role}: {count}" for role, count in reached.items())
    assert all(count >= 3 for count in reached.values()), f"a role reached almost nothing: {summary}"
    # Then what no link reaches: pages answered to a post (gate_states.STATES).
    gate = gate_states.Gate(
        browser=browser, origin=origin, out=tmp_path, pages=pages, axe_path=str(AXE), axe_run=AXE_RUN, widths=WIDTHS
    )
    try:
        problems += gate_states.run(gate)
    finally:
        gate.close()
    timings["scripted states"] = time.monotonic() - started - sum(timings.values())
    problems += _vnu(tmp_path, pages)
    timings["vnu"] = time.monotonic() - started - sum(timings.values())
    took = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in timings.items())
    summary += f", and {len(gate.checked)} scripted states"
    print(f"\nPages checked per role: {summary} ({took})")
    report = Path(settings.BASE_DIR) / "test-artifacts" / "gates.txt"
    report.parent.mkdir(exist_ok=True)
    visited = [f"  [{p['role']}] {p['path']} ({p['file']})" for p in pages]
    states = [f"  {label}" for label in gate_states.STATES]
    report.write_text(
        f"Pages checked per role: {summary} ({took})\n"
        + "\n".join(problems)
        + "\nScripted states (reached by posting):\n"
        + "\n".join(states)
        + "\nPages:\n"
        + "\n".join(visited)
        + "\n"
    )
    assert not problems, f"{len(problems)} problems (also in {report}):\n" + "\n".join(problems)
