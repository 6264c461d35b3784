from django.contrib import admin

from .models import DepartmentManager, Preference


@admin.register(DepartmentManager)
class DepartmentManagerAdmin(admin.ModelAdmin[DepartmentManager]):
    list_display = ("user", "department")
    list_filter = ("department",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin[Preference]):
    list_display = ("user", "language")
