"""OpenAPI descriptions of what the shared package adds to DRF: bearer tokens, error bodies per version, headers."""

import re
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .errors import PROBLEM_CONTENT_TYPE, PROBLEM_VERSIONS
from .settings import DEFAULT_API_LIFECYCLE


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Document the bearer JWT that every service verifies."""

    target_class = "fleet_common.authentication.BearerTokenAuthentication"
    match_subclasses = True
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "An access token from `POST /v2/auth/token/` or the client-credentials grant."}


def client_credentials_scheme(scopes: dict[str, str]) -> dict:
    """The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) that gives services their bearer tokens."""
    return {
        "type": "oauth2",
        "description": "A service token: auth's client-credentials grant, the client authenticated with "
                       "HTTP Basic (`client_secret_basic`) or form fields (`client_secret_post`). Clients are "
                       "created with `manage.py service_client create`.",
        "flows": {"clientCredentials": {"tokenUrl": "/v2/auth/oauth/token/", "scopes": scopes}},
    }


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every v2 error is answered."""

    type = serializers.CharField(help_text="Always `about:blank`: the status code says what happened.")
    title = serializers.CharField(help_text="The status code's reason phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    instance = serializers.CharField(help_text="The request path.")
    request_id = serializers.CharField(required=False, help_text="The `X-Request-ID` of the request.")
    code = serializers.CharField(required=False, help_text="A machine-readable error code.")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="400 only: the messages of each invalid field or parameter, by name.")

    class Meta:
        ref_name = "Problem"


class GatewayProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details of an error the gateway answers itself (edge limit, body too large), in every version."""

    type = serializers.CharField(help_text="Always `about:blank`.")
    title = serializers.CharField(help_text="The status code's reason phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    instance = serializers.CharField(required=False, help_text="The request path, when it is plain URI text "
                                                               "(nginx cannot JSON-escape any other); none on a 414.")
    request_id = serializers.CharField(help_text="The `X-Request-ID` of the request.")

    class Meta:
        ref_name = "GatewayProblem"


class ErrorDetailSerializer(serializers.Serializer):
    """DRF's own error body, as v1 answers every error but field errors."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "ErrorDetail"


V1_FIELD_ERRORS = {
    "type": "object",
    "description": "DRF's field errors: a list of messages per field name (`detail` for a malformed body).",
    "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
}

DESCRIPTIONS = {
    400: "The request is invalid: a field, a query parameter or the JSON itself.",
    401: "No bearer token, or a token that is invalid or expired (`WWW-Authenticate: Bearer`).",
    403: "The token lacks the scope this method needs; the detail names it.",
    404: "No such object, or one of another owner (its existence is not revealed).",
    405: "The method is not allowed on this path.",
    409: "A request with the same `Idempotency-Key` is still in progress.",
    412: "`If-Match` does not match the current `ETag`: nothing was changed.",
    413: "The body exceeds the gateway's limit of 1 MiB (answered by the gateway).",
    415: "The request body's content type is not accepted.",
    422: "The `Idempotency-Key` was already used with a different request.",
    429: "Too many requests: retry after `Retry-After` seconds.",
    503: "A dependency (database, token keys) is unavailable: retry after `Retry-After` seconds.",
}


#: What an error body of each status says, in the examples of the reference documentation.
EXAMPLE_DETAILS = {
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: 'Method "PUT" not allowed.',
    409: "A request with this Idempotency-Key is still being processed; retry shortly.",
    412: "The resource has changed since the given ETag; fetch it again and retry.",
    415: 'Unsupported media type "text/plain" in request.',
    422: "This Idempotency-Key was used with a different request.",
    429: "Request was throttled. Expected available in 12 seconds.",
    503: "A dependency is unavailable; try again shortly.",
}
EXAMPLE_FIELD_ERRORS = {"email": ["Enter a valid email address."]}
EXAMPLE_REQUEST_ID = "5f0c6d2a9b8e4f17a3c2d1e0b9a8f7e6"
EXAMPLE_ID = "0196a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"


def error_example(status: int, version: str | None, path: str) -> OpenApiExample:
    """A body of `status` as `version` answers it: DRF's own in v1, problem details in v2."""
    if version not in PROBLEM_VERSIONS:
        value = EXAMPLE_FIELD_ERRORS if status == 400 else {"detail": EXAMPLE_DETAILS[status]}
    else:
        value = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
                 "detail": "The request has invalid fields." if status == 400 else EXAMPLE_DETAILS[status],
                 "instance": path.replace("{id}", EXAMPLE_ID), "request_id": EXAMPLE_REQUEST_ID}
        if status == 400:
            value["errors"] = EXAMPLE_FIELD_ERRORS
    return OpenApiExample(HTTPStatus(status).phrase, value=value)


GATEWAY_EXAMPLE_DETAILS = {
    413: "The request body is larger than the gateway accepts.",
    429: "Too many requests from this client address; retry after the number of seconds in Retry-After.",
}


def gateway_example(status: int) -> OpenApiExample:
    """The gateway's own problem body, the same in every version (its `instance` is left out: it is the path)."""
    return OpenApiExample(HTTPStatus(status).phrase, value={
        "type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
        "detail": GATEWAY_EXAMPLE_DETAILS[status], "request_id": EXAMPLE_REQUEST_ID})


