"""Reads of users."""

import uuid

from .models import User


def active_user_by_id(user_id: uuid.UUID) -> User | None:
    """A token's subject, unless that user was deactivated since: a token must not outlive its user."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_list():
    """Every user: staff manage them all (the views page and order them)."""
    return User.objects.all()


def username_taken(username: str) -> bool:
    """Usernames are unique ignoring case, so "Ada" cannot pass for "ada"."""
    return User.objects.filter(username__iexact=username).exists()
