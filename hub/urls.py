from django.contrib import admin
from django.urls import include, path

from hub import views
from hub.intake import webhooks

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz),
    path("hooks/<slug:source>/", webhooks.receive),
    path("", include("hub.attention.urls")),
    path("", include("dashboard.urls")),
]
