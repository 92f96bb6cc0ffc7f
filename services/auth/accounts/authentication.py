"""Auth's own endpoints verify the same access tokens, then load the user they name."""

import uuid

from rest_framework import exceptions

from fleet_common.authentication import BearerTokenAuthentication

from .selectors import active_user_by_id


class UserTokenAuthentication(BearerTokenAuthentication):
    """A valid token whose subject is no longer an active user is refused."""

    def principal_for(self, claims: dict):
        try:
            user = active_user_by_id(uuid.UUID(claims["sub"]))
        except ValueError:
            user = None
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.", code="invalid_token")
        return user
