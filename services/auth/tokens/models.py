"""Refresh tokens are opaque and stored hashed: only auth reads them, so a row is all they need."""

from django.conf import settings
from django.db import models

from fleet_common.uuid7 import uuid7


class RefreshToken(models.Model):
    """One refresh token; `family` links every token descended from one login."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No index of its own: refresh_user_revoked_idx starts with it (one index less to update per login and refresh).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_tokens",
                             db_index=False)
    family = models.UUIDField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    family_expires_at = models.DateTimeField()
    spent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="refresh_user_revoked_idx")]
