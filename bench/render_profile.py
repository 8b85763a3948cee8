"""The certificate PDF on its own: how long one render takes in a warm process, by the
script of the holder's name, and how much memory the process holds after many.

No database: each certificate is an unsaved ``Certificate`` (with its award and course in
memory), rendered by the real ``certification.documents.certificate_pdf`` (the real
template, the real QR code, the course's signature image read from private storage: a
900 x 260 PNG like an uploaded one). Every render has its own serial, verification code
(so its own QR code) and holder name.

1. Warm-up: one certificate of each class of names, unrecorded (the process loads
   WeasyPrint, its fonts and the template then).
2. ``--timed`` renders (50), the classes in turn, each one timed (wall clock and CPU):
   median and p95 per class and overall.
3. More renders up to ``--renders`` (300) in all, then the process's resident memory
   (``VmRSS`` and ``VmHWM`` of /proc/self/status); also read after the warm-up and after
   the timed renders, to see whether it grows with each distinct certificate.

``--profile`` renders ``--timed`` certificates under cProfile instead (no figures) and prints
the functions by cumulative and by own time; ``--pdf-dir DIR`` writes one PDF per class
there (``pdftoppm -r 80 -png`` to look at them); ``--json FILE`` writes the figures.

Usage:
    python bench/render_profile.py [--timed 50] [--renders 300] [--paper a4|letter] [--json out.json]
    python bench/render_profile.py --profile [--timed 30]
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Names by class, combined first x last so that each render prints a name of its own.
NAMES = {
    "latin": (
        ["Amelia", "Zoë", "Siobhán", "Élodie", "Joaquín", "Ingrid", "Dr Łukasz", "Kwame", "Ngozi", "Søren"],
        ["Nguyễn", "Müller", "Ó Briain", "Øvergaard", "Ångström-Nuñez", "Kowalczyk", "Haddad", "Fitzgerald"],
    ),
    "latin-long": (
        [
            "Maria Guadalupe Fernanda",
            "Anneliese Charlotte Henriette",
            "Dr Oluwaseun Adebayo Chukwuemeka",
            "Marguerite-Éléonore Joséphine",
            "Aleksandra Katarzyna Małgorzata",
        ],
        [
            "Castellanos Rivera de la Fuente y Ramírez",
            "Van der Westhuizen-Okonkwo Barrett",
            "Papadopoulos-Fitzgerald Lindqvist",
            "Ramírez de Arellano y Castellanos",
            "Abernathy-Øvergaard Thompson",
        ],
    ),  # fmt: skip
    "greek-cyrillic": (
        ["Δρ. Ελένη", "Γιώργος", "Др. Иван", "Анна", "Ольга", "Νίκος"],
        ["Παπαδοπούλου", "Οικονόμου", "Петров", "Смирнова", "Кузнецова", "Ζαχαρίου"],
    ),
    "cjk": (
        ["王", "李", "山田", "佐藤", "김", "陳"],
        ["小明", "秀英", "太郎", "花子", "민준", "美玲"],
    ),
    "arabic": (
        ["د. ليلى", "محمد", "فاطمة", "أحمد", "مريم"],
        ["حداد", "الخطيب", "منصور", "العلي", "يوسف"],
    ),
}
CLASSES = list(NAMES)


def names(kind: str):
    """The class's names, first x last in a fixed shuffled order, for ever."""
    firsts, lasts = NAMES[kind]
    separator = "" if kind == "cjk" else " "
    pairs = [f"{first}{separator}{last}" for first in firsts for last in lasts]
    random.Random(kind).shuffle(pairs)
    return itertools.cycle(pairs)


def signature_png() -> bytes:
    """A pen signature on a transparent background (as a scanned one would be uploaded)."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    image = Image.new("RGBA", (900, 260), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points, x = [], 40.0
    while x < 860:
        points.append((x, 130 + 70 * math.sin(x / 37) * math.cos(x / 111) + rng.uniform(-12, 12)))
        x += rng.uniform(6, 14)
    draw.line(points, fill=(20, 33, 61, 255), width=6, joint="curve")
    draw.line([(120, 205), (760, 190)], fill=(20, 33, 61, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def setup_django(media_root: Path) -> None:
    """Production settings, private storage in ``media_root`` (where the signature goes)."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "render-profile-not-secret")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(media_root)
    import django

    django.setup()


def course_with_signature(media_root: Path):
    """An unsaved course whose director's signature is on file (written to private storage)."""
    from courses.models import Course

    path = media_root / "signatures" / "director.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(signature_png())
    return Course(
        code="BOTOX-101",
        title="Botulinum Toxin Type A for Glabellar Lines: Foundations and Supervised Practice",
        director_name="Dr Helena Marchetti",
        director_title="MD, Programme Director",
        director_signature="signatures/director.png",
        accrediting_body="Accreditation Council for Continuing Medical Education",
        accreditation_number="ACCME-2026-0417",
        credit_hours=Decimal("12.50"),
    )


def certificate_for(course, name: str, *, paper: str = "a4"):
    """An unsaved certificate as ``certification.services`` would fill it in."""
    from certification.models import Award, Certificate

    today = datetime.date(2026, 11, 23)
    return Certificate(
        award=Award(course=course, handson_sessions=10),
        holder_name=name,
        holder_profession="Physician (MD)",
        course_code=course.code,
        course_title=course.title,
        accrediting_body=course.accrediting_body,
        accreditation_number=course.accreditation_number,
        credit_hours=course.credit_hours,
        director_name=course.director_name,
        director_title=course.director_title,
        paper=paper,
        certified_on=today,
        issued_on=today,
        expires_on=today + datetime.timedelta(days=730),
    )


