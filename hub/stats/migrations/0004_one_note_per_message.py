"""One note per message: duplicates merged, ``message_id`` made unique, so the triggers can
write ``ON CONFLICT (message_id) DO NOTHING`` (hub.stats.triggers).

Done in SQL rather than by AlterField: on SQLite Django would rebuild the table, and the
triggers of five other tables name it. Backwards, the plain index comes back and the
triggers (re-installed after migrate) go back to plain inserts."""

from typing import Any

from django.db import migrations, models

UNIQUE = "stats_changed_message_once"
PLAIN = "stats_changed_message_id_plain"


def forwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM stats_changed WHERE id NOT IN (SELECT MIN(id) FROM stats_changed GROUP BY message_id)")
        for name, info in connection.introspection.get_constraints(cursor, "stats_changed").items():
            if info["index"] and not info["unique"] and info["columns"] == ["message_id"]:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute(f"CREATE UNIQUE INDEX {UNIQUE} ON stats_changed (message_id)")


def backwards(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {UNIQUE}")
        cursor.execute(f"CREATE INDEX {PLAIN} ON stats_changed (message_id)")


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0003_monthly_rollups'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(model_name='changed', name='message_id', field=models.BigIntegerField(unique=True)),
            ],
        ),
    ]
