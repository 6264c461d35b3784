from __future__ import annotations

from typing import Any

from django.db import migrations

from hub.rules.defaults import refresh_vocabulary


def forwards(apps: Any, schema_editor: Any) -> None:
    refresh_vocabulary(apps)


class Migration(migrations.Migration):
    dependencies = [("rules", "0005_examples")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
