from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from etage.intake.arrears.services import IMPORT_EXTENSIONS


class ArrearsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Monthly arrears extract"),
        help_text=_("CSV (UTF-8 or Windows-1252, “;” or “,”) or XLSX, in the ETAGE format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Trial run: check the file and count the changes, write nothing"),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        if (upload.size or 0) > settings.ETAGE_MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("This file is too large (at most %(size)s MB).")
                % {"size": settings.ETAGE_MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload
