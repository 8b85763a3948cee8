"""Forms of the practical exam: scheduling, an examiner's marks, adopting a pass mark."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import Enrolment  # the field needs a model; its choices come from the selector
from exams.models import GlobalGrade, Station

from .selectors import enrolments_schedulable


class ScheduleForm(forms.Form):
    enrolment = forms.ModelChoiceField(
        label=_("Trainee"),
        queryset=Enrolment.objects.none(),
        help_text=_("Only trainees who are eligible and have no assessment pending are listed."),
    )
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    stations = forms.ModelMultipleChoiceField(
        label=_("Stations"), queryset=Station.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    examiners = forms.ModelMultipleChoiceField(
        label=_("Examiners (one or two)"),
        queryset=User.objects.filter(is_examiner=True, is_active=True).order_by("legal_name", "email"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("An examiner who signed any of the trainee's hands-on sessions cannot examine them."),
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments_schedulable(course)
        self.fields["enrolment"].label_from_instance = lambda e: e.trainee.legal_name or e.trainee.email
        self.fields["stations"].queryset = Station.objects.filter(practical__course=course)
        self.fields["examiners"].label_from_instance = lambda u: u.display_name


class ScoreForm(forms.Form):
    """One radio group per criterion (0 … its points), a global grade, comments."""

    global_grade = forms.TypedChoiceField(
        label=_("Global grade"),
        choices=GlobalGrade.choices,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,  # a draft saved before the grade is chosen
    )
    comments = forms.CharField(
        label=_("Feedback for the candidate"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.text,
                help_text=criterion.descriptor,
                choices=[(str(n), str(n)) for n in range(criterion.points + 1)],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "points"}),
            )
            self.fields[f"criterion_{criterion.pk}"].critical = criterion.critical

    def criterion_fields(self):
        return [(c, self[f"criterion_{c.pk}"]) for c in self.criteria]

    def points(self) -> dict:
        return {str(c.pk): self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}


class AdoptPassMarkForm(forms.Form):
    pass_mark = forms.DecimalField(label=_("New pass mark (points)"), min_value=0, max_digits=6, decimal_places=2)
    # The rubric version the page showed: a second post of the same page adopts nothing.
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RescheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("New date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    reason = forms.CharField(
        label=_("Reason (sent to the candidate and the examiners)"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the candidate and the examiners)"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    confirm = forms.BooleanField(label=_("Yes, cancel this assessment. The candidate and the examiners are emailed."))
