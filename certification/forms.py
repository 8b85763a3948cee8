from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Certificate

MAX_VERIFY_PDF_BYTES = 5 * 1024 * 1024


class LookupForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=24,
        help_text=_("As printed on the certificate, e.g. GLA-2026-7K3M-9QXD."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    surname = forms.CharField(
        label=_("Holder's surname"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_serial(self):
        serial = "".join(self.cleaned_data["serial"].split()).upper()
        # After the prefix, letters that are easy to misread count as the digits they look like.
        prefix, dash, rest = serial.partition("-")
        return prefix + dash + rest.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


class VerifyFileForm(forms.Form):
    document = forms.FileField(
        label=_("Certificate PDF"),
        help_text=_("The PDF file exactly as it was issued, up to 5 MB. It is checked and not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_VERIFY_PDF_BYTES:
            raise ValidationError(_("The file is larger than 5 MB; no Glabella certificate is that large."))
        head = upload.read(1024)
        upload.seek(0)
        if not head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
            raise ValidationError(_("This file is not a PDF. Upload the certificate's PDF file."))
        return upload.read()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail; for a revocation, also emailed to the holder."),
    )


class ReissueForm(ReasonForm):
    # The approved name the administrator was shown, so that the new certificate carries
    # that name or nothing is done (lifecycle.certificate_reissue's expected_name).
    holder_name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)


class IssueForm(forms.Form):
    awards = forms.MultipleChoiceField(label=_("Awards to issue"), choices=[])

    def __init__(self, *args, award_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["awards"].choices = [(str(pk), str(pk)) for pk in award_ids]
        self.fields["awards"].error_messages["required"] = _("Tick at least one award to issue.")


class CertificateFilterForm(forms.Form):
    STATES = [
        ("", _("All")),
        (Certificate.VALID, _("Valid")),
        (Certificate.Status.QUEUED, _("Queued")),
        (Certificate.Status.RENDERING, _("Rendering")),
        (Certificate.Status.FAILED, _("Failed")),
        (Certificate.EMAIL_FAILED, _("Email failed")),
        (Certificate.SUSPENDED, _("Suspended")),
        (Certificate.EXPIRED, _("Expired")),
        (Certificate.Status.REVOKED, _("Revoked")),
        (Certificate.Status.SUPERSEDED, _("Superseded")),
    ]
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    q = forms.CharField(label=_("Serial, name or email"), max_length=100, required=False)


class ApiKeyForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Who will use the key, e.g. an employer, an insurer or a regulator."),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"), help_text=_("Whom to tell when the key is revoked or the API changes.")
    )
