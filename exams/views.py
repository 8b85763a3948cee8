import csv
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.json_input import JSONInputError, json_body
from core.permissions import role_required
from core.ratelimit import rate_limited_json
from courses import selectors as course_selectors
from courses.models import Enrolment

from . import analysis, bank, paper, rendering, selectors
from .models import Attempt, ExamSettings, ItemStatus
from .option_tokens import option_token
from .services import answers, attempts
from .sittings import selectors as sitting_selectors


@role_required("trainee")
@require_safe
def exam_home(request, code):
    course = course_selectors.get_course_for(request.user, code)
    enrolment = course_selectors.enrolment_for(request.user, course)
    if enrolment is None:
        raise Http404
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        # Not a bare 404: say why the exam is closed and how to get back to it.
        return render(request, "exams/exam_withdrawn.html", {"course": course, "enrolment": enrolment})
    enrolment.course, enrolment.trainee = course, request.user  # what get_active_enrolment joined
    settings = ExamSettings.objects.filter(course=course).first()
    sittings = selectors.attempts_for(enrolment=enrolment)
    open_attempt = next((a for a in sittings if a.status == Attempt.Status.OPEN), None)
    if open_attempt and attempts.attempt_close_if_expired(attempt=open_attempt):
        open_attempt = None
        sittings = selectors.attempts_for(enrolment=enrolment)
    booking = None if open_attempt else sitting_selectors.booking_pending(enrolment)
    blockers = [] if open_attempt else attempts.attempt_blockers(enrolment=enrolment)
    scheduled = settings is not None and not settings.allow_unscheduled
    return render(
        request,
        "exams/exam_home.html",
        {
            "course": course,
            "settings": settings,
            "attempts": sittings,
            "open_attempt": open_attempt,
            "blockers": blockers,
            "booking": booking,
            "booking_open": booking is not None and booking.sitting.opens_at <= timezone.now(),
            "bookable": sitting_selectors.sittings_bookable(enrolment)
            if settings and not open_attempt and booking is None and not blockers
            else [],
            "scheduled": scheduled,
            "review_policy": selectors.review_policy_summary(settings) if settings else "",
        },
    )


MSG_START_CONFIRM = gettext_lazy("Starting opens your paper and starts the clock.")


