"""Admin: upload a prompt sound (checked and converted once, on save); the hub's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .audio import MAX_SECONDS, MAX_UPLOAD_BYTES, SoundRejected, check_and_convert, too_big
from .library import served_file, sound_url, stored_fields
from .models import HubSettings, PromptSound


def read_bounded(upload: Any) -> bytes:
    """The upload's bytes; one over the limit is refused by its size, without reading it all."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_big(upload.size)
    data: bytes = upload.read(MAX_UPLOAD_BYTES + 1)
    return data


class PromptSoundForm(forms.ModelForm[PromptSound]):
    """A name and a file. The file is refused with a message naming the problem (see ``audio.py``)."""

    upload = forms.FileField(
        required=False,
        help_text=f"WAV, FLAC or OGG, at most {MAX_SECONDS:.0f} s and {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
        "It is converted once to the speakers' format and levelled to the loudness of their speech.",
    )

    class Meta:
        model = PromptSound
        fields = ("name",)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        upload = self.cleaned_data.get("upload")
        if upload is None:
            if self.instance.pk is None:
                self.add_error("upload", "Choose a sound file to upload.")
            return cleaned
        try:
            pcm = check_and_convert(read_bounded(upload))
        except SoundRejected as exc:
            self.add_error("upload", f"{upload.name}: {exc}.")
        else:
            self.instance.origin = PromptSound.UPLOADED
            self.instance.source_name = (upload.name or "")[:255]
            for field, value in stored_fields(pcm).items():
                setattr(self.instance, field, value)
        return cleaned


@admin.register(PromptSound)
class PromptSoundAdmin(admin.ModelAdmin[PromptSound]):
    form = PromptSoundForm
    list_display = ("name", "origin", "seconds", "short_sha256", "source_name", "updated_at")
    readonly_fields = ("listen", "origin", "seconds", "sha256", "announced_url", "source_name", "updated_at")
    search_fields = ("name",)

    def get_fields(self, request: HttpRequest, obj: PromptSound | None = None) -> Any:
        """Adding: a name and a file, nothing else to look at yet."""
        if obj is None:
            return ("name", "upload")
        return ("name", "upload", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: PromptSound, form: Any, change: bool) -> None:
        """Before a sound is replaced, its file is put in the data dir, so speakers still holding an
        announcement that names the old hash can fetch it; the new one is written at once too."""
        if change:
            old = PromptSound.objects.filter(pk=obj.pk).values_list("sha256", flat=True).first()
            if old and old != obj.sha256:
                served_file(old)
        super().save_model(request, obj, form, change)
        served_file(obj.sha256)

    @admin.display(description="sha256")
    def short_sha256(self, obj: PromptSound) -> str:
        return obj.sha256[:12]

    @admin.display(description="listen")
    def listen(self, obj: PromptSound) -> SafeString | str:
        if not obj.pk:
            return "-"
        return format_html('<audio controls preload="none" src="{}"></audio>', reverse("prompt-sound", args=[obj.sha256]))

    @admin.display(description="URL in announcements")
    def announced_url(self, obj: PromptSound) -> str:
        return sound_url(obj.sha256) if obj.pk else "-"


@admin.register(HubSettings)
class HubSettingsAdmin(admin.ModelAdmin[HubSettings]):
    list_display = ("__str__", "language")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not HubSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: HubSettings | None = None) -> bool:
        return False
