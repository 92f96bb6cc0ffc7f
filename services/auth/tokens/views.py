"""Token endpoints: log in, refresh, log out, and the public keys."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.caching import TOKEN_RESPONSE_HEADERS
from fleet_common.claims import CUSTOMERS_SCOPES
from fleet_common.schema import error_responses, gateway_error_responses

from . import examples
from .keyring import get_keyring
from .serializers import AuthorizationServerMetadataSerializer, JWKSetSerializer, LoginSerializer, RefreshSerializer, TokenPairSerializer
from .services import login, refresh_token_revoke, token_pair_refresh


class PublicView(APIView):
    """Open to anyone, no bearer token read; a refused credential still answers 401 with a challenge."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenObtainView(PublicView):
    """Exchange a username and password for an access and a refresh token."""

    throttle_scope = "login"  # every attempt, per client address, before any hashing

    @extend_schema(
        summary="Log in",
        description="A username and password for an access token (a JWT, valid 5 minutes: send it as "
                    "`Authorization: Bearer ...`) and a refresh token (opaque, spent by `POST token/refresh/`; "
                    "14 days idle, 30 days at most). Wrong credentials are a 401.",
        tags=["tokens"], request=LoginSerializer, examples=[examples.LOGIN_REQUEST, examples.TOKEN_PAIR_RESPONSE],
        responses={200: TokenPairSerializer, **error_responses(
            400, 401, 415, 503, descriptions={401: "No active account with these credentials.",
                                              503: "The database is unavailable, or too many logins are being "
                                                   "checked at once: retry after `Retry-After` seconds."}),
                   **gateway_error_responses(413, 429)},
    )
    def post(self, request, version):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = login(request=request, **serializer.validated_data)
        return Response(pair.as_response(), headers=TOKEN_RESPONSE_HEADERS)


class TokenRefreshView(PublicView):
    """Spend a refresh token for a new pair."""

    throttle_scope = "token-refresh"

    @extend_schema(
        summary="Refresh tokens",
        description="Spend a refresh token for a new pair; the old refresh token no longer works. Presenting a "
                    "spent one again revokes every token of that login (its family): the session must log in "
                    "again.",
        tags=["tokens"], request=RefreshSerializer,
        examples=[examples.REFRESH_REQUEST, examples.TOKEN_PAIR_RESPONSE],
        responses={200: TokenPairSerializer, **error_responses(
            400, 401, 415, 503, descriptions={401: "The refresh token is invalid, expired, spent or revoked."}),
                   **gateway_error_responses(413, 429)},
    )
    def post(self, request, version):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = token_pair_refresh(raw=serializer.validated_data["refresh"])
        return Response(pair.as_response(), headers=TOKEN_RESPONSE_HEADERS)


class TokenRevokeView(PublicView):
    """Log out: end the refresh token's session (its whole family)."""

    @extend_schema(
        summary="Log out",
        description="Revoke the refresh token's whole session (its family). An unknown token is not an error "
                    "(RFC 7009): 204 either way. Access tokens already issued stay valid until they expire.",
        tags=["tokens"], request=RefreshSerializer, examples=[examples.REFRESH_REQUEST],
        responses={204: None, **error_responses(400, 415, 503), **gateway_error_responses(413)},
    )
    def post(self, request, version):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh_token_revoke(raw=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class JWKSView(PublicView):
    """The public keys verifiers need: the signing key, the next one and still-valid retired ones."""

    throttle_classes = []  # public, cacheable, and what every verifier needs

    @extend_schema(
        summary="Public signing keys (JWKS)",
        description="The keys every verifier checks access tokens with (RFC 7517): the signing key, the next one "
                    "and retired ones whose tokens may not have expired yet. A token's `kid` header names its key. "
                    "Cacheable for 60 s.",
        tags=["keys"], examples=[examples.JWKS_RESPONSE], responses={200: JWKSetSerializer},
    )
    def get(self, request):
        return Response(get_keyring().jwks(), headers={"Cache-Control": "public, max-age=60"})


class AuthorizationServerMetadataView(PublicView):
    """RFC 8414 metadata, so clients discover the token endpoint and keys instead of hard-coding them."""

    throttle_classes = []

    @extend_schema(
        summary="OAuth 2.0 authorization server metadata",
        description="RFC 8414 metadata: the issuer, the token endpoint, the JWKS URL, grants and scopes, so "
                    "clients discover them instead of hard-coding them. Cacheable for an hour.",
        tags=["keys"], examples=[examples.METADATA_RESPONSE], responses={200: AuthorizationServerMetadataSerializer},
    )
    def get(self, request):
        issuer = settings.FLEET_JWT["ISSUER"].rstrip("/")
        return Response({
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/v2/auth/oauth/token/",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": [],
            "scopes_supported": list(CUSTOMERS_SCOPES),
            "access_token_signing_alg_values_supported": get_keyring().published_algorithms(),
        }, headers={"Cache-Control": "public, max-age=3600"})
