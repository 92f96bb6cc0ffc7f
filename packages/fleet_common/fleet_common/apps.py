from django.apps import AppConfig


class FleetCommonConfig(AppConfig):
    """Installed by every service so the OpenAPI extensions register."""

    name = "fleet_common"

    def ready(self):
        from . import schema  # noqa: F401 - registers drf-spectacular extensions
