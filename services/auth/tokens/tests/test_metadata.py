import pytest

pytestmark = pytest.mark.django_db


def test_authorization_server_metadata_follows_rfc8414(api, settings):
    body = api.get("/.well-known/oauth-authorization-server").json()
    issuer = settings.FLEET_JWT["ISSUER"]
    assert body["issuer"] == issuer
    assert body["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert body["token_endpoint"].endswith("/v2/auth/oauth/token/")
    assert body["grant_types_supported"] == ["client_credentials"]
    assert set(body["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    published = {key["alg"] for key in api.get("/.well-known/jwks.json").json()["keys"]}
    assert body["access_token_signing_alg_values_supported"] == sorted(published) == ["RS256"]
