from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profession
from courses.models import CourseRun


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),  # one type attribute, not text and search
    )
    profession = forms.ChoiceField(
        label=_("Open to"), required=False, choices=[("", _("Any profession"))] + Profession.choices
    )
    body = forms.ChoiceField(label=_("Accrediting body"), required=False)
    min_credits = forms.DecimalField(
        label=_("At least (credit hours)"), required=False, min_value=0, max_value=999, decimal_places=2
    )

    def __init__(self, *args, bodies: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("Any body"))] + [(b, b) for b in bodies]
        self.fields["q"].widget.attrs.update({"placeholder": _("Title, code or topic")})


class RunChoiceForm(forms.Form):
    """The run a trainee enrols onto. Any run is accepted here: whether it is this
    course's, open, before its closing day and not full is the enrolment rules' question
    (courses.services.enrolment_blockers), answered at this field."""

    run = forms.ModelChoiceField(
        label=_("Choose your run"),
        queryset=CourseRun.objects.select_related("course"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("That run does not exist; choose one of the runs listed.")},
    )
