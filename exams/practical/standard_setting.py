"""Standard setting by borderline regression: the checklist totals of a station regressed
on the examiners' global grades; the total the line predicts at "borderline" is the
suggested pass mark, which an administrator may adopt as a new rubric version."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record
from exams.models import Criterion, GlobalGrade, RubricVersion, Station, StationScore

from .selectors import current_rubric

MSG_NOT_ENOUGH = _("Borderline regression needs at least {n} submitted results with two different global grades.")
MSG_NO_RUBRIC = _("{station} has no rubric yet: add a rubric version in the Django admin.")
MSG_RUBRIC_CHANGED = _(
    "The rubric changed while you were deciding: version {number} is current now, with pass mark {pass_mark}. "
    "Nothing was adopted; check the figures and adopt again if you still want to."
)

MIN_RESULTS = 5


@dataclass
class Regression:
    points: list[tuple[int, Decimal]]  # (global grade, checklist total)
    slope: float
    intercept: float

    @property
    def suggested_pass_mark(self) -> float:
        """The checklist total the line predicts at 'borderline'."""
        return self.intercept + self.slope * GlobalGrade.BORDERLINE


def borderline_regression(*, station: Station) -> Regression | None:
    """Least squares of checklist totals on global grades over every submitted score of
    the station (all rubric versions with the same maximum). None if too few results."""
    rows = list(
        StationScore.objects.filter(rubric__station=station, status=StationScore.Status.SUBMITTED).values_list(
            "global_grade", "total"
        )
    )
    return regression_from(rows)


def regression_from(rows: list[tuple[int, Decimal]]) -> Regression | None:
    if len(rows) < MIN_RESULTS or len({g for g, _t in rows}) < 2:
        return None
    n = len(rows)
    xs = [float(g) for g, _t in rows]
    ys = [float(t) for _g, t in rows]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return Regression(points=rows, slope=slope, intercept=my - slope * mx)


@transaction.atomic
def rubric_adopt_pass_mark(
    *, station: Station, pass_mark: Decimal, actor: User, based_on: int | None = None
) -> RubricVersion:
    """A new rubric version with the same criteria and the new pass mark, for future
    assessments; assessments already scheduled keep theirs.

    Holds a SELECT FOR UPDATE lock on the station row, so two adoptions (a double
    click, two administrators) number their versions one after the other. ``based_on``
    is the version number the administrator was looking at: if another version has been
    adopted since (the same form posted twice), nothing is adopted and a ValidationError
    with code ``unchanged`` says so."""
    station = Station.objects.select_for_update(of=("self",)).get(pk=station.pk)
    current = current_rubric(station)
    if current is None:
        raise ValidationError(str(MSG_NO_RUBRIC).format(station=station), code="no_rubric")
    if based_on is not None and based_on != current.number:
        raise ValidationError(
            str(MSG_RUBRIC_CHANGED).format(number=current.number, pass_mark=current.pass_mark), code="unchanged"
        )
    version = RubricVersion.objects.create(
        station=station, number=current.number + 1, pass_mark=pass_mark, note="Pass mark from borderline regression"
    )
    Criterion.objects.bulk_create(
        [
            Criterion(
                rubric=version,
                position=c.position,
                text=c.text,
                descriptor=c.descriptor,
                points=c.points,
                critical=c.critical,
            )
            for c in current.criteria.all()
        ]  # fmt: skip
    )
    audit_record(
        actor=actor,
        action="practical.pass_mark_adopted",
        obj=version,
        summary=f"{station}: pass mark {current.pass_mark} → {pass_mark} (v{version.number})",
        details={"from": str(current.pass_mark), "to": str(pass_mark)},
    )
    return version
