"""Path patterns both services route with."""

import uuid

from django.urls import register_converter

# Any UUID, in either case (RFC 9562 §4: input is case-insensitive); Django's `<uuid:>` takes lower case only.
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ANY_CASE_UUID = "anyuuid"  # `<anyuuid:pk>`; SPECTACULAR_SETTINGS' PATH_CONVERTER_OVERRIDES documents it as a uuid


class AnyCaseUUIDConverter:
    """Django's `uuid` converter, for a UUID spelled in either case."""

    regex = UUID

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(AnyCaseUUIDConverter, ANY_CASE_UUID)
