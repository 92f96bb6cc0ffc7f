"""ETags of customers: `"<id>-<version>"`, strong, and never equal for two customers or two versions."""

from rest_framework.request import Request

from fleet_common.conditional import ANY, none_match, quote_etag, strong_tags
from fleet_common.exceptions import PreconditionFailed
from fleet_common.text import is_ascii_digits

from .models import Customer


def customer_etag(customer: Customer) -> str:
    """The id is part of the tag, so a tag sent to the wrong customer never matches by accident."""
    return quote_etag(f"{customer.pk}-{customer.version}")


def not_modified(request: Request, customer: Customer) -> bool:
    """`If-None-Match` names the current representation: answer 304."""
    return none_match(request.headers.get("If-None-Match"), customer_etag(customer))


def if_match_versions(request: Request, customer: Customer) -> set[int] | None:
    """The versions `If-Match` allows (None: unconditional); 412 at once if the current one is not among them,
    or if `If-None-Match` names it or is `*` (RFC 9110 §13.1.2: on a write, a match fails the condition).

    The early refusal spares validating the body; the write itself is guarded by the `If-Match` versions
    again, so a writer that loses a race after this check still gets its 412 and changes nothing.
    """
    if not_modified(request, customer):
        raise PreconditionFailed()
    tags = strong_tags(request.headers.get("If-Match"))
    if tags is None or tags == ANY:  # `*`: the customer exists (get_object said so)
        return None
    prefix = f"{customer.pk}-"
    # Strong comparison is character for character: "<id>-02" is not the tag "<id>-2" (canonical digits only).
    versions = {int(version) for tag in tags if tag.startswith(prefix)
                for version in [tag[len(prefix):]]
                if is_ascii_digits(version) and len(version) <= 9 and str(int(version)) == version}
    if customer.version not in versions:
        raise PreconditionFailed()
    return versions
