from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_utils import IsoDateField


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor_email = forms.EmailField(label=_("Who (email)"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    since = IsoDateField(label=_("From"), required=False)
    until = IsoDateField(label=_("Until"), required=False)

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action"))] + [(a, a) for a in actions]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("“Until” must be on or after “From”."))
        return data
