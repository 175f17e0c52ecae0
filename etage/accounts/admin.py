from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
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


admin_site.register(User, UserAdmin)
