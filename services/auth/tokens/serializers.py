"""Token requests and responses on the wire."""

from rest_framework import serializers

from accounts.models import User
from fleet_common.fields import StrictCharField


class LoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate_username(self, value: str) -> str:
        """NFKC, as registration stores it (and Django's own login form reads it)."""
        return User.normalize_username(value)


class RefreshSerializer(serializers.Serializer):
    refresh = StrictCharField(max_length=256)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField(default="Bearer")
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")


class JWKSerializer(serializers.Serializer):
    kty = serializers.CharField(help_text="`RSA` or `EC`.")
    kid = serializers.CharField(help_text="The RFC 7638 thumbprint: a token's header names its key by it.")
    alg = serializers.CharField()
    use = serializers.CharField()
    n = serializers.CharField(required=False, help_text="RSA keys: the modulus (base64url).")
    e = serializers.CharField(required=False, help_text="RSA keys: the exponent (base64url).")
    crv = serializers.CharField(required=False, help_text="EC keys: the curve (`P-256`).")
    x = serializers.CharField(required=False, help_text="EC keys: the x coordinate (base64url).")
    y = serializers.CharField(required=False, help_text="EC keys: the y coordinate (base64url).")


class JWKSetSerializer(serializers.Serializer):
    keys = JWKSerializer(many=True)


class AuthorizationServerMetadataSerializer(serializers.Serializer):
    """RFC 8414 §2 members this server publishes."""

    issuer = serializers.URLField()
    jwks_uri = serializers.URLField()
    token_endpoint = serializers.URLField()
    grant_types_supported = serializers.ListField(child=serializers.CharField())
    token_endpoint_auth_methods_supported = serializers.ListField(child=serializers.CharField())
    response_types_supported = serializers.ListField(child=serializers.CharField())
    scopes_supported = serializers.ListField(child=serializers.CharField())
    access_token_signing_alg_values_supported = serializers.ListField(
        child=serializers.CharField(),
        help_text="Not one of RFC 8414's members: the algorithms of the keys the JWKS publishes now, which access "
                  "tokens are signed with.")
