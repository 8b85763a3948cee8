from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profession


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
