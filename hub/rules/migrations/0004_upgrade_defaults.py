"""The defaults that rules/0003 made possible (templates, priority rules), for every database:
0002 applied hub/defaults.toml with the models of 0001, which cannot hold them."""

from typing import Any

from django.db import migrations

from hub.rules.defaults import upgrade_defaults


def forwards(apps: Any, schema_editor: Any) -> None:
    upgrade_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_templates_conditions_staff_modes"), ("org", "0002_shifts_and_time_zones")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
