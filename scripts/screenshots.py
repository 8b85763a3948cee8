"""Screenshots of pages at phone, tablet and desktop widths, for looking at what users see.

Usage: .venv/bin/python scripts/screenshots.py BASE_URL OUT_DIR [path ...]
Signs in as the demo users as each path needs (prefix a path with 'trainee:', 'admin:' …).
"""

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = {"phone": 390, "tablet": 768, "desktop": 1366}
USERS = {
    "trainee": ("trainee@glabella.test", "demo-trainee-pass"),
    "nurse": ("nurse@glabella.test", "demo-nurse-pass"),
    "instructor": ("instructor@glabella.test", "demo-instructor-pass"),
    "examiner": ("examiner@glabella.test", "demo-examiner-pass"),
    "admin": ("admin@glabella.test", "demo-admin-pass"),
    "certified": ("certified@glabella.test", "demo-certified-pass"),
    "invigilator": ("invigilator@glabella.test", "demo-invigilator-pass"),
    "candidate": ("candidate@glabella.test", "demo-candidate-pass"),
    "writing": ("candidate2@glabella.test", "demo-candidate-pass"),
    "retake": ("retake@glabella.test", "demo-retake-pass"),
}
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # nosec B105 (the demo's TOTP secret, accounts/demo.py)


def totp() -> str:
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(SECRET)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def main(base: str, out: str, paths: list[str]) -> None:
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        contexts = {}
        for spec in paths:
            who, _, path = spec.rpartition(":") if ":" in spec and not spec.startswith("/") else ("", "", spec)
            if who not in contexts:
                context = browser.new_context(base_url=base)
                page = context.new_page()
                if who:
                    email, password = USERS[who]
                    page.goto("/accounts/login/")
                    page.fill("input[name=login]", email)
                    page.fill("input[name=password]", password)
                    page.click("button[type=submit]")
                    if "/2fa/" in page.url:
                        page.fill("input[name=code]", totp())
                        page.click("button[type=submit]")
                contexts[who] = (context, page)
            context, page = contexts[who]
            for label, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(path)
                name = f"{who or 'anon'}{path.replace('/', '_')}-{label}.png"
                page.screenshot(path=str(Path(out) / name), full_page=True)
                print(name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
