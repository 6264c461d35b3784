from django.urls import path

from . import views

urlpatterns = [
    path("api/messages/<int:message_id>/ack", views.ack, name="message-ack"),
]
