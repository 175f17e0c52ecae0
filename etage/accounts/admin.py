from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from etage.accounts.models import User
from etage.accounts.services import second_factor_reset
from etage.core.admin_site import admin_site


class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "organisation", "role", "is_active")
    list_filter = ("role", "organisation__kind", "territories", "is_active", "is_demo")
    search_fields = ("username", "first_name", "last_name", "email", "organisation__code")
    filter_horizontal = ("territories",)
    list_select_related = ("organisation",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name", "email", "job_title")}),
        (_("Affiliation"), {"fields": ("organisation", "role", "territories")}),
        (_("Account status"), {"fields": ("is_active", "is_demo", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "organisation",
                    "role",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_second_factor"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Accounts are deactivated, never deleted: their name stays on the append-only
        events they wrote (which the PostgreSQL trigger keeps unchanged) and on the log."""
        return False

    @admin.action(description=_("Reset the second factor (lost phone)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The person sets up a new second factor at their next login; each reset is
        written in the access log and in the back-office history."""
        count = 0
        for user in queryset:
            second_factor_reset(actor=request.user, user=user)
            self.log_change(request, user, str(_("Second factor reset.")))
            count += 1
        self.message_user(
            request,
            ngettext(
                "Second factor reset for %(n)d account: it will set up a new one at its next "
                "login.",
                "Second factor reset for %(n)d accounts: each will set up a new one at its "
                "next login.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )


admin_site.register(User, UserAdmin)
