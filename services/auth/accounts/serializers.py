"""Users on the wire: the password goes in, never out; users edit less of themselves than staff may."""

from django.contrib.auth.models import Group
from django.db import models
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from rest_framework import serializers

from fleet_common.fields import StrictBooleanField, StrictCharField, StrictEmailField
from fleet_common.text import is_storable_text

from .models import User
from .scopes import scopes_for
from .selectors import username_taken
from .services import USERNAME_TAKEN, validated_password

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


def policy_min_length() -> int | None:
    """The password policy's minimum length (AUTH_PASSWORD_VALIDATORS), on the field too, so the schema says it."""
    lengths = [v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)]
    return max(lengths) if lengths else None


class GroupNameField(serializers.SlugRelatedField):
    """A group by its name: strictly text the database can hold, so no other JSON value reaches a query."""

    default_error_messages = {"does_not_exist": "Group {value} does not exist.", "invalid": "Must be a group's name."}

    def to_internal_value(self, data):
        if not (isinstance(data, str) and is_storable_text(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


class UserSerializer(serializers.ModelSerializer):
    email = StrictEmailField(required=False, allow_blank=True)
    scopes = serializers.SerializerMethodField(help_text="Scopes the user's next tokens carry.")

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "is_active", "scopes", "date_joined"]
        read_only_fields = ["id", "username", "is_staff", "is_active", "date_joined"]

    def get_scopes(self, user) -> list[str]:
        return scopes_for(user)


class AdminUserSerializer(UserSerializer):
    """Staff may also (de)activate users, make staff and set groups (which map to scopes)."""

    serializer_field_mapping = {**UserSerializer.serializer_field_mapping, models.BooleanField: StrictBooleanField}

    groups = GroupNameField(slug_field="name", many=True, required=False, queryset=Group.objects.all())

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "groups"]
        read_only_fields = ["id", "username", "date_joined"]


class RegisterSerializer(serializers.ModelSerializer):
    # The model's own validator, on the field: its pattern is then in the schema, not only in the code.
    username = StrictCharField(max_length=USERNAME_MAX_LENGTH, validators=[User.username_validator])
    email = StrictEmailField(required=False, allow_blank=True)
    password = StrictCharField(write_only=True, min_length=policy_min_length(), max_length=128,
                               trim_whitespace=False, style={"input_type": "password"})

    class Meta:
        model = User
        fields = ["username", "email", "password"]

    def validate_username(self, value: str) -> str:
        """NFKC, as Django's own forms do: "ﬁona" and full-width "ｆｉｏｎａ" are "fiona", not lookalikes of it.

        Checked again once normalised: NFKC may lengthen a name ("ﬁ" is two letters) or put a space in it (U+FDFA).
        """
        value = User.normalize_username(value)
        if len(value) > USERNAME_MAX_LENGTH:
            raise serializers.ValidationError(
                f"Ensure this field has no more than {USERNAME_MAX_LENGTH} characters once normalised (NFKC).")
        User.username_validator(value)
        return value

    def validate(self, attrs):
        """The password policy first: whether a username is taken is told only to a request that is otherwise
        valid, so an invalid one answers the same for an existing and an unknown username."""
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        validated_password(attrs["password"], candidate, "password")
        if username_taken(attrs["username"]):
            raise serializers.ValidationError({"username": [USERNAME_TAKEN]})
        return attrs


class PasswordChangeSerializer(serializers.Serializer):
    current_password = StrictCharField(max_length=128, trim_whitespace=False)
    new_password = StrictCharField(min_length=policy_min_length(), max_length=128, trim_whitespace=False)
