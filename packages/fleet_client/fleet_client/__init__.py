"""A small client for the fleet's APIs, for services and tools that call them."""

from .client import FleetClient
from .credentials import ClientCredentials
from .customers import CustomersAPI
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    FleetClientError,
    Forbidden,
    NotFound,
    OAuthError,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    Unprocessable,
)

__all__ = [
    "ApiError", "BadRequest", "ClientCredentials", "Conflict", "CustomersAPI", "FleetClient", "FleetClientError",
    "Forbidden", "NotFound", "OAuthError", "PreconditionFailed", "RateLimited", "ServiceUnavailable",
    "TransportError", "Unauthorized", "Unprocessable",
]
