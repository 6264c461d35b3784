from django.urls import path

from .views import account, feed, fleet, pwa, settings, stats, story

app_name = "dashboard"

urlpatterns = [
    path("", feed.feed_page, name="feed"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.LogoutView.as_view(), name="logout"),
    path("language/", account.language, name="language"),
    path("m/<int:message_id>/", story.story_page, name="story"),
    path("m/<int:message_id>/ack", feed.ack_one, name="ack"),
    path("ack-mine", feed.ack_mine, name="ack-mine"),
    path("g/<slug:gid>/", feed.group_members, name="group"),
    path("g/<slug:gid>/ack", feed.ack_group, name="ack-group"),
    path("fleet/", fleet.fleet_page, name="fleet"),
    path("fleet/<slug:node_id>/cmd", fleet.command, name="command"),
    path("alerts/", fleet.alerts_page, name="alerts"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/rules/order", settings.reorder_rules, name="rules-order"),
    # settings pages, one per configuration table (dashboard/views/settings/pages.py), and prompt sounds
    path("settings/sounds/", settings.sounds_page, name="settings-sounds"),
    path("settings/<slug:page>/", settings.table_page, name="settings-table"),
    path("settings/<slug:page>/new", settings.row_page, name="settings-new"),
    path("settings/<slug:page>/<int:pk>/", settings.row_page, name="settings-row"),
    path("settings/<slug:page>/<int:pk>/move", settings.move_row, name="settings-move"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="sw"),
    path("offline/", pwa.offline, name="offline"),
    path("sounds/<slug:category>-<slug:priority>.wav", pwa.sound, name="sound"),
    path("stats/", stats.stats_page, name="stats"),
    path("stats/trends/", stats.trends_page, name="stats-trends"),
    path("stats/api/trends", stats.trends_api, name="stats-trends-api"),
    path("stats/<slug:kind>/", stats.stats_page, name="stats-kind"),
    path("stats/api/<slug:kind>", stats.report_api, name="stats-api"),
    path("stats/<slug:kind>.csv", stats.report_csv, name="stats-csv"),
    path("stats/<slug:kind>.xlsx", stats.report_xlsx, name="stats-xlsx"),
]
