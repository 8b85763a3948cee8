"""The independent verifier (tests/node/verify-credential.mjs: Digital Bazaar's
@digitalbazaar/vc with eddsa-rdfc-2022, sharing no code with the issuer), run on a
credential against a live server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / "tests" / "node" / "verify-credential.mjs"


def node_verify(node, credential: dict, base_url: str, tmp_path) -> tuple[int, dict]:
    """(exit code, the script's JSON verdict) for ``credential`` against ``base_url``."""
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    done = subprocess.run(
        [node, str(SCRIPT), str(path), base_url], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)
