"""The API reference the gateway serves itself, from the committed gateway/docs/ (make schema): the page at
/docs/ with a Content-Security-Policy of its own, the OpenAPI documents at stable /schemas/ URLs."""

import json

import requests

from harness import ROOT

DOCS = ROOT / "gateway" / "docs"
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def start(gateway, upstreams, **variables):
    return gateway(AUTH_UPSTREAM=upstreams().address, CUSTOMERS_UPSTREAM=upstreams().address, **variables)


def test_the_page_and_its_assets_are_served_with_their_types(gateway, upstreams):
    gw = start(gateway, upstreams)
    for path, content_type in (("/docs/", "text/html"), ("/docs/reference.js", "application/javascript"),
                               ("/docs/reference.css", "text/css"),
                               ("/docs/swagger-ui/swagger-ui-bundle.js", "application/javascript"),
                               ("/docs/swagger-ui/swagger-ui.css", "text/css")):
        response = requests.get(f"{gw.url}{path}")
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].split(";")[0] == content_type, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # so the type must be right
        assert response.headers["Cache-Control"] == "no-cache"  # revalidated: a new release shows at once
    page = requests.get(f"{gw.url}/docs/").text
    assert 'src="swagger-ui/swagger-ui-bundle.js"' in page and "<script>" not in page  # no inline script


def test_only_the_page_gets_the_looser_policy_scripts_and_styles_from_this_origin_alone(gateway, upstreams):
    gw = start(gateway, upstreams)
    csp = requests.get(f"{gw.url}/docs/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    for name in ("script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'", name  # no CDN, no inline code, no eval
    assert directives["img-src"] == "'self' data:"
    for path in ("/schemas/customers/v2.json", "/v2/customers/", "/healthz", "/nowhere"):
        assert requests.get(f"{gw.url}{path}").headers["Content-Security-Policy"] == API_CSP, path


def test_each_document_is_at_its_stable_url_as_committed(gateway, upstreams):
    gw = start(gateway, upstreams)
    for service in ("auth", "customers"):
        for version in ("v1", "v2"):
            response = requests.get(f"{gw.url}/schemas/{service}/{version}.json")
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "application/json"
            document = response.json()
            assert document == json.loads((DOCS / "schemas" / service / f"{version}.json").read_text())
            assert document["info"]["title"] == service and document["info"]["version"].endswith(f"({version})")


def test_the_reference_never_reaches_a_service(gateway, upstreams):
    auth, customers = upstreams(), upstreams()
    gw = gateway(AUTH_UPSTREAM=auth.address, CUSTOMERS_UPSTREAM=customers.address)
    for path in ("/docs/", "/schemas/auth/v2.json", "/schemas/missing.json", "/docs/../v2/customers/"):
        requests.get(f"{gw.url}{path}")
    assert (len(auth.requests), len(customers.requests)) == (0, 1)  # only the normalised /v2/customers/


def test_errors_and_redirects_of_the_reference(gateway, upstreams):
    gw = start(gateway, upstreams)
    missing = requests.get(f"{gw.url}/schemas/customers/v9.json")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"
    posted = requests.post(f"{gw.url}/docs/", data="x")
    assert posted.status_code == 405 and posted.headers["Allow"] == "GET, HEAD"
    assert posted.headers["Content-Type"] == "application/problem+json"
    redirect = requests.get(f"{gw.url}/docs", allow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["Location"] == "/docs/"  # keeps the client's host
    for folder in ("/schemas/", "/schemas/auth/", "/docs/swagger-ui/"):  # no index, no listing: not even a 403
        response = requests.get(f"{gw.url}{folder}")
        assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json", folder


def test_gateway_docs_root_moves_the_reference_even_to_a_path_with_a_space(gateway, upstreams, workdir):
    site = workdir / "a folder" / "docs"
    (site / "reference").mkdir(parents=True)
    (site / "schemas").mkdir()
    for directory in (site.parent, site, site / "reference", site / "schemas"):
        directory.chmod(0o755)  # nginx's workers run as nobody when the master is root
    (site / "reference" / "index.html").write_text("<!doctype html><title>elsewhere</title>\n")
    gw = start(gateway, upstreams, GATEWAY_DOCS_ROOT=str(site))
    assert "elsewhere" in requests.get(f"{gw.url}/docs/").text
