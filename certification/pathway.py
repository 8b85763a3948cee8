"""The certification pathway a trainee walks for one course: licence → theory →
hands-on → examination → certificate. Each stage is done, in progress or locked, with
the next action one click away. Later stages are filled in as their parts are built."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DONE, IN_PROGRESS, TO_DO, LOCKED = "done", "in_progress", "to_do", "locked"
STATE_LABELS = {
    DONE: gettext_lazy("Done"),
    IN_PROGRESS: gettext_lazy("In progress"),
    TO_DO: gettext_lazy("Not started"),  # open to the trainee, nothing done yet
    LOCKED: gettext_lazy("Locked"),
}
MSG_HANDSON_HOW = gettext_lazy(
    "Your course's instructors arrange supervised sessions at their clinic and sign them there; "
    "you can also record cases with a verified mentor of your own."
)


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    state: str
    detail: str
    action_label: str = ""
    action_url: str = ""
    value: int = 0
    total: int = 0
    # More than one progress bar: (label, value, total) each; shown instead of value/total.
    bars: tuple[tuple[str, int, int], ...] = ()

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def pathway_for(
    *,
    has_valid_licence: bool,
    licence_waiting: bool,
    course,
    enrolment=None,
    handson=None,
    written_passed=False,
    written=None,
    practical=None,
    award=None,
    certificate=None,
) -> list[Stage]:
    """Stages for ``course``. ``enrolment``, when given, carries ``lesson_total`` and
    ``lessons_done`` annotations (see courses.selectors.enrolment_list_for_trainee);
    ``handson`` is its courses.handson.selectors.RequirementStatus; ``written`` its
    exams.selectors.WrittenState (attempts, waits), which decides the exam's sentence."""
    if written is not None:
        written_passed = written.passed
    stages: list[Stage] = []
    if has_valid_licence:
        stages.append(Stage("licence", _("Licence verified"), DONE, _("Your licence is verified and current.")))
    elif licence_waiting:
        stages.append(
            Stage("licence", _("Licence verified"), IN_PROGRESS, _("Your licence is awaiting verification."),
                  _("See my licences"), reverse("accounts:licence_list"))
        )  # fmt: skip
    else:
        stages.append(
            Stage("licence", _("Licence verified"), IN_PROGRESS, _("Submit a current licence to begin."),
                  _("Submit a licence"), reverse("accounts:licence_create"))
        )  # fmt: skip

    theory_done = False
    if enrolment is None:
        stages.append(
            Stage("theory", _("Theory"), LOCKED if not has_valid_licence else IN_PROGRESS,
                  _("Enrol in the course to start the lessons."),
                  _("View the course") if has_valid_licence else "",
                  reverse("courses:detail", args=[course.code]) if has_valid_licence else "")
        )  # fmt: skip
    else:
        total, done = enrolment.lesson_total, enrolment.lessons_done
        theory_done = total > 0 and done >= total
        stages.append(
            Stage("theory", _("Theory"), DONE if theory_done else (IN_PROGRESS if done else TO_DO),
                  _("%(done)s of %(total)s lessons complete.") % {"done": done, "total": total},
                  "" if theory_done else (_("Continue") if done else _("Start the first lesson")),
                  "" if theory_done else reverse("courses:learn", args=[course.code]),
                  value=done, total=total)
        )  # fmt: skip

    handson_done = handson is not None and handson.met
    if enrolment is None or handson is None:
        stages.append(
            Stage("handson", _("Hands-on training"), LOCKED,
                  _("Observed and supervised cases, recorded and signed by your instructor, count here."))
        )  # fmt: skip
    else:
        counts = handson_counts(handson)
        detail = " · ".join(_("%(label)s %(done)s of %(need)s") % {"label": label, "done": done, "need": need}
                            for label, done, need in counts)  # fmt: skip
        detail = detail + "." if detail else _("%(signed)s signed cases.") % {"signed": handson.signed}
        missing = ", ".join(a.name for a in handson.missing_areas)
        if missing and not handson_done:
            detail += " " + _("Still to cover: %(areas)s.") % {"areas": missing}
        started = handson.signed > 0
        if not started:
            detail += " " + str(MSG_HANDSON_HOW)
        stages.append(
            Stage("handson", _("Hands-on training"), DONE if handson_done else (IN_PROGRESS if started else TO_DO),
                  detail,
                  _("My logbook"), reverse("courses:logbook", args=[course.code]),
                  bars=tuple((label, min(done, need), need) for label, done, need in counts))
        )  # fmt: skip
    if written_passed and practical is not None and practical.passed:
        stages.append(
            Stage("exam", _("Written and practical exam"), DONE, _("Written and practical exams passed."),
                  _("See my results"), reverse("exams:practical", args=[course.code]))
        )  # fmt: skip
    elif written_passed and practical is not None:
        detail = (
            _("Written exam passed. Practical assessment on %(when)s at %(place)s.")
            % {"when": timezone.localtime(practical.scheduled_at).strftime("%d %b %Y %H:%M"), "place": practical.place}
            if practical.status == "scheduled"
            else _("Written exam passed. The practical was not passed; an administrator can schedule a re-sit.")
        )
        stages.append(
            Stage("exam", _("Written and practical exam"), IN_PROGRESS, detail,
                  _("Practical exam"), reverse("exams:practical", args=[course.code]))
        )  # fmt: skip
    elif written_passed:
        detail = (
            _("Written exam passed. The hands-on requirement is met: an administrator will schedule your "
              "practical assessment and email you the date.")
            if handson_done
            else _("Written exam passed. The practical assessment is scheduled once the hands-on requirement is met.")
        )  # fmt: skip
        stages.append(
            Stage("exam", _("Written and practical exam"), IN_PROGRESS, detail,
                  _("See my results"), reverse("exams:home", args=[course.code]))
        )  # fmt: skip
    elif theory_done and has_valid_licence:
        stages.append(_written_open_stage(course, written))
    else:
        stages.append(
            Stage("exam", _("Written and practical exam"), LOCKED,
                  _("The written exam opens when the theory is complete; the practical once it is passed "
                    "and the hands-on requirement is met."))
        )  # fmt: skip
    stages.append(_certificate_stage(award, certificate))
    return stages


