"""A stored response's body is kept as rendered: jsonb orders an object's keys its own way, so a replay differed."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0002_keyset_search_idempotency"),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencykey",
            name="response_body",
            field=models.TextField(),
        ),
    ]
