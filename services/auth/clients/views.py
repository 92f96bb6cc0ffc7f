"""`POST oauth/token/`: the client-credentials grant, speaking RFC 6749's own error format."""

import base64
from collections.abc import Mapping
from urllib.parse import unquote_plus

from django.core.exceptions import SuspiciousOperation
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet_common.caching import TOKEN_RESPONSE_HEADERS
from fleet_common.errors import refused_request_detail, unavailable_as_503
from fleet_common.parsers import JSONParser
from fleet_common.text import is_storable_text

from . import examples
from .services import OAuthError, client_authenticate, client_token_issue

TokenRequest = inline_serializer("ClientCredentialsRequest", {
    "grant_type": serializers.ChoiceField(choices=["client_credentials"]),
    "scope": serializers.CharField(required=False, help_text="Space-separated; default: all the client may have."),
    "client_id": serializers.CharField(required=False, help_text="client_secret_post only."),
    "client_secret": serializers.CharField(required=False, help_text="client_secret_post only."),
})
TokenResponse = inline_serializer("ClientCredentialsToken", {
    "access_token": serializers.CharField(), "token_type": serializers.CharField(),
    "expires_in": serializers.IntegerField(), "scope": serializers.CharField(),
})
OAuthErrorBody = inline_serializer("OAuthError", {
    "error": serializers.CharField(), "error_description": serializers.CharField(),
})


def basic_credentials(request) -> tuple[str, str] | None:
    """client_secret_basic (RFC 6749 §2.3.1): both parts form-urlencoded, then Base64."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except ValueError as error:  # not Base64 (binascii.Error), not ASCII to begin with, not UTF-8 once decoded
        raise OAuthError("invalid_client", "Malformed Basic credentials.", status=401) from error
    client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    if not sep or not (is_storable_text(client_id) and is_storable_text(secret)):
        raise OAuthError("invalid_client", "Malformed Basic credentials.", status=401)
    return client_id, secret


def form_value(data, name: str) -> str | None:
    """A string parameter; NUL or a lone surrogate is refused here, before the database would refuse it."""
    value = data.get(name)
    if value is not None and not (isinstance(value, str) and is_storable_text(value)):
        raise OAuthError("invalid_request", f"{name} must be a string of text.")
    return value


class OAuthTokenView(APIView):
    """Issue a service token to an authenticated service client (RFC 6749 §4.4)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [FormParser, JSONParser]
    throttle_scope = "oauth-token"

    @extend_schema(
        summary="Client-credentials token",
        description="A service token for a service client (RFC 6749 §4.4), never for a user. Authenticate the "
                    "client with HTTP Basic (`client_secret_basic`) or with `client_id` and `client_secret` in the "
                    "body (`client_secret_post`), not both. `scope` asks for some of the client's scopes (default: "
                    "all of them). Errors are RFC 6749 §5.2 bodies, not problem details.",
        tags=["service tokens"], auth=[{"clientSecretBasic": []}, {}],
        request={"application/x-www-form-urlencoded": TokenRequest, "application/json": TokenRequest},
        examples=[examples.FORM_REQUEST, examples.JSON_REQUEST, examples.TOKEN_RESPONSE],
        responses={
            200: TokenResponse,
            400: OpenApiResponse(OAuthErrorBody, examples=[examples.INVALID_SCOPE],
                                 description="`invalid_request`, `unsupported_grant_type` or `invalid_scope`."),
            401: OpenApiResponse(OAuthErrorBody, examples=[examples.INVALID_CLIENT],
                                 description="`invalid_client`: unknown client, wrong secret or disabled client."),
            415: OpenApiResponse(OAuthErrorBody, examples=[examples.UNSUPPORTED_MEDIA_TYPE],
                                 description="`invalid_request`: the body is neither a form nor JSON."),
            503: OpenApiResponse(OAuthErrorBody, examples=[examples.TEMPORARILY_UNAVAILABLE],
                                 description="`temporarily_unavailable`: retry after `Retry-After` seconds."),
            413: OpenApiResponse(OAuthErrorBody, examples=[examples.BODY_TOO_LARGE],
                                 description="`invalid_request`: the body is over the gateway's limit of 1 MiB."),
            429: OpenApiResponse(OAuthErrorBody, examples=[examples.THROTTLED],
                                 description="`temporarily_unavailable`: too many token requests from this address "
                                             "(the gateway's limit, or this endpoint's own); retry after "
                                             "`Retry-After` seconds."),
        },
    )
    def post(self, request, version):
        if not isinstance(request.data, Mapping):
            raise OAuthError("invalid_request", "The body must be a form or a JSON object.")
        basic = basic_credentials(request)
        posted = form_value(request.data, "client_id"), form_value(request.data, "client_secret")
        if basic and any(posted):
            raise OAuthError("invalid_request", "Use one client authentication method, not two.")
        client_id, client_secret = basic or posted
        grant_type = form_value(request.data, "grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required.")
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", "Only client_credentials is supported.")
        if not client_id or not client_secret:
            raise OAuthError("invalid_client", "Client authentication is required.", status=401)
        client = client_authenticate(client_id=client_id, client_secret=client_secret)
        token = client_token_issue(client=client, requested_scope=form_value(request.data, "scope"))
        return Response(token.as_response(), headers=TOKEN_RESPONSE_HEADERS)

    def handle_exception(self, exc):
        """Every error of this endpoint is an RFC 6749 §5.2 body, never problem+json."""
        exc = unavailable_as_503(exc)
        if isinstance(exc, OAuthError):
            status, body = exc.status, {"error": exc.error, "error_description": exc.description}
        elif isinstance(exc, exceptions.MethodNotAllowed):  # 405 with Allow (every response has it), RFC 6749's shape
            status, body = 405, {"error": "invalid_request", "error_description": str(exc.detail)}
        elif isinstance(exc, exceptions.APIException) and exc.status_code in (429, 503):
            status, body = exc.status_code, {"error": "temporarily_unavailable", "error_description": str(exc.detail)}
        elif isinstance(exc, exceptions.UnsupportedMediaType):  # 415 as everywhere (DESIGN.md), in RFC 6749's shape
            status, body = 415, {"error": "invalid_request", "error_description": str(exc.detail)}
        elif isinstance(exc, exceptions.APIException):
            status, body = 400, {"error": "invalid_request", "error_description": str(exc.detail)}
        elif isinstance(exc, SuspiciousOperation):  # a form of over 1,000 fields, say
            status, body = 400, {"error": "invalid_request", "error_description": refused_request_detail(exc)}
        else:
            return super().handle_exception(exc)
        headers = dict(TOKEN_RESPONSE_HEADERS)
        if status == 401:  # RFC 9110 §11.6.1: every 401 says how to authenticate, however the client tried
            headers["WWW-Authenticate"] = 'Basic realm="oauth"'
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        elif status == 503:
            headers["Retry-After"] = "5"
        return Response(body, status=status, headers=headers)
