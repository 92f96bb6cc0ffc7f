"""Users on the wire: the password goes in, never out."""

from rest_framework import serializers

from .models import User


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "date_joined"]
        read_only_fields = ["id", "username", "is_staff", "date_joined"]


class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, min_length=1, max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})

    class Meta:
        model = User
        fields = ["username", "email", "password"]
