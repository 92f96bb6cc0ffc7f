"""Users of the fleet: auth owns them; other services only ever see their UUID as `sub`."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper


class User(AbstractUser):
    """A person who logs in; the UUID id (never the username) is what tokens carry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["date_joined", "id"]
        # Unique ignoring case in the database too: two registrations racing past the check cannot make
        # "Ada" beside "ada". (PostgreSQL's upper() under the C collation folds ASCII letters only.)
        constraints = [models.UniqueConstraint(Upper("username"), name="accounts_user_username_upper_uniq")]
