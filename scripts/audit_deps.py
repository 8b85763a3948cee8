"""pip-audit over the installed project environment (.venv, built by `make lint` from
requirements.txt, requirements-test.txt and requirements-tooling.txt, so every pinned
package and what it pulled in).

pip-audit needs a vulnerability database over the network: PyPI's per-release JSON API
(the default service) or OSV. Where neither answers, every package comes back "could not
be audited"; that is reported as SKIPPED and exits 0 (so `make lint` still runs offline),
unless PIP_AUDIT_REQUIRED=1. Known vulnerabilities always fail. Extra pip-audit arguments
(``--ignore-vuln ID``, each with a reason in the commit) go in PIP_AUDIT_ARGS.

Usage: .venv/bin/python scripts/audit_deps.py
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess  # nosec B404 (runs pip-audit from this venv, argument list, no shell)
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    required = os.environ.get("PIP_AUDIT_REQUIRED", "") in ("1", "true", "yes")
    executable = os.environ.get("PIP_AUDIT", str(BIN / "pip-audit"))
    command = [executable, "--format", "json", "--progress-spinner", "off", "--skip-editable", "--timeout", "20",
               *shlex.split(os.environ.get("PIP_AUDIT_ARGS", ""))]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # nosec B603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return skipped(f"pip-audit could not run ({last})", required)
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if not audited:
        reasons = {d["skip_reason"].split(":")[0] for d in dependencies}
        return skipped(f"no vulnerability database answered for any of {len(dependencies)} packages "
                       f"({'; '.join(sorted(reasons))})", required)  # fmt: skip
    for dependency in dependencies:
        if "skip_reason" in dependency:
            print(f"pip-audit: not audited: {dependency['name']} {dependency.get('version', '')}: "
                  f"{dependency['skip_reason']}")  # fmt: skip
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable package(s) of {len(audited)} audited.")
        return 1
    print(f"pip-audit: no known vulnerabilities in {len(audited)} packages.")
    return 0


def skipped(why: str, required: bool) -> int:
    print(f"pip-audit: dependency audit SKIPPED: {why}. It needs PyPI's JSON API or OSV over the network; "
          "run `make lint` where they are reachable (PIP_AUDIT_REQUIRED=1 makes this an error).")  # fmt: skip
    return 1 if required else 0


if __name__ == "__main__":
    sys.exit(main())
