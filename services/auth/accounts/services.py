"""Writes of users; every change that should end sessions revokes the user's refresh tokens."""

import structlog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from outbox.services import outbox_enqueue
from tokens.services import user_sessions_lock, user_tokens_revoke

from .hashers import hashing_slot
from .models import User

logger = structlog.get_logger("audit")


USERNAME_TAKEN = "A user with that username already exists."


def validated_password(password: str, user: User, field: str) -> str:
    """The password policy (AUTH_PASSWORD_VALIDATORS), as a field error named `field`."""
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError({field: list(error.messages)}) from error
    return password


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "") -> User:
    """A second registration of the same username, racing the first past its check, is the same field error."""
    user = User(username=username, email=email)
    validated_password(password, user, "password")
    with hashing_slot():  # a registration flood costs bounded memory, as a login flood does
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError({"username": [USERNAME_TAKEN]}) from error
    logger.info("user_registered", user_id=str(user.pk))
    return user


@transaction.atomic
def user_update(*, user: User, groups=None, **fields) -> User:
    """Deactivation ends every session; a change of groups shows in the next refresh's scopes."""
    user_sessions_lock(user_id=user.pk)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if not user.is_active:
        user_tokens_revoke(user=user)
        logger.info("user_deactivated", user_id=str(user.pk))
    return user


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change the password and revoke every refresh token, so other sessions must log in again.

    The current password is checked against the stored one read under the lock: of two changes racing with
    the same current password, the second sees the first's new one and is refused.
    """
    user_sessions_lock(user_id=user.pk)
    user.refresh_from_db(fields=["password"])
    with hashing_slot():
        if not user.check_password(current_password):
            raise ValidationError({"current_password": ["The current password is not correct."]})
        user.set_password(validated_password(new_password, user, "new_password"))
    user.save(update_fields=["password"])
    user_tokens_revoke(user=user)
    logger.info("password_changed", user_id=str(user.pk))


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete the user (refresh tokens cascade) and, in the same transaction, tell customers to follow."""
    user_sessions_lock(user_id=user.pk)  # a refresh in flight commits first, and its new token goes too
    user_id = str(user.pk)
    user.delete()
    outbox_enqueue(topic="user.deleted", payload={"user_id": user_id})
    logger.info("user_deleted", user_id=user_id)
