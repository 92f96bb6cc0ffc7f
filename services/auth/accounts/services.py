"""Writes of users: registration validates the password the way Django's validators say."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework.exceptions import ValidationError

from .models import User


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "") -> User:
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from error
    user.set_password(password)
    user.save()
    return user