def memory() -> dict:
    """The process's resident set now and at its peak, in MB (Linux)."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = round(int(value.split()[0]) / 1024, 1)
    return figures


def environment() -> dict:
    """What the figures depend on besides the code: the subsetter WeasyPrint uses (HarfBuzz's
    C library or, without it, fontTools in Python: several times slower), the fonts the
    template asks for that fontconfig has, and the speed of this machine right now (a fixed
    pure-Python loop: compare runs by it, the machine being shared)."""
    import subprocess

    import weasyprint
    from weasyprint.text.ffi import harfbuzz_subset

    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    wanted = ["Noto Serif", "Noto Sans", "Noto Serif CJK SC", "Noto Naskh Arabic", "DejaVu Serif", "DejaVu Sans Mono"]
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    began = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i
    return {
        "weasyprint": weasyprint.__version__,
        "subsetter": "harfbuzz" if harfbuzz_subset is not None else "fonttools",
        "fonts": [name for name in wanted if name in families],
        "python_loop_ms": round(1000 * (time.perf_counter() - began), 1),
    }


def summary(values: list[float]) -> dict:
    values = sorted(values)
    rank = max(1, math.ceil(0.95 * len(values)))
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 1),
        "p95": round(values[rank - 1], 1),
        "min": round(values[0], 1),
        "max": round(values[-1], 1),
    }


def run(args) -> dict:
    from certification.documents import certificate_pdf

    course = course_with_signature(Path(os.environ["PRIVATE_MEDIA_ROOT"]))
    sources = {kind: names(kind) for kind in CLASSES}
    order = itertools.cycle(CLASSES)

    def render(kind: str) -> tuple[bytes, float, float]:
        certificate = certificate_for(course, next(sources[kind]), paper=args.paper)
        cpu, began = time.process_time(), time.perf_counter()
        pdf = certificate_pdf(certificate)
        return pdf, 1000 * (time.perf_counter() - began), 1000 * (time.process_time() - cpu)

    started = time.perf_counter()
    first = render("latin")[1]
    for kind in CLASSES:
        pdf, _ms, _cpu = render(kind)
        if args.pdf_dir:
            Path(args.pdf_dir).mkdir(parents=True, exist_ok=True)
            (Path(args.pdf_dir) / f"{kind}.pdf").write_bytes(pdf)
    rss_warm = memory()
    done = 1 + len(CLASSES)

    wall, cpu, size = {kind: [] for kind in CLASSES}, {kind: [] for kind in CLASSES}, []
    for _ in range(args.timed):
        kind = next(order)
        pdf, ms, cpu_ms = render(kind)
        wall[kind].append(ms)
        cpu[kind].append(cpu_ms)
        size.append(len(pdf))
    done += args.timed
    rss_timed = memory()
    while done < args.renders:
        render(next(order))
        done += 1
    every = [ms for kind in CLASSES for ms in wall[kind]]
    return {
        "environment": environment(),
        "renders": done,
        "paper": args.paper,
        "first_render_ms": round(first, 1),
        "render_ms": {"all": summary(every), **{kind: summary(wall[kind]) for kind in CLASSES if wall[kind]}},
        "cpu_ms": {
            "all": summary([ms for kind in CLASSES for ms in cpu[kind]]),
            **{kind: summary(cpu[kind]) for kind in CLASSES if cpu[kind]},
        },
        "pdf_kb_mean": round(sum(size) / len(size) / 1024, 1) if size else None,
        "rss_mb": {
            "after_warmup": rss_warm,
            f"after_{1 + len(CLASSES) + args.timed}": rss_timed,
            f"after_{done}": memory(),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def profile(args) -> None:
    import cProfile
    import pstats

    from certification.documents import certificate_pdf

    course = course_with_signature(Path(os.environ["PRIVATE_MEDIA_ROOT"]))
    sources = {kind: names(kind) for kind in CLASSES}
    for kind in CLASSES:  # warm
        certificate_pdf(certificate_for(course, next(sources[kind]), paper=args.paper))
    certificates = [
        certificate_for(course, next(sources[CLASSES[i % len(CLASSES)]]), paper=args.paper) for i in range(args.timed)
    ]
    profiler = cProfile.Profile()
    profiler.enable()
    for certificate in certificates:
        certificate_pdf(certificate)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    print(f"{args.timed} renders, {CLASSES}")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def print_table(result: dict) -> None:
    print(json.dumps(result["environment"]))
    print(f"{result['renders']} renders ({result['paper']}), first render {result['first_render_ms']} ms, "
          f"PDFs {result['pdf_kb_mean']} KB, {result['seconds']} s")  # fmt: skip
    print(f"{'names':<16} {'n':>3} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cpu p50':>8}")
    for kind, figures in result["render_ms"].items():
        cpu = result["cpu_ms"][kind]["p50"]
        print(f"{kind:<16} {figures['n']:>3} {figures['p50']:>7} {figures['p95']:>7} {figures['max']:>7} {cpu:>8}")
    for when, figures in result["rss_mb"].items():
        print(f"RSS {when:<14} {figures['VmRSS']:>6} MB (peak {figures['VmHWM']} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timed", type=int, default=50, help="renders timed after the warm-up (50)")
    parser.add_argument("--renders", type=int, default=300, help="renders in all before RSS is read (300)")
    parser.add_argument("--paper", choices=["a4", "letter"], default="a4")
    parser.add_argument("--profile", action="store_true", help="cProfile --timed renders instead")
    parser.add_argument("--pdf-dir", help="write one PDF per class of names here")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="render-profile-") as media_root:
        setup_django(Path(media_root))
        if args.profile:
            profile(args)
            return
        result = run(args)
    print_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
