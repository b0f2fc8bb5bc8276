import django.db.models.deletion
from django.db import migrations, models


def copy_boundaries(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    RegionBoundary = apps.get_model("regions", "RegionBoundary")
    for pk, geometry in Region.objects.filter(boundary_old__isnull=False).values_list("pk", "boundary_old"):
        RegionBoundary.objects.create(region_id=pk, geometry=geometry)


def copy_back(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    RegionBoundary = apps.get_model("regions", "RegionBoundary")
    for boundary in RegionBoundary.objects.all():
        Region.objects.filter(pk=boundary.region_id).update(boundary_old=boundary.geometry)


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="region", old_name="boundary", new_name="boundary_old"),
        migrations.CreateModel(
            name="RegionBoundary",
            fields=[
                (
                    "region",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="boundary",
                        serialize=False,
                        to="regions.region",
                    ),
                ),
                ("geometry", models.JSONField(verbose_name="boundary (GeoJSON geometry)")),
            ],
            options={
                "verbose_name": "region boundary",
                "verbose_name_plural": "region boundaries",
            },
        ),
        migrations.RunPython(copy_boundaries, copy_back),
        migrations.RemoveField(model_name="region", name="boundary_old"),
    ]