def _written_open_stage(course, written) -> Stage:
    """The exam stage once the theory is done and the licence valid, but the written exam
    not yet passed: open, in progress, waiting after a fail, or out of attempts."""
    title, url = _("Written and practical exam"), reverse("exams:home", args=[course.code])
    if written is not None and written.in_progress:
        return Stage("exam", title, IN_PROGRESS, _("Your written exam is in progress; the clock is running."),
                     _("Continue the written exam"), url)  # fmt: skip
    if written is not None and written.submitted and written.attempts_left == 0:
        return Stage("exam", title, IN_PROGRESS,
                     _("The written exam was not passed and all %(n)s attempts are used. The course's "
                       "administrators can tell you how to go on.") % {"n": written.attempts_allowed},
                     _("See my results"), url)  # fmt: skip
    if written is not None and written.submitted:
        left = {"left": written.attempts_left}
        if written.retry_at is not None and written.retry_at > timezone.now():
            when = timezone.localtime(written.retry_at).strftime("%d %b %Y %H:%M")
            detail = _("The written exam was not passed. You can take it again from %(when)s "
                       "(%(left)s attempts left).") % {"when": when, **left}  # fmt: skip
        else:
            detail = _("The written exam was not passed. You can take it again now (%(left)s attempts left).") % left
        return Stage("exam", title, IN_PROGRESS, detail, _("See my results"), url)
    if written is not None and written.scheduled_only:
        if written.sitting is not None:
            sitting = written.sitting
            detail = _("Your written exam sitting: %(opens)s to %(closes)s, %(place)s.") % {
                "opens": timezone.localtime(sitting.opens_at).strftime("%d %b %Y %H:%M"),
                "closes": timezone.localtime(sitting.closes_at).strftime("%H:%M"),
                "place": sitting.place,
            }
            return Stage("exam", title, IN_PROGRESS, detail, _("Go to the written exam"), url)
        return Stage("exam", title, TO_DO,
                     _("The written exam is taken in a scheduled sitting: book one to sit it. The practical opens "
                       "once it is passed and the hands-on requirement is met."),
                     _("Book a sitting"), url)  # fmt: skip
    return Stage("exam", title, TO_DO,
                 _("The written exam is open to you. The practical opens once it is passed and the hands-on "
                   "requirement is met."),
                 _("Go to the written exam"), url)  # fmt: skip


def handson_counts(handson) -> list[tuple[str, int, int]]:
    """(label, done, needed) per case type the course asks for, then the cases treated in
    all when that total asks for more than the per-type minimums, then the reviewed cases
    when the course asks for reviews."""
    counts = [(t.name, t.done, t.need) for t in handson.types]
    if handson.shows_total:
        counts.append((_("Cases treated"), handson.performed, handson.required))
    if handson.reviews:
        counts.append((handson.reviews.name, handson.reviews.done, handson.reviews.need))
    return counts


def _certificate_stage(award, certificate) -> Stage:
    title = _("Certificate")
    if award is None:
        return Stage("certificate", title, LOCKED, _("Issued when both parts of the exam are passed."))
    if certificate is None:
        return Stage("certificate", title, IN_PROGRESS,
                     _("You have met every requirement. An administrator reviews the award and issues your "
                       "certificate; you will get it by email."))  # fmt: skip
    url = reverse("certification:detail", args=[certificate.pk])
    state = certificate.public_state()
    if state == certificate.PENDING:
        detail = (
            _("Your certificate is being prepared. It will appear here and arrive by email within minutes.")
            if certificate.status != certificate.Status.FAILED
            else _("Preparing your certificate hit a problem; the administrators have been told and will retry.")
        )
        return Stage("certificate", title, IN_PROGRESS, detail)
    details = {
        certificate.VALID: _("Certificate %(serial)s is valid; it expires on %(date)s."),
        certificate.SUSPENDED: _("Certificate %(serial)s is suspended until a current licence is verified."),
        certificate.EXPIRED: _("Certificate %(serial)s expired on %(date)s."),
        certificate.REVOKED: _("Certificate %(serial)s was revoked."),
    }
    detail = details[state] % {"serial": certificate.serial, "date": certificate.expires_on.strftime("%d %b %Y")}
    stage_state = DONE if state == certificate.VALID else IN_PROGRESS
    return Stage("certificate", title, stage_state, detail, _("View my certificate"), url)
