"""Reads of users."""

import uuid

from .models import User


def active_user_by_id(user_id: uuid.UUID) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_list():
    return User.objects.all()


def username_taken(username: str) -> bool:
    """Usernames are unique ignoring case, so "Ada" cannot pass for "ada"."""
    return User.objects.filter(username__iexact=username).exists()
