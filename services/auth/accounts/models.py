"""Users of the fleet: auth owns them; other services only ever see their UUID as `sub`."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in; the UUID id (never the username) is what tokens carry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["date_joined", "id"]
