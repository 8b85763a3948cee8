"""Forms of written standard setting. A judge's ratings are not a Django form (one field
per item of the bank): the view reads ``rating_<question id>`` and the service checks."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ExerciseOpenForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Modified Angoff"))
    judges = forms.ModelMultipleChoiceField(
        label=_("Judges (two or more)"),
        queryset=User.objects.filter(Q(is_examiner=True) | Q(is_administrator=True), is_active=True).order_by(
            "legal_name", "email"
        ),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Examiners and administrators who know what a borderline candidate can do."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judges"].label_from_instance = lambda u: u.display_name


def _percent_field(label):
    return forms.DecimalField(
        label=label, min_value=0, max_value=100, max_digits=5, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": 0, "max": 100}),
    )  # fmt: skip


class HofsteeForm(forms.Form):
    min_cut = _percent_field(_("Lowest acceptable pass mark (%)"))
    max_cut = _percent_field(_("Highest acceptable pass mark (%)"))
    min_fail = _percent_field(_("Lowest acceptable fail rate (%)"))
    max_fail = _percent_field(_("Highest acceptable fail rate (%)"))


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that judges can no longer change their ratings once the exercise is closed.")
    )


class AdoptForm(forms.Form):
    pass_mark_percent = forms.IntegerField(label=_("New written pass mark (%)"), min_value=1, max_value=100)
    reason = forms.CharField(
        label=_("Reason (kept in the history)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The pass-mark version the page showed: a second post of the same page adopts nothing.
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_(
            "I understand that attempts started from now on use this pass mark (attempts already started keep theirs)."
        )
    )
