"""Reads of users."""

import uuid

from .models import User


def active_user_by_id(user_id: uuid.UUID) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_list():
    return User.objects.all()
