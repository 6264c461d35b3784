"""``GET /sounds/<sha256>.wav``: a prompt sound, for speakers."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from .library import served_file


@require_GET
def sound(request: HttpRequest, sha256: str) -> FileResponse:
    """The WAV file whose content has this sha256; 404 for one the hub does not have.

    Named by its content, it never changes: speakers and proxies may keep it for ever.
    """
    path = served_file(sha256)
    if path is None:
        raise Http404("no prompt sound has this sha256")
    response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
