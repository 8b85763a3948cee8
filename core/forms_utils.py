from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """``<input type="date">``. Browsers show and send only ISO dates (2026-12-07), in every
    language; a localised value (07/12/2026) is shown as an empty field, which then fails
    as required on save. So the value is always written as ISO."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class IsoDateField(forms.DateField):
    """A date entered in an ``<input type="date">``: read and written as ISO."""

    widget = IsoDateInput
    input_formats = [ISO_DATE]


def form_add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at the field it names when the form
    has that field, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(None if field == NON_FIELD_ERRORS else target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
