"""Install the default configuration (hub/defaults.toml) on a fresh database."""

from typing import Any

from django.db import migrations

from hub.rules.defaults import apply_defaults


def forwards(apps: Any, schema_editor: Any) -> None:
    apply_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
