from django.contrib import admin

from .models import Department, SpeakerNode, Staff, StaffShift, Subsystem


@admin.register(Subsystem)
class SubsystemAdmin(admin.ModelAdmin[Subsystem]):
    list_display = ("slug", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("slug", "name", "subsystem", "timezone")
    list_filter = ("subsystem",)


class StaffShiftInline(admin.TabularInline[StaffShift, Staff]):
    model = StaffShift
    extra = 1


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    list_display = ("number", "name", "department", "user", "contact", "timezone", "summary")
    list_filter = ("department", "summary")
    inlines = [StaffShiftInline]


@admin.register(SpeakerNode)
class SpeakerNodeAdmin(admin.ModelAdmin[SpeakerNode]):
    list_display = ("node_id", "department", "description", "enabled")
    list_filter = ("department", "enabled")
    filter_horizontal = ("staff",)