#: Responses given after the throttles ran (401 and 403 are decided before them).
THROTTLED_STATUSES = [200, 201, 204, 304, 400, 404, 405, 409, 412, 415, 422, 429, 503]


@dataclass(frozen=True)
class ErrorResponse:
    """An error status in `@extend_schema(responses=...)`: the body follows the version's error format."""

    status: int
    description: str
    versions: tuple[str, ...] | None = None  # None: every version
    gateway: bool = False  # answered by the gateway itself: its problem+json in every version


#: What the gateway answers itself, whatever the service behind it would have said.
GATEWAY_DESCRIPTIONS = {
    413: DESCRIPTIONS[413],
    429: "Too many credential requests from this client address (the gateway's edge limit, counted per "
         "gateway instance): retry after `Retry-After` seconds.",
}


def error_responses(*statuses: int, versions: tuple[str, ...] | None = None,
                    descriptions: dict[int, str] | None = None) -> dict:
    """`{status: ErrorResponse}` for `responses=`; `versions` limits them (e.g. a v1-only 404)."""
    descriptions = {**DESCRIPTIONS, **(descriptions or {})}
    return {status: ErrorResponse(status, descriptions[status], versions) for status in statuses}


def gateway_error_responses(*statuses: int) -> dict:
    """`{status: ErrorResponse}` for the gateway's own answers: 413 (any body), 429 (its edge limit on credentials)."""
    return {status: ErrorResponse(status, GATEWAY_DESCRIPTIONS[status], gateway=True) for status in statuses}


def _lifecycle(version: str | None) -> dict | None:
    return getattr(settings, "API_LIFECYCLE", DEFAULT_API_LIFECYCLE).get(version)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the fleet's conventions, per API version.

    Error statuses declared with `error_responses()` get v1's DRF body or v2's problem+json; a
    deprecated version documents its lifecycle headers; throttled views their rate-limit headers.
    """

    def _version(self) -> str | None:
        return getattr(self.view.request, "version", None)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        parameters.append(OpenApiParameter("Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER,
                                           response=[429, 503], description="Seconds to wait before retrying."))
        if self._is_throttled():
            parameters += [
                OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.HEADER, response=THROTTLED_STATUSES,
                                 description=description)
                for name, description in (
                    ("X-RateLimit-Limit", "Requests allowed in the current window (the tightest limit that applies)."),
                    ("X-RateLimit-Remaining", "Requests left in the current window."),
                    ("X-RateLimit-Reset", "Seconds until the current window ends."),
                )
            ]
        lifecycle = _lifecycle(self._version())
        if lifecycle:
            successor = lifecycle["successor"]
            parameters += [
                OpenApiParameter("Deprecation", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True,
                                 description="RFC 9745: `@<unix time>` when this version was deprecated."),
                OpenApiParameter("Sunset", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True,
                                 description="RFC 8594: the HTTP date after which this version may be removed."),
                OpenApiParameter("Link", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True,
                                 description=f'`<.../{successor}/...>; rel="successor-version"`: the same resource '
                                             f"in {successor}."),
            ]
        return parameters

    def _insert_field_validators(self, field, schema):
        """No `oneOf` for a blank-allowing string whose pattern already matches "" (the NUL check of StrictCharField).

        drf-spectacular writes `oneOf: [{pattern}, {maxLength: 0}]` for it; a blank value matches both branches,
        and `oneOf` then refuses what the service accepts.
        """
        super()._insert_field_validators(field, schema)
        branches = schema.get("oneOf")
        if (isinstance(branches, list) and len(branches) == 2 and branches[1] == {"type": "string", "maxLength": 0}
                and "pattern" in branches[0] and not {"format", "minLength"} & set(branches[0])
                and re.search(branches[0]["pattern"], "")):
            outer = {key: schema.pop(key) for key in list(schema) if key != "oneOf"}
            schema.update({**schema.pop("oneOf")[0], **outer})

    def _is_throttled(self) -> bool:
        from .throttling import RedisThrottleMixin  # noqa: PLC0415 - needs configured settings

        return any(isinstance(throttle, RedisThrottleMixin) for throttle in self.view.get_throttles())

    def _get_response_bodies(self, direction="response"):
        responses = self.get_response_serializers()
        if not (isinstance(responses, dict) and any(isinstance(v, ErrorResponse) for v in responses.values())):
            return super()._get_response_bodies(direction)
        bodies = {}
        for code, value in responses.items():
            media_types = None
            if isinstance(code, tuple):
                code, media_types = code[0], code[1:]
            if isinstance(value, ErrorResponse):
                if value.versions is not None and self._version() not in value.versions:
                    continue
                value, media_types = self._error_body(value)
            bodies[str(code)] = self._get_response_for_code(value, str(code), media_types, direction)
        return bodies

    def _error_body(self, error: ErrorResponse):
        if error.gateway:
            return (OpenApiResponse(GatewayProblemSerializer, description=error.description,
                                    examples=[gateway_example(error.status)]), [PROBLEM_CONTENT_TYPE])
        examples = [error_example(error.status, self._version(), self.path)]
        if self._version() in PROBLEM_VERSIONS:
            return (OpenApiResponse(ProblemSerializer, description=error.description, examples=examples),
                    [PROBLEM_CONTENT_TYPE])
        body = V1_FIELD_ERRORS if error.status == 400 else ErrorDetailSerializer
        return OpenApiResponse(body, description=error.description, examples=examples), None
