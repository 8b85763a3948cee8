"""Case types of the hands-on log: who treated the model.

Observed: the trainee watched an instructor or mentor treat. The instructor records it
like any case (ratings may be "Not observed"); it counts only toward the course's
observed minimum, never toward the performed total, the area minimums or the
latest-rated-competent rule, because the trainee did not inject.

Supervised and independent under oversight are cases the trainee performed: they count
toward the performed total (``Course.handson_min_sessions``), the area minimums and the
latest-rated-competent rule, and each toward its own per-type minimum."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    OBSERVED = "observed", _("Observed")
    SUPERVISED = "supervised", _("Supervised")
    INDEPENDENT = "independent", _("Independent under oversight")


PERFORMED_CASE_TYPES = (CaseType.SUPERVISED, CaseType.INDEPENDENT)

# One line each, beside the choice on the session form.
EXPLANATIONS = {
    CaseType.OBSERVED: _("Observed: the trainee watched you or a mentor treat the model."),
    CaseType.SUPERVISED: _("Supervised: the trainee treated the model with you at their side."),
    CaseType.INDEPENDENT: _("Independent under oversight: the trainee treated alone, with you on site to step in."),
}
