from django.contrib import admin

from .models import Acknowledgement, Digest, DigestPolicy, EscalationPolicy, FollowUp, QuietHours


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin[Acknowledgement]):
    list_display = ("message", "by", "at")
    raw_id_fields = ("message",)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin[EscalationPolicy]):
    list_display = ("category", "after_minutes", "repeat", "escalate_to_department", "escalate_to_staff")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin[FollowUp]):
    list_display = ("message", "rounds", "last_announced_at", "done")
    list_filter = ("done",)
    raw_id_fields = ("message",)


@admin.register(QuietHours)
class QuietHoursAdmin(admin.ModelAdmin[QuietHours]):
    list_display = ("department", "weekdays", "start", "end", "timezone")


@admin.register(DigestPolicy)
class DigestPolicyAdmin(admin.ModelAdmin[DigestPolicy]):
    list_display = ("department", "max_announcements", "window_seconds")


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin[Digest]):
    list_display = ("department", "opened_at", "closes_at", "counts", "sent_at")
