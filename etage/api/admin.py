"""API tokens in the configuration back-office: created there (the secret is shown once, on
the page that follows), revoked by an action, never deleted (their dates stay as a trace)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etage.api.models import ApiToken
from etage.api.services import api_token_create, api_token_revoke
from etage.core.admin_site import admin_site
from etage.situations.services import ServiceError


@admin.action(description=gettext_lazy("Revoke the selected tokens"))
def revoke_tokens(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    for token in queryset:
        api_token_revoke(prefix=token.prefix)
    messages.success(request, _("%(n)s token(s) revoked.") % {"n": queryset.count()})


class ApiTokenForm(forms.ModelForm[ApiToken]):
    # One input that the field's label names: the admin's split date and time inputs have no
    # label of their own (axe-core: critical).
    expires_at = forms.DateTimeField(
        label=ApiToken._meta.get_field("expires_at").verbose_name,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "expires_at"]

    def clean_organisation(self) -> Any:
        organisation = self.cleaned_data["organisation"]
        if organisation is not None and not organisation.is_active:
            raise forms.ValidationError(
                _("This organisation is not active: no token can be created.")
            )
        return organisation

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry date must be in the future."))
        return expires_at


class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = [
        "prefix",
        "name",
        "organisation",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["organisation"]
    search_fields = ["prefix", "name", "organisation__code"]
    actions = [revoke_tokens]
    fields = ["organisation", "name", "expires_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return []
        return [
            "organisation",
            "name",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return self.fields if obj is None else self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        try:
            token, secret = api_token_create(
                organisation=obj.organisation,
                name=obj.name,
                created_by=request.user,  # type: ignore[arg-type]
                expires_at=obj.expires_at,
            )
        except ServiceError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
        obj.pk = token.pk
        obj.prefix = token.prefix
        request._api_token_secret = secret  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: Any = None
    ) -> HttpResponse:
        secret = getattr(request, "_api_token_secret", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Token created"),
            "token": ApiToken.objects.select_related("organisation").get(pk=obj.pk),
            "secret": secret,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "api/token_created.html", context)


admin_site.register(ApiToken, ApiTokenAdmin)
