from django.db import migrations, models

# On SQLite, Django adds this column by rebuilding the table, which drops the full-text triggers
# of 0002; a plain ALTER TABLE ... ADD COLUMN keeps them (both databases accept it).
ADD = "ALTER TABLE knowledge_searchentry ADD COLUMN in_force boolean NOT NULL DEFAULT {true}"
DROP = "ALTER TABLE knowledge_searchentry DROP COLUMN in_force"


def add_column(apps, schema_editor):
    true = "true" if schema_editor.connection.vendor == "postgresql" else "1"
    schema_editor.execute(ADD.format(true=true))


def drop_column(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_search_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="in_force",
                    field=models.BooleanField(db_default=True, default=True),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
