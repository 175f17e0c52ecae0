from django.contrib import admin

from etage.core.admin_site import admin_site
from etage.references.models import ActionTemplate, Theme


class ActionTemplateInline(admin.TabularInline):
    model = ActionTemplate
    extra = 1


class ThemeAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("label", "code")
    inlines = [ActionTemplateInline]


class ActionTemplateAdmin(admin.ModelAdmin):
    list_display = ("label", "theme", "active")
    list_filter = ("theme", "active")
    search_fields = ("label",)
    list_select_related = ("theme",)


admin_site.register(Theme, ThemeAdmin)
admin_site.register(ActionTemplate, ActionTemplateAdmin)
