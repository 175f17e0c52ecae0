from django.contrib import admin

from etage.core.admin_site import admin_site
from etage.organisations.models import Organisation


class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    ordering = ("kind", "name")


admin_site.register(Organisation, OrganisationAdmin)
