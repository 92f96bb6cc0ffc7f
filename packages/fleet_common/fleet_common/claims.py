"""What auth's tokens say and the services read: the customers scopes and the shape of a subject (DESIGN.md)."""

from .routes import UUID

CUSTOMERS_READ = "customers:read"
CUSTOMERS_WRITE = "customers:write"
CUSTOMERS_ADMIN = "customers:admin"
CUSTOMERS_SCOPES = (CUSTOMERS_READ, CUSTOMERS_WRITE, CUSTOMERS_ADMIN)

#: A token's `sub`: a user's id, or a service client's id after this prefix.
CLIENT_SUBJECT_PREFIX = "client:"
SUBJECT_PATTERN = rf"^({UUID}|{CLIENT_SUBJECT_PREFIX}[!-~]{{1,64}})$"


def client_subject(client_id: str) -> str:
    """The `sub` (and `username`) of a service client's tokens."""
    return CLIENT_SUBJECT_PREFIX + client_id


#: auth's own service tokens (its outbox); no registered client has it: their ids end in 8 hex digits.
AUTH_SUBJECT = client_subject("auth")
