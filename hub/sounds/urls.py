from django.urls import path

from . import views

urlpatterns = [
    path("sounds/<str:sha256>.wav", views.sound, name="prompt-sound"),
]
