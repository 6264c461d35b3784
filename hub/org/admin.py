from django.contrib import admin

from .models import Department, SpeakerNode, Staff, Subsystem


@admin.register(Subsystem)
class SubsystemAdmin(admin.ModelAdmin[Subsystem]):
    list_display = ("slug", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("slug", "name", "subsystem")
    list_filter = ("subsystem",)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    list_display = ("number", "name", "department", "contact")
    list_filter = ("department",)


@admin.register(SpeakerNode)
class SpeakerNodeAdmin(admin.ModelAdmin[SpeakerNode]):
    list_display = ("node_id", "department", "description", "enabled")
    list_filter = ("department", "enabled")
    filter_horizontal = ("staff",)
