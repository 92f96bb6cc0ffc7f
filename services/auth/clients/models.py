"""Service clients: other services that call ours with client-credentials tokens."""

from django.db import models


class ServiceClient(models.Model):
    """A confidential OAuth client; its secret is stored as a hash and shown once, at creation."""

    client_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=150)
    secret_hash = models.CharField(max_length=64)
    allowed_scopes = models.CharField(max_length=500, help_text="Space-separated scopes it may be granted.")
    audience = models.CharField(max_length=500, help_text="Space-separated services its tokens are for.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.client_id

    @property
    def scopes(self) -> set[str]:
        return set(self.allowed_scopes.split())
