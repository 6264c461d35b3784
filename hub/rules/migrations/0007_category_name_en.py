from __future__ import annotations

from typing import Any

from django.db import migrations, models

from hub.rules.defaults import english_names


def forwards(apps: Any, schema_editor: Any) -> None:
    english_names(apps)


class Migration(migrations.Migration):
    dependencies = [("rules", "0006_broader_vocabulary")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(blank=True, default="", help_text="shown to English readers; empty: the name", max_length=200),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