@role_required("trainee")
@require_http_methods(["GET", "HEAD", "POST"])
def attempt_start(request, code):
    """GET: the confirmation (starting starts the clock; it works without JavaScript).
    POST: start, or open the attempt already started."""
    enrolment = selectors.get_active_enrolment_in(request.user, code)
    if request.method != "POST":
        settings = ExamSettings.objects.filter(course_id=enrolment.course_id).first()
        open_attempt = enrolment.attempts.filter(status=Attempt.Status.OPEN).first()
        if settings is None or open_attempt is not None:
            return redirect("exams:home", code=code)
        return render(request, "exams/start.html", {"course": enrolment.course, "settings": settings})
    try:
        attempt = attempts.attempt_start(trainee=request.user, enrolment=enrolment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exams:home", code=code)
    return redirect("exams:attempt", pk=attempt.pk)


def _closed_redirect(request, attempt):
    if attempt.closed_by_deadline:
        messages.warning(request, _("Time is up: the attempt was closed at its deadline and graded."))
    return redirect("exams:result", pk=attempt.pk)


def _page_url(attempt, number: int) -> str:
    if number <= 1:
        return reverse("exams:attempt", args=[attempt.pk])
    return reverse("exams:page", args=[attempt.pk, number])


@role_required("trainee")
@require_safe
def attempt_page(request, pk, page=1):
    """One page of the paper (a question, or a case with its questions), the navigator
    and the clock. Four queries however long the paper: session, user, the attempt, its
    items."""
    attempt = selectors.get_attempt_for_page(request.user, pk)
    if attempts.attempt_close_if_expired(attempt=attempt) or attempt.status != Attempt.Status.OPEN:
        return _closed_redirect(request, attempt)
    items = selectors.attempt_page_items(attempt)
    pages = paper.paper_pages(items)
    if not pages:
        return redirect("exams:summary", pk=attempt.pk)
    if not 1 <= page <= len(pages):
        raise Http404
    shown = pages[page - 1]
    return render(
        request,
        "exams/attempt.html",
        {
            "attempt": attempt,
            "course": attempt.enrolment.course,
            "total": len(items),
            "answered": sum(1 for i in items if i.response),
            "page": page,
            "pages": len(pages),
            "first_position": shown[0].position,
            "last_position": shown[-1].position,
            "previous_url": _page_url(attempt, page - 1) if page > 1 else "",
            "questions": rendering.page_html(shown, token=functools.partial(option_token, attempt.pk)),
            "navigator_html": paper.navigator_html(paper.navigator(pages, current=page), attempt_id=attempt.pk),
            **paper.clock(attempt),
        },
    )


MSG_BAD_PAGE = gettext_lazy("That page of the paper does not exist: here is the first page.")
MSG_QUESTION_ERROR = gettext_lazy("Question {position}: {error}")


def _target(attempt, go: str, number: int, pages: int) -> str:
    """Where the no-JavaScript form goes after saving: the previous or next page, a page
    chosen in the navigator ("page-3"), the summary, or back to this page."""
    if go == "summary":
        return reverse("exams:summary", args=[attempt.pk])
    if go == "prev":
        return _page_url(attempt, max(number - 1, 1))
    if go.startswith("page-") and go[5:].isdigit() and 1 <= int(go[5:]) <= pages:
        return _page_url(attempt, int(go[5:]))
    if go == "next":
        if number >= pages:
            return reverse("exams:summary", args=[attempt.pk])
        return _page_url(attempt, number + 1)
    return _page_url(attempt, number)


@role_required("trainee")
@require_POST
def attempt_save(request, pk):
    """The no-JavaScript path: one page's answers and flags in one post, then on to the
    page asked for (``go``). An answer that is not one of the question's options (an
    unknown token) is refused with its question's number, the others on the page are
    saved, and the candidate stays on the page."""
    attempt = selectors.get_attempt_for(request.user, pk)
    pages = paper.paper_pages(selectors.attempt_page_items(attempt))
    raw = request.POST.get("page", "")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 0
    if not 1 <= number <= len(pages):
        messages.error(request, MSG_BAD_PAGE)
        return redirect("exams:attempt", pk=attempt.pk)
    errors = []
    for item in pages[number - 1]:
        tokens = request.POST.getlist(f"q{item.position}")
        flagged = request.POST.get(f"flag{item.position}") == "on"
        saved = sorted(option_token(attempt.pk, key) for key in item.response)
        if sorted(tokens) == saved and flagged == bool(item.flagged):
            continue
        try:
            answers.attempt_answer(
                attempt_id=attempt.pk, trainee=request.user, position=item.position, tokens=tokens, flagged=flagged
            )
        except ValidationError as error:
            if getattr(error, "code", "") in ("time_up", "closed", "not_found"):
                messages.error(request, error.messages[0])
                return redirect("exams:result", pk=attempt.pk)
            errors.append(str(MSG_QUESTION_ERROR).format(position=item.position, error=error.messages[0]))
    if errors:
        for error in errors:
            messages.error(request, error)
        return redirect(_page_url(attempt, number))
    messages.success(request, _("Your answers are saved."))
    return redirect(_target(attempt, request.POST.get("go", "next"), number, len(pages)))


MSG_AUTOSAVE_LIMITED = gettext_lazy("Saving too often: your answer will be saved again in a few seconds.")
MSG_AUTOSAVE_NOT_OBJECT = gettext_lazy(
    'The request must be a JSON object such as {"position": 3, "keys": ["<an option of question 3>"]}.'
)
# A save is a question number, a few option keys and a flag: well under a kilobyte.
AUTOSAVE_MAX_BYTES = 16 * 1024


@role_required("trainee")
@require_POST
@rate_limited_json(
    scope="exam-autosave", setting="EXAM_AUTOSAVE_RATE_LIMIT", default="120/m", per="user",
    message=MSG_AUTOSAVE_LIMITED,
)  # fmt: skip
def attempt_autosave(request, pk):
    """JSON: {"position": 3, "keys": ["<token>"], "flagged": false} → the saved state.
    The keys are the page's option tokens (exams.option_tokens), and the answer names
    them the same way; a token that is not one of the question's options is a 400.

    Any body that is not such an object (too large, not UTF-8, not strict JSON, nested
    too deeply, fields of the wrong type) answers 400 (413 if too large) with the reason;
    ``attempt_answer`` checks the fields' types as well as their values.

    The attempt is not read here: ``attempt_answer`` reads and locks it with the item in
    one query and refuses (``not_found``: a 404 here) an attempt that is not this trainee's."""
    try:
        payload = json_body(request, max_bytes=AUTOSAVE_MAX_BYTES)
    except JSONInputError as error:
        return JsonResponse({"ok": False, "error": str(error)}, status=error.status)
    if not isinstance(payload, dict):
        return JsonResponse({"ok": False, "error": str(MSG_AUTOSAVE_NOT_OBJECT)}, status=400)
    try:
        item = answers.attempt_answer(
            attempt_id=pk,
            trainee=request.user,
            position=payload.get("position"),
            tokens=payload.get("keys"),
            flagged=payload.get("flagged"),
        )
    except ValidationError as error:
        code = getattr(error, "code", "")
        if code == "not_found":
            raise Http404 from None
        closed = code in ("time_up", "closed")
        paused = code == "paused"
        return JsonResponse(
            {
                "ok": False,
                "error": error.messages[0],
                "closed": closed,
                "paused": paused,
                "result_url": reverse("exams:result", args=[pk]) if closed else "",
            },
            status=409 if closed or paused else 400,
        )
    remaining = max(int((item.attempt.deadline - timezone.now()).total_seconds()), 0)
    return JsonResponse(
        {
            "ok": True,
            "position": item.position,
            "keys": [option_token(pk, key) for key in item.response],
            "flagged": item.flagged,
            "remaining": remaining,
        }
    )


@role_required("trainee")
@require_safe
def attempt_summary(request, pk):
    """Before submitting: what is unanswered and flagged (each a link to its page), the
    navigator and the clock. Four queries however long the paper."""
    attempt = selectors.get_attempt_for_page(request.user, pk)
    if attempts.attempt_close_if_expired(attempt=attempt) or attempt.status != Attempt.Status.OPEN:
        return _closed_redirect(request, attempt)
    items = selectors.attempt_page_items(attempt)
    pages = paper.paper_pages(items)
    entries = paper.navigator(pages, current=None)
    return render(
        request,
        "exams/summary.html",
        {
            "attempt": attempt,
            "course": attempt.enrolment.course,
            "total": len(items),
            "answered": sum(1 for i in items if i.response),
            "unanswered": [e for e in entries if not e.answered],
            "flagged": [e for e in entries if e.flagged],
            "navigator_html": paper.navigator_html(entries, attempt_id=attempt.pk, links=True),
            "last_page_url": _page_url(attempt, len(pages)),
            **paper.clock(attempt),
        },
    )


@role_required("trainee")
@require_POST
def attempt_submit(request, pk):
    attempt = selectors.get_attempt_for(request.user, pk)
    attempt = attempts.attempt_submit(attempt=attempt, trainee=request.user)
    return redirect("exams:result", pk=attempt.pk)


@role_required("trainee")
@require_safe
def attempt_result(request, pk):
    """The score, and what the review policy (``selectors.attempt_review``) allows."""
    attempt = selectors.get_attempt_for(request.user, pk)
    if attempt.status == Attempt.Status.OPEN and not attempts.attempt_close_if_expired(attempt=attempt):
        return redirect("exams:attempt", pk=attempt.pk)
    attempt.refresh_from_db()
    review = selectors.attempt_review(attempt)
    return render(
        request,
        "exams/result.html",
        {
            "attempt": attempt,
            "course": attempt.enrolment.course,
            "topics": review.topics,
            "items": review.items,
            "key_note": review.note,
        },
    )


@role_required("administrator")
@require_safe
def item_analysis(request, code):
    course = course_selectors.get_course_for_staff(code)
    stats = analysis.exam_analysis(course=course)
    return render(
        request, "exams/analysis.html", {"course": course, "stats": stats, "kr20_min": analysis.KR20_MIN_ATTEMPTS}
    )


@role_required("administrator")
@require_safe
def item_analysis_csv(request, code):
    """The item analysis for a spreadsheet: UTF-8 with a byte-order mark (Excel reads
    accented stems right), the summary figures first, then one row per item with how
    often each option was chosen."""
    course = course_selectors.get_course_for_staff(code)
    stats = analysis.exam_analysis(course=course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="item-analysis-{course.code}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in analysis.summary_rows(stats):
        writer.writerow([bank._neutralise(str(v)) for v in row])
    writer.writerow([])
    writer.writerow(["ref", "topic", "responses", "facility", "discrimination", "flags", "option counts", "stem"])
    for item in stats.items:
        options = "; ".join(f"{'✓ ' if correct else ''}{text}: {count}" for text, count, correct in item.option_counts)
        writer.writerow(
            [bank._neutralise(str(v)) for v in (
                item.ref, item.topic, item.n, f"{item.facility:.3f}",
                "" if item.discrimination is None else f"{item.discrimination:.3f}", "; ".join(item.flags), options,
                item.stem,
            )]
        )  # fmt: skip
    return response


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def question_bank(request, code):
    course = course_selectors.get_course_for_staff(code)
    report = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a JSON or CSV file to import.")
        elif upload.size > 5 * 1024 * 1024:
            error = _("The file is larger than 5 MB.")
        else:
            try:
                report = bank.bank_import_file(course=course, name=upload.name, data=upload.read())
            except ValueError as exc:
                error = str(exc)
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("Imported: %(c)s new, %(u)s updated.") % {"c": report.created, "u": report.updated},
                    )
                    return redirect("exams:bank", code=code)
    counts = {status: course.questions.filter(status=status).count() for status in ItemStatus}
    return render(request, "exams/bank.html", {"course": course, "report": report, "error": error, "counts": counts})


@role_required("administrator")
@require_safe
def question_bank_export(request, code, fmt):
    if fmt not in ("json", "csv"):
        raise Http404
    course = course_selectors.get_course_for_staff(code)
    if fmt == "csv":
        # With a byte-order mark: Excel then reads accents as UTF-8 (the import skips it).
        response = HttpResponse("\ufeff" + bank.bank_export_csv(course=course), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(bank.bank_export_json(course=course), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="question-bank-{course.code}.{fmt}"'
    return response
