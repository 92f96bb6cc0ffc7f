"""The reference is complete (every operation has a summary, a description, examples and its errors; both
security schemes are declared) and the static site the gateway serves is what `make schema` writes."""

import filecmp
import json

import pytest

import openapi_documents as schema
from openapi_compat import load

DOCUMENTS = [schema.document_name(s, v) for s in schema.SERVICES for v in schema.VERSIONS]
METHODS = ("get", "post", "put", "patch", "delete")
#: Public discovery documents: no input, no token, nothing to miss (see .redocly.lint-ignore.yaml).
NO_CLIENT_ERROR = {"/.well-known/jwks.json", "/.well-known/oauth-authorization-server"}


def operations(name: str):
    for path, item in load(schema.OUTPUT_DIR / name)["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", path, item[method]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_operation_has_a_summary_a_description_examples_and_its_errors(name):
    problems = []
    for where, path, operation in operations(name):
        for field in ("summary", "description", "tags"):
            if not operation.get(field):
                problems.append(f"{where}: no {field}")
        for media_type, content in (operation.get("requestBody") or {}).get("content", {}).items():
            if not content.get("examples"):
                problems.append(f"{where}: no request example for {media_type}")
        for status, response in operation["responses"].items():
            for media_type, content in (response.get("content") or {}).items():
                if not content.get("examples"):
                    problems.append(f"{where}: no example of its {status} {media_type} response")
        if path not in NO_CLIENT_ERROR and not any(status.startswith("4") for status in operation["responses"]):
            problems.append(f"{where}: no error response")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("version", schema.VERSIONS)
def test_customers_declares_bearer_tokens_and_the_client_credentials_grant(version):
    document = load(schema.OUTPUT_DIR / schema.document_name("customers", version))
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/v2/auth/oauth/token/"
    assert set(flow["scopes"]) == {"customers:read", "customers:write", "customers:admin"}
    for where, _, operation in operations(schema.document_name("customers", version)):
        scope = "customers:read" if where.startswith("GET") else "customers:write"
        assert operation["security"] == [{"bearerAuth": []}, {"oauth2": [scope]}], where


def test_the_committed_reference_site_is_what_make_schema_writes(tmp_path):
    """gateway/docs/reference/swagger-ui/ and gateway/docs/schemas/ from the committed documents, now."""
    schema.build_site(schema.OUTPUT_DIR, tmp_path)
    stale = []
    for name in schema.GENERATED_SITE_DIRS:
        fresh, committed = tmp_path / name, schema.SITE_DIR / name
        fresh_files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        committed_files = {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()}
        stale += [f"{name}/{p}: missing" for p in sorted(fresh_files - committed_files)]
        stale += [f"{name}/{p}: not generated any more" for p in sorted(committed_files - fresh_files)]
        stale += [f"{name}/{p}: differs" for p in sorted(fresh_files & committed_files)
                  if not filecmp.cmp(fresh / p, committed / p, shallow=False)]
    assert not stale, "gateway/docs/ is out of date; run `make schema` and commit:\n" + "\n".join(stale)


def test_the_page_loads_every_document_it_is_committed_with():
    script = (schema.SITE_DIR / "reference" / "reference.js").read_text()
    for service in schema.SERVICES:
        for version in schema.VERSIONS:
            assert f'service: "{service}", version: "{version}"' in script
            assert json.loads((schema.SITE_DIR / "schemas" / service / f"{version}.json").read_text())["paths"]
