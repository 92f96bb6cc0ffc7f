"""Owners whose accounts auth deleted: a token still valid for minutes must not create their customers again."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_idempotency_body_as_rendered"),
    ]

    operations = [
        migrations.CreateModel(
            name="ErasedOwner",
            fields=[
                ("owner", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("erased_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
