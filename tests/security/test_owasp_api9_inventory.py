"""OWASP API9:2023 Improper Inventory Management: the routes of each service's URLconf are exactly its documented
ones (the OpenAPI paths of both versions, plus the non-API routes listed in docs/security.md), the gateway's
locations are exactly its documented routes, and what the gateway does not route never reaches a service."""

import json
import re

import pytest
import requests
import yaml

from helpers import ROOT, direct, manage

DOCS = ROOT / "docs"
#: Routes that are not API operations, each documented in docs/security.md ("Inventory"): probes, metrics,
#: and customers' internal endpoint for auth's outbox. None is routed by the gateway.
NON_API_ROUTES = {
    "auth": {"/healthz", "/readyz", "/metrics"},
    "customers": {"/healthz", "/readyz", "/metrics", "/internal/v1/owners/{owner}/customers/"},
}
#: The gateway's locations, as gateway/README.md and README.md document them: (modifier, path) -> what it does.
GATEWAY_ROUTES = {
    ("^~", "/v1/auth/"): "auth", ("^~", "/v2/auth/"): "auth",
    ("=", "/.well-known/jwks.json"): "auth", ("=", "/.well-known/oauth-authorization-server"): "auth",
    ("^~", "/v1/customers/"): "customers", ("^~", "/v2/customers/"): "customers",
    **{("=", f"/{version}/auth/{path}"): "auth, edge-limited" for version in ("v1", "v2")
       for path in ("token/", "token/refresh/", "users/", "oauth/token/")},
    **{("=", f"/{version}/auth/{path}"): "auth" for version in ("v1", "v2")  # without the slash: auth's 404
       for path in ("token", "token/refresh", "users", "oauth/token")},
    **{("=", path): "404" for path in ("/v1/auth", "/v2/auth", "/v1/customers", "/v2/customers")},
    ("=", "/healthz"): "the gateway", ("=", "/_gateway/problem"): "internal error page",
    ("=", "/_gateway/oauth-error"): "internal error page", ("", "/"): "404",
    ("^~", "/docs/"): "the API reference", ("^~", "/schemas/"): "the OpenAPI documents",
    ("~", "^/docs/.+/$"): "404", ("~", "/$"): "404",  # folders of the reference (nested in the two above)
    ("=", "/docs"): "redirect to /docs/",
}

URL_WALKER = """
import json
from django.urls import URLResolver, get_resolver

def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)

print(json.dumps(sorted(set(walk(get_resolver().url_patterns)))))
"""


def template(route: str) -> str:
    """A Django route (regex or path converter syntax) as an OpenAPI-style path template."""
    route = route.replace("^", "").replace("$", "")
    route = route.replace("(?P<version>v1|v2)", "{version}")
    route = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route)
    route = re.sub(r"<(?:\w+:)?pk>", "{id}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route


def documented_paths(service: str) -> dict[str, set[str]]:
    """Each documented path as a template with `{version}`, and the versions documenting it."""
    paths: dict[str, set[str]] = {}
    for version in ("v1", "v2"):
        document = yaml.safe_load((DOCS / "openapi" / f"{service}-{version}.yaml").read_text())
        for path in document["paths"]:
            paths.setdefault(re.sub(r"^/v[12]/", "/{version}/", path), set()).add(version)
    return paths


@pytest.mark.parametrize("service", ["auth", "customers"])
def test_every_route_of_the_urlconf_is_documented_and_every_documented_path_is_routed(fleet, service, record):
    printed = manage(fleet, service, "shell", "--no-imports", "-c", URL_WALKER).strip().splitlines()[-1]
    routes = {template(route) for route in json.loads(printed)}
    documented = documented_paths(service)
    assert routes == set(documented) | NON_API_ROUTES[service], (
        f"undocumented: {sorted(routes - set(documented) - NON_API_ROUTES[service])}; "
        f"documented but not routed: {sorted(set(documented) | NON_API_ROUTES[service] - routes)}")
    versioned = {path: versions for path, versions in documented.items() if "{version}" in path}
    assert all(versions == {"v1", "v2"} for versions in versioned.values()), versioned  # the URLconf serves both
    record(routes=len(routes), documented_paths=len(documented), non_api=len(NON_API_ROUTES[service]))


def test_docs_security_lists_every_non_api_route():
    text = (DOCS / "security.md").read_text()
    for routes in NON_API_ROUTES.values():
        for route in routes:
            assert f"`{route}`" in text, route


def gateway_locations(fleet) -> dict[tuple[str, str], str]:
    locations = {}
    for conf in sorted((fleet.config.gateway_dir / "conf.d").rglob("*.conf")):
        text = re.sub(r"#[^\n]*", "", conf.read_text())
        for modifier, path, block in re.findall(r"location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{([^{}]*)[{}]", text):
            locations[(modifier, path)] = block
    return locations


def test_the_gateways_locations_are_exactly_its_documented_routes(fleet, record):
    locations = gateway_locations(fleet)
    assert set(locations) == set(GATEWAY_ROUTES)
    for key, role in GATEWAY_ROUTES.items():
        block = locations[key]
        if role.startswith("auth"):
            assert "proxy_pass http://auth;" in block, key
        elif role == "customers":
            assert "proxy_pass http://customers;" in block, key
        else:
            assert "proxy_pass" not in block, key
        assert ("limit_req zone=auth_credentials" in block) == role.endswith("edge-limited"), key
    record(locations=len(locations))


@pytest.mark.parametrize("service", ["auth", "customers"])
def test_what_the_gateway_does_not_route_never_reaches_a_service(gateway, admin, service):
    """The services' non-API routes answer on their own port only; through the gateway they are its own 404 (or,
    for /healthz, its own answer, byte for byte: a service's /healthz is Django's `{"status": "ok"}`)."""
    for route in sorted(NON_API_ROUTES[service]):
        path = route.replace("{owner}", admin.id)
        for variant in (path, f"/v1/customers/../..{path}", f"/v2/auth/%2e%2e{path}", f"/{path}", f"/v2{path}"):
            response = requests.request("GET", f"{gateway}{variant}", headers=admin.headers)
            if route == "/healthz" and response.status_code == 200:
                assert response.content == b'{"status":"ok"}\n', variant  # nginx's return, not a service's
                continue
            assert response.status_code == 404, variant
            assert response.headers["Content-Type"] == "application/problem+json"
            assert response.json()["detail"] == "No route for this path."  # the gateway's own body, not a service's


@pytest.mark.parametrize("service", ["auth", "customers"])
def test_every_documented_operation_reaches_its_service_through_the_gateway(fleet, gateway, service, record):
    """A documented path answered by the gateway's own 404 would be a route the gateway lost."""
    reached = 0
    for path, versions in documented_paths(service).items():
        for version in sorted(versions):
            concrete = path.replace("{version}", version).replace("{id}", "01900000-0000-7000-8000-000000000000")
            response = requests.options(f"{gateway}{concrete}")
            assert response.headers.get("Content-Type") != "application/problem+json" or \
                "instance" in response.json(), concrete
            service_allow = requests.options(f"{direct(fleet, service)}{concrete}").headers.get("Allow")
            trace = requests.request("TRACE", f"{gateway}{concrete}")
            assert trace.status_code == 405 and trace.headers.get("Allow") == service_allow, (concrete, service_allow)
            reached += 1
    record(paths_checked=reached)
