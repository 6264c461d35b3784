"""The dashboard for people: live feed, acknowledge, fleet, settings, statistics (its own issue)."""
