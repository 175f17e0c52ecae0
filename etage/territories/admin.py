from django.contrib import admin

from etage.core.admin_site import admin_site
from etage.territories.models import Commune, Platform, PlatformMembership, Territory


class CommuneInline(admin.TabularInline):
    model = Commune
    extra = 0
    fields = ("insee_code", "name")


class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "has_local_ccapex", "ccas_mdm_grouped")
    search_fields = ("code", "name", "communes__name", "communes__insee_code")
    filter_horizontal = ("landlords_present",)
    inlines = [CommuneInline]


class CommuneAdmin(admin.ModelAdmin):
    list_display = ("insee_code", "name", "territory")
    list_filter = ("territory",)
    search_fields = ("insee_code", "name")


class MembershipInline(admin.TabularInline):
    model = PlatformMembership
    extra = 1
    autocomplete_fields = ("organisation",)


class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "territory", "review_interval_months", "started_on")
    inlines = [MembershipInline]


admin_site.register(Territory, TerritoryAdmin)
admin_site.register(Commune, CommuneAdmin)
admin_site.register(Platform, PlatformAdmin)
