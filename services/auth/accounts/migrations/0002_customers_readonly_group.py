"""The `customers-readonly` group exists from the first migration on: its members' tokens carry `customers:read`
only (accounts.scopes), and an admin grants it with `PATCH /vN/auth/users/{id}/ {"groups": ["customers-readonly"]}`."""

from django.db import migrations

READ_ONLY_GROUP = "customers-readonly"  # accounts.scopes.READ_ONLY_GROUP, frozen here as migrations must be


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=READ_ONLY_GROUP)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=READ_ONLY_GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
