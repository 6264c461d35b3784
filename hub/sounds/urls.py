from django.urls import re_path

from . import views

urlpatterns = [
    # only a content hash: the dashboard's feed sounds live beside these (sounds/<category>-<priority>.wav)
    re_path(r"^sounds/(?P<sha256>[0-9a-f]{64})\.wav\Z", views.sound, name="prompt-sound"),
]
