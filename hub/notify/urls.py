from django.urls import path

from . import views

urlpatterns = [
    path("notify/ack/<str:token>", views.ack, name="notify-ack"),
]
