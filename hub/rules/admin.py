from django.contrib import admin

from .models import Category, Example, Route, Rule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("slug", "name", "name_en", "priority", "sound", "expiry_seconds", "template_zh", "template_en")


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    list_display = ("position", "name", "kind", "category", "priority", "enabled")
    list_editable = ("enabled",)
    list_filter = ("kind", "category")


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin[Route]):
    list_display = (
        "position", "category", "department", "staff_mode", "staff", "everyone", "continue_matching",
        "source", "app", "min_priority", "min_amount",
    )
    list_filter = ("category",)


@admin.register(Example)
class ExampleAdmin(admin.ModelAdmin[Example]):
    """Labelled messages the learned fallback trains on (admins' corrections); edit or delete to
    change what it learned. Every hub process retrains when they change."""

    list_display = ("id", "category", "content", "note", "updated_at")
    list_filter = ("category",)
    search_fields = ("content",)
