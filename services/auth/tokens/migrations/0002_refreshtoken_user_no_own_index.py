"""Drop the foreign key's own index on user_id: refresh_user_revoked_idx (user_id, revoked_at) serves its lookups."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tokens", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="refreshtoken",
            name="user",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE,
                                    related_name="refresh_tokens", to=settings.AUTH_USER_MODEL),
        ),
    ]
