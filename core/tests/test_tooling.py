"""make lint's security tooling: bandit is configured, and the pip-audit wrapper fails on a
vulnerability, passes a clean audit, and says SKIPPED (exit 0, or 1 when required) when no
vulnerability database answers, as on a machine without the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest
from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "audit_deps.py"


def audit(tmp_path, report, **env):
    fake = tmp_path / "pip-audit"
    output = report if isinstance(report, str) else json.dumps(report)
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.write({output!r})\nsys.exit({1 if 'PYSEC' in output else 0})\n"
    )
    fake.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PIP_AUDIT")}
    environment.update(PIP_AUDIT=str(fake), **env)
    return subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=environment, timeout=60)


CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
VULNERABLE = {"dependencies": [{"name": "django", "version": "5.2.0", "vulns": [
    {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"], "aliases": [], "description": "x"}]}], "fixes": []}  # fmt: skip
NOT_FOUND = "Dependency not found on PyPI and could not be audited: django (5.2.19)"
OFFLINE = {"dependencies": [{"name": "django", "version": "5.2.19", "skip_reason": NOT_FOUND}]}


def test_a_clean_audit_passes(tmp_path):
    result = audit(tmp_path, CLEAN)
    assert result.returncode == 0
    assert "no known vulnerabilities in 1 packages" in result.stdout


def test_a_vulnerability_fails_and_names_the_fix(tmp_path):
    result = audit(tmp_path, VULNERABLE)
    assert result.returncode == 1
    assert "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in result.stdout


@pytest.mark.parametrize("report", [OFFLINE, "Traceback ...\nConnectionError"])
def test_no_vulnerability_database_is_a_clear_skip_unless_required(tmp_path, report):
    result = audit(tmp_path, report)
    assert result.returncode == 0
    assert "dependency audit SKIPPED" in result.stdout
    assert audit(tmp_path, report, PIP_AUDIT_REQUIRED="1").returncode == 1


def test_lint_runs_bandit_with_the_project_config_and_the_audit():
    config = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["tool"]["bandit"]
    assert {".venv", "tests"} <= set(config["exclude_dirs"])
    commands = subprocess.run(["make", "-n", "lint"], cwd=settings.BASE_DIR, capture_output=True, text=True).stdout
    assert "bandit -c pyproject.toml -r ." in commands
    assert "scripts/audit_deps.py" in commands
