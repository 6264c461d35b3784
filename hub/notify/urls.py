from django.urls import path

from . import views

urlpatterns = [
    path("notify/ack/<str:token>", views.ack, name="notify-ack"),
    path("notify/push/key", views.push_key, name="notify-push-key"),
    path("notify/push/subscribe", views.push_subscribe, name="notify-push-subscribe"),
]
