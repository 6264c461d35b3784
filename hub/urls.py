from django.contrib import admin
from django.urls import include, path, re_path

from hub import views
from hub.intake import webhooks
from hub.logins.forms import ThrottledAdminLogin
from hub.metrics.views import metrics
from hub.metrics.webhook_timing import timed

admin.site.login_form = ThrottledAdminLogin  # throttled like the dashboard's login

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz),
    path("metrics", metrics),
    path("hooks/<slug:source>/", timed(webhooks.receive)),
    re_path(r"^hooks/(?P<rest>.*)\Z", webhooks.no_such_hook),  # JSON, never an HTML 404, under /hooks/
    path("", include("hub.attention.urls")),
    path("", include("hub.notify.urls")),
    path("", include("hub.sounds.urls")),
    path("", include("dashboard.urls")),
]
