"""Token endpoints: log in, refresh, log out, and the public keys."""

import structlog
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .keyring import get_keyring
from .serializers import JWKSetSerializer, LoginSerializer, RefreshSerializer, TokenPairSerializer
from .services import refresh_token_revoke, token_pair_issue, token_pair_refresh

logger = structlog.get_logger("audit")
LOGIN_FAILED = "No active account found with the given credentials."


class TokenObtainView(APIView):
    """Exchange a username and password for an access and a refresh token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=LoginSerializer, responses={200: TokenPairSerializer}, summary="Log in")
    def post(self, request, version):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if user is None:
            logger.info("login_failed", username=serializer.validated_data["username"])
            raise AuthenticationFailed(LOGIN_FAILED, code="invalid_credentials")
        logger.info("login_succeeded", user_id=str(user.pk))
        return Response(token_pair_issue(user=user).as_response())

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenRefreshView(APIView):
    """Spend a refresh token for a new pair."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer}, summary="Refresh tokens")
    def post(self, request, version):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(token_pair_refresh(raw=serializer.validated_data["refresh"]).as_response())

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenRevokeView(APIView):
    """Log out: end the refresh token's session (its whole family)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RefreshSerializer, responses={204: None}, summary="Log out")
    def post(self, request, version):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh_token_revoke(raw=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class JWKSView(APIView):
    """The public keys verifiers need: the signing key, the next one and still-valid retired ones."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: JWKSetSerializer}, summary="Public signing keys (JWKS)")
    def get(self, request):
        return Response(get_keyring().jwks(), headers={"Cache-Control": "public, max-age=60"})
