"""Applicant and inventor names on the PostgreSQL search documents (the statistics' top lists).

Rows indexed before are filled from their patents here, so no rebuild is needed.
"""

from django.db import migrations, models


# Each name list: distinct, stripped, empty names dropped (as the backend writes them).
NAMES = (
    "COALESCE((SELECT jsonb_agg(DISTINCT btrim(x)) FROM jsonb_array_elements_text("
    "CASE WHEN jsonb_typeof(p.{column}) = 'array' THEN p.{column} ELSE '[]'::jsonb END) AS x "
    "WHERE btrim(x) <> ''), '[]'::jsonb)"
)
FILL = (
    "UPDATE ipdata_patentsearchdoc AS d SET applicant_names = {applicants}, inventor_names = {inventors} "  # nosec B608  # constant SQL, nothing from outside
    "FROM ipdata_patent AS p WHERE p.id = d.id"
).format(applicants=NAMES.format(column="applicants"), inventors=NAMES.format(column="inventors"))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("ipdata", "0008_import_job_heartbeat_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="patentsearchdoc",
            name="applicant_names",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="patentsearchdoc",
            name="inventor_names",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
