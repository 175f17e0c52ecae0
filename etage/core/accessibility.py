"""The accessibility statement (RGAA; issue 12) and the form to report an accessibility
problem, open to everyone, signed in or not: someone who cannot get past the login page must
be able to say so. The report is e-mailed to the contact named in the settings
(``ETAGE_ACCESSIBILITY_CONTACT``) and kept nowhere else."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etage.households.validators import reject_national_identifier

#: When the statement was last reviewed (RGAA asks for the date of the statement).
STATEMENT_DATE = "2026-11-27"


class ProblemForm(forms.Form):
    page = forms.CharField(label=gettext_lazy("Page concerned (address or name)"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("What prevented you from using it"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=gettext_lazy(
            "Describe the problem and, if you wish, the assistive technology you use. Do not "
            "write anything about a household."
        ),
        validators=[reject_national_identifier],
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address, to receive an answer (optional)"),
        required=False,
    )


def statement(request: HttpRequest) -> HttpResponse:
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        send_mail(
            subject=_("ETAGE: accessibility problem reported"),
            message=_("Page: %(page)s\nReply to: %(email)s\n\n%(description)s")
            % {
                "page": data["page"],
                "email": data["email"] or _("(no address given)"),
                "description": data["description"],
            },
            from_email=None,
            recipient_list=[settings.ETAGE_ACCESSIBILITY_CONTACT],
        )
        messages.success(
            request,
            _("Thank you: your report has been sent to the accessibility contact."),
        )
        return redirect("core:accessibility")
    return render(
        request,
        "core/accessibility.html",
        {
            "form": form,
            "contact": settings.ETAGE_ACCESSIBILITY_CONTACT,
            "statement_date": STATEMENT_DATE,
            "page_title": _("Accessibility statement"),
        },
    )
