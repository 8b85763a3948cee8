"""Answering a written attempt: autosave (one answer and/or the review flag at a time)
and the no-JavaScript page save, both through ``attempt_answer``.

Answers after the deadline are refused, and an attempt found past its deadline is closed
and graded there and then."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import Enrolment
from exams.models import Attempt, AttemptItem, Question
from exams.option_tokens import option_keys_for
from exams.selectors import db_converter, sql_name

from .attempts import MSG_NOT_OPEN
from .grading import attempt_grade

MSG_TIME_UP = _("Time is up: this attempt closed at {deadline} and was graded with the answers saved before then.")
MSG_BAD_OPTION = _("That answer is not one of this question's options.")
MSG_ONE_ANSWER = _("Choose one answer for a single-best-answer question.")
MSG_NO_ITEM = _("There is no question {position} in this attempt.")
MSG_BAD_POSITION = _("position must be the question's number (a whole number).")
MSG_BAD_KEYS = _("keys must be a list of option keys (text).")
MSG_BAD_FLAGGED = _("flagged must be true or false.")
MSG_PAUSED = _(
    "The invigilator has paused your exam and the clock is stopped: this answer was not saved. "
    "Choose it again when the exam resumes."
)


def attempt_answer(
    *,
    attempt_id: uuid.UUID,
    trainee: User,
    position: int,
    keys: list[str] | None = None,
    tokens: list[str] | None = None,
    flagged: bool | None = None,
) -> AttemptItem:
    """Save one answer (and/or the review flag). Refused once the deadline has passed or
    the attempt is submitted; an attempt found past its deadline is closed and graded
    (that grading is committed before the refusal is raised). Locks the attempt row, so
    concurrent saves for one attempt queue and none is lost.

    Takes the attempt's id, not the attempt: autosave has only the id from the URL, and
    this reads the attempt itself. An attempt that does not exist or is not the
    trainee's is refused with code ``not_found``. The returned item's ``attempt`` holds
    the status and deadline.

    While an invigilator has paused the attempt, answers are refused (code ``paused``):
    the clock is stopped, so no work may happen on it.

    Autosave runs this every few seconds per trainee; the usual case (``_answer_open``)
    is two statements. Anything else (not theirs, closed, past the deadline, no such
    question) reads the whole attempt, locked, to say which.

    The answer is ``keys`` (the snapshot's own option keys: services, the demo, tests) or
    ``tokens`` (what the browser names them, ``exams.option_tokens``: the exam page's
    posts and autosave); a token that is not one of the item's options is refused with
    MSG_BAD_OPTION, as an unknown key is.

    The arguments' types are checked first (code ``invalid``): autosave passes what a
    JSON body held, which may be anything.
    """
    if keys is not None and tokens is not None:
        raise TypeError("attempt_answer takes keys or tokens, not both")
    _answer_check_types(position=position, keys=keys if tokens is None else tokens, flagged=flagged)
    with transaction.atomic():
        now = timezone.now()
        item = _answer_open(
            attempt_id, trainee_id=trainee.pk, position=position, keys=keys, tokens=tokens, flagged=flagged, now=now
        )
        if item is not None:
            return item
        locked = (
            Attempt.objects.select_related("enrolment__trainee")
            .select_for_update(of=("self",))
            .filter(pk=attempt_id)
            .first()
        )
        if locked is None or locked.enrolment.trainee_id != trainee.pk:
            raise ValidationError(str(MSG_NOT_OPEN), code="not_found")
        if locked.status != Attempt.Status.OPEN:
            raise ValidationError(str(MSG_NOT_OPEN), code="closed")
        if locked.paused_at is not None:
            raise ValidationError(str(MSG_PAUSED), code="paused")
        if now < locked.deadline:
            # A number of thousands of digits is not repeated back.
            shown = position if abs(position) <= 10**9 else "…"
            raise ValidationError(str(MSG_NO_ITEM).format(position=shown))
        attempt_grade(locked, now=now, by_deadline=True)
    raise ValidationError(
        str(MSG_TIME_UP).format(deadline=timezone.localtime(locked.deadline).strftime("%H:%M:%S")),
        code="time_up",
    )


def _answer_check_types(*, position, keys, flagged) -> None:
    # bool is an int to Python; a question number of ``true`` is a client's mistake.
    if type(position) is not int:
        raise ValidationError(str(MSG_BAD_POSITION), code="invalid")
    if keys is not None and (not isinstance(keys, list) or not all(isinstance(key, str) for key in keys)):
        raise ValidationError(str(MSG_BAD_KEYS), code="invalid")
    if flagged is not None and type(flagged) is not bool:
        raise ValidationError(str(MSG_BAD_FLAGGED), code="invalid")


# The usual autosave in two plain statements (inside attempt_answer's transaction): the
# item of the trainee's open attempt before its deadline, locking only the attempt row
# (FOR UPDATE OF, so a racing submit or another save for the attempt waits), then the
# UPDATE. Profiled under the exam-day benchmark, the same two statements built by the
# ORM (select_related/only/select_for_update, then Model.save) were a third of an
# autosave's Python function calls. Values go in and come out through the fields' own
# conversions, as the ORM's would.
_MAX_POSITION = 32767  # AttemptItem.position is a PositiveSmallIntegerField
_ANSWER_OPEN_FIELDS = ("options", "response", "flagged", "answered_at")
_ANSWER_SAVED = ("response", "answered_at", "flagged")  # the UPDATE's columns, in its order


def _answer_sql() -> tuple[str, str]:
    """The two statements, naming the tables and columns the models name (quoted), built
    once, at import. Reads courses' Enrolment table: the join is what makes it one
    statement (the exception to reading courses through its selectors). Only model names
    go in."""
    i, a, e = AttemptItem, Attempt, Enrolment
    columns = ", ".join(f"i.{sql_name(i, name)}" for name in ("id", "kind", *_ANSWER_OPEN_FIELDS))
    select = (
        f"SELECT {columns}, a.{sql_name(a, 'deadline')}"  # noqa: S608  # nosec B608
        f" FROM {sql_name(i)} i"
        f" JOIN {sql_name(a)} a ON a.{sql_name(a, 'id')} = i.{sql_name(i, 'attempt')}"
        f" JOIN {sql_name(e)} e ON e.{sql_name(e, 'id')} = a.{sql_name(a, 'enrolment')}"
        f" WHERE i.{sql_name(i, 'attempt')} = %s AND i.{sql_name(i, 'position')} = %s"
        f" AND e.{sql_name(e, 'trainee')} = %s AND a.{sql_name(a, 'status')} = %s AND a.{sql_name(a, 'deadline')} > %s"
        f" AND a.{sql_name(a, 'paused_at')} IS NULL"
    )
    assignments = ", ".join(f"{sql_name(i, name)} = %s" for name in _ANSWER_SAVED)
    update = f"UPDATE {sql_name(i)} SET {assignments} WHERE {sql_name(i, 'id')} = %s"  # noqa: S608  # nosec B608
    return select, update


_ANSWER_OPEN_SELECT, _ANSWER_OPEN_UPDATE = _answer_sql()


def _answer_open(attempt_id, *, trainee_id, position: int, keys, tokens, flagged, now) -> AttemptItem | None:
    """Save the answer if the attempt is the trainee's, open, not paused, before its
    deadline, and has this question; None (nothing done) otherwise."""
    if not 0 <= position <= _MAX_POSITION:
        return None
    item_field, attempt_field = AttemptItem._meta.get_field, Attempt._meta.get_field
    locking = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(
            _ANSWER_OPEN_SELECT + locking,
            [
                attempt_field("id").get_db_prep_value(attempt_id, connection),
                position,
                trainee_id,
                Attempt.Status.OPEN,
                attempt_field("deadline").get_db_prep_value(now, connection),
            ],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        item = AttemptItem(
            id=row[0],
            attempt_id=attempt_id,
            position=position,
            kind=row[1],
            **{
                name: db_converter(AttemptItem, name)(value)
                for name, value in zip(_ANSWER_OPEN_FIELDS, row[2:6], strict=True)
            },
        )
        item.attempt = Attempt(
            id=attempt_id, status=Attempt.Status.OPEN, deadline=db_converter(Attempt, "deadline")(row[6])
        )
        if tokens is not None:
            keys = option_keys_for(attempt_id, item.options, tokens)
            if keys is None:
                raise ValidationError(str(MSG_BAD_OPTION))
        if _answer_apply(item, keys=keys, flagged=flagged, now=now):
            values = [item_field(name).get_db_prep_save(getattr(item, name), connection) for name in _ANSWER_SAVED]
            cursor.execute(_ANSWER_OPEN_UPDATE, [*values, item.pk])
    return item


def _answer_apply(item: AttemptItem, *, keys, flagged, now) -> list[str]:
    """Check the answer against the item's options and kind and set it on the item;
    the names of the fields changed."""
    fields = []
    if keys is not None:
        valid = {option["key"] for option in item.options}
        keys = sorted(set(keys))
        if not set(keys) <= valid:
            raise ValidationError(str(MSG_BAD_OPTION))
        if item.kind == Question.Kind.SINGLE and len(keys) > 1:
            raise ValidationError(str(MSG_ONE_ANSWER))
        item.response = keys
        item.answered_at = now
        fields += ["response", "answered_at"]
    if flagged is not None:
        item.flagged = flagged
        fields.append("flagged")
    return fields
