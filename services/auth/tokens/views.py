"""Token endpoints: log in, refresh, log out, and the public keys."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.schema import error_responses, gateway_error_responses

from .keyring import get_keyring
from .serializers import AuthorizationServerMetadataSerializer, JWKSetSerializer, LoginSerializer, RefreshSerializer, TokenPairSerializer
from .services import login, refresh_token_revoke, token_pair_refresh

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_ERRORS = {
    401: "Wrong username or password, or an inactive account.",
    503: "The database is unavailable, or too many password hashes run at once: retry after `Retry-After` seconds.",
}
REFRESH_ERRORS = {401: "The refresh token is invalid, expired or revoked."}


class PublicView(APIView):
    """Open to anyone, no bearer token read; a refused credential still answers 401 with a challenge."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenObtainView(PublicView):
    """Exchange a username and password for an access and a refresh token."""

    @extend_schema(request=LoginSerializer, summary="Log in",
                   examples=[OpenApiExample("Credentials", request_only=True,
                                            value={"username": "ada", "password": "correct horse battery staple"})],
                   responses={200: TokenPairSerializer, **error_responses(400, 401, 415, 503, descriptions=TOKEN_ERRORS),
                              **gateway_error_responses(413, 429)})
    def post(self, request, version):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = login(request=request, **serializer.validated_data)
        return Response(pair.as_response(), headers=NO_STORE)


class TokenRefreshView(PublicView):
    """Spend a refresh token for a new pair."""

    @extend_schema(request=RefreshSerializer, summary="Refresh tokens",
                   responses={200: TokenPairSerializer, **error_responses(400, 401, 415, 503, descriptions=REFRESH_ERRORS),
                              **gateway_error_responses(413, 429)})
    def post(self, request, version):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = token_pair_refresh(raw=serializer.validated_data["refresh"])
        return Response(pair.as_response(), headers=NO_STORE)


class TokenRevokeView(PublicView):
    """Log out: end the refresh token's session (its whole family)."""

    @extend_schema(request=RefreshSerializer, summary="Log out",
                   responses={204: None, **error_responses(400, 415, 503), **gateway_error_responses(413)})
    def post(self, request, version):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh_token_revoke(raw=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class JWKSView(PublicView):
    """The public keys verifiers need: the signing key, the next one and still-valid retired ones."""

    @extend_schema(responses={200: JWKSetSerializer}, summary="Public signing keys (JWKS)")
    def get(self, request):
        return Response(get_keyring().jwks(), headers={"Cache-Control": "public, max-age=60"})


class AuthorizationServerMetadataView(PublicView):
    """RFC 8414 metadata, so clients discover the token endpoint and keys instead of hard-coding them."""

    @extend_schema(responses={200: AuthorizationServerMetadataSerializer}, summary="OAuth 2.0 authorization server metadata")
    def get(self, request):
        issuer = settings.FLEET_JWT["ISSUER"].rstrip("/")
        return Response({
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/v2/auth/oauth/token/",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": [],
            "scopes_supported": ["customers:read", "customers:write", "customers:admin"],
            "access_token_signing_alg_values_supported": ["RS256", "ES256"],
        }, headers={"Cache-Control": "public, max-age=3600"})
