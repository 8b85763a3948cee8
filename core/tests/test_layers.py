"""The apps' layering, read from the source: portal (the dashboards, navigation and demo
seeding) is the top layer and no app below imports it; core, at the bottom, imports no
app. Only runtime code counts: tests (which set up whole pathways across apps) and
migrations are left out."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "courses", "exams", "certification", "core")
SKIPPED_FOLDERS = {"tests", "migrations", "__pycache__"}


def runtime_modules(app: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if not SKIPPED_FOLDERS.intersection(path.relative_to(ROOT / app).parts[:-1])
    ]


def imported_apps(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports only: a relative one
    stays inside its own app)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def offenders(apps: tuple[str, ...], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(hits))}"
        for app in apps
        for path in runtime_modules(app)
        if (hits := imported_apps(path) & forbidden)
    ]


def test_the_walk_sees_the_apps_modules():
    # A guard for the two tests below: they would pass vacuously on an empty walk.
    for app in APPS:
        assert ROOT / app / "models.py" in runtime_modules(app) or (ROOT / app / "models").is_dir()
    assert ROOT / "certification" / "tests" / "test_views.py" not in runtime_modules("certification")
    assert imported_apps(ROOT / "portal" / "views.py") >= {"accounts", "certification", "courses", "exams"}


def test_no_app_below_portal_imports_it():
    assert offenders(APPS, {"portal"}) == []


def test_core_imports_no_app():
    # The user model is reached through settings.AUTH_USER_MODEL, never imported.
    assert offenders(("core",), {"accounts", "courses", "exams", "certification", "portal"}) == []
