"""How customers' security reads in OpenAPI: a user's token or a service's token, with the method's scope."""

from rest_framework.permissions import SAFE_METHODS

from fleet_common.claims import CUSTOMERS_ADMIN, CUSTOMERS_READ, CUSTOMERS_WRITE
from fleet_common.fields import StrictCharField
from fleet_common.schema import BearerTokenScheme, client_credentials_scheme

from .serializers import CustomerSerializer

SCOPES = {
    CUSTOMERS_READ: "Read one's own customers.",
    CUSTOMERS_WRITE: "Create, change and delete one's own customers.",
    CUSTOMERS_ADMIN: "Every customer, of every owner; may set `owner` on create (imports).",
}


class CustomersTokenScheme(BearerTokenScheme):
    """Either a user's bearer token or a client-credentials token; both must carry the method's scope."""

    priority = 1  # over fleet_common's bearer-only description, in this service
    name = ["bearerAuth", "oauth2"]

    def get_security_requirement(self, auto_schema):
        scope = CUSTOMERS_READ if auto_schema.method in SAFE_METHODS else CUSTOMERS_WRITE
        return [{"bearerAuth": []}, {"oauth2": [scope]}]

    def get_security_definition(self, auto_schema):
        return [super().get_security_definition(auto_schema), client_credentials_scheme(SCOPES)]


class CustomerMergePatchSerializer(CustomerSerializer):
    """v2's RFC 7396 merge patch (documentation only: the view reads it with `merge_patch_to_partial`)."""

    phone = StrictCharField(max_length=32, required=False, allow_blank=True, allow_null=True,
                            help_text="`null` blanks it.")
    company = StrictCharField(max_length=200, required=False, allow_blank=True, allow_null=True,
                              help_text="`null` blanks it.")

    class Meta(CustomerSerializer.Meta):
        ref_name = "CustomerMergePatch"
