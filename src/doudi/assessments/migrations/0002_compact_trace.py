"""Store the trace as Parquet chunks and key assessments by run, scheme, household.

Django cannot change an existing table's primary key into a composite one,
so the assessment table is dropped and created again. Stored months lose
their rows with it, and their parameter records are deleted too; re-running
the `policy.assess` stage for a month stores it again. The audit entries of
earlier runs stay.
"""

import django.db.models.deletion
from django.db import migrations, models


def delete_parameter_records(apps, schema_editor):
    apps.get_model("assessments", "ParameterRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(delete_parameter_records, migrations.RunPython.noop),
        migrations.DeleteModel(name="Assessment"),
        migrations.CreateModel(
            name="AssessmentRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("month", models.DateField(unique=True, verbose_name="month")),
                ("as_of", models.DateField(verbose_name="registry as of")),
                ("households", models.PositiveIntegerField(verbose_name="households")),
                ("assessed_at", models.DateTimeField(verbose_name="assessed at")),
            ],
            options={
                "verbose_name": "assessment run",
                "verbose_name_plural": "assessment runs",
            },
        ),
        migrations.CreateModel(
            name="Assessment",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "run",
                        "scheme",
                        "household",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="assessments",
                        to="assessments.assessmentrun",
                    ),
                ),
                ("month", models.DateField(verbose_name="month")),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("dibao", "Minimum living allowance (dibao)"),
                            ("tekun", "Extreme poverty support (tekun)"),
                            ("edge", "Low-income margin household"),
                            ("rigid", "Rigid-spending hardship"),
                            ("temporary", "Temporary assistance"),
                        ],
                        max_length=16,
                        verbose_name="scheme",
                    ),
                ),
                (
                    "household",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to="registry.household",
                    ),
                ),
                (
                    "district_code",
                    models.CharField(max_length=12, verbose_name="district"),
                ),
                ("eligible", models.BooleanField(verbose_name="may qualify")),
                (
                    "amount_fen",
                    models.BigIntegerField(verbose_name="monthly amount (fen)"),
                ),
                (
                    "recommended_tier",
                    models.CharField(
                        blank=True, max_length=32, verbose_name="recommended tier"
                    ),
                ),
            ],
            options={
                "verbose_name": "assessment",
                "verbose_name_plural": "assessments",
                "indexes": [
                    models.Index(
                        condition=models.Q(("eligible", True)),
                        fields=["month", "scheme"],
                        name="assessment_may_qualify",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TraceChunk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trace_chunks",
                        to="assessments.assessmentrun",
                    ),
                ),
                ("first_household_id", models.BigIntegerField()),
                ("last_household_id", models.BigIntegerField()),
                ("parquet", models.BinaryField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("run", "first_household_id"),
                        name="one_trace_chunk_start",
                    )
                ],
            },
        ),
    ]
