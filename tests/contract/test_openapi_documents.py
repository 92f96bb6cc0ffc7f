"""The committed OpenAPI documents are current, v1 never breaks, and each operation documents real statuses."""

import difflib

import pytest

import openapi_documents as schema
from openapi_compat import breaking_changes, load

DOCUMENTS = [schema.document_name(s, v) for s in schema.SERVICES for v in schema.VERSIONS]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Every document, regenerated from the code now (fails on any drf-spectacular warning)."""
    output = tmp_path_factory.mktemp("openapi")
    schema.generate(output)
    return output


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_committed_document_is_up_to_date(generated, name):
    committed = schema.OUTPUT_DIR / name
    assert committed.exists(), f"{committed} is missing: run `make schema` and commit it"
    fresh = (generated / name).read_text()
    diff = "".join(difflib.unified_diff(committed.read_text().splitlines(True), fresh.splitlines(True),
                                        f"committed/{name}", f"generated/{name}", n=2))
    assert not diff, f"docs/openapi/{name} is out of date; run `make schema` and commit:\n{diff[:4000]}"


@pytest.mark.parametrize("service", schema.SERVICES)
def test_v1_has_no_breaking_change_against_its_first_committed_version(generated, service):
    name = schema.document_name(service, "v1")
    problems = breaking_changes(load(schema.FROZEN_DIR / name), load(generated / name))
    assert not problems, f"breaking changes to {service} v1:\n" + "\n".join(problems)


def operations(name: str):
    document = load(schema.OUTPUT_DIR / name)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_get_documents_415_or_422(name):
    for path, method, operation in operations(name):
        if method == "get":
            assert not {"415", "422"} & set(operation["responses"]), f"GET {path}"


@pytest.mark.parametrize("version", schema.VERSIONS)
def test_every_customers_operation_documents_the_statuses_it_returns(version):
    expected = {
        ("get", "list"): {"200", "400", "401", "403", "429", "503"} | ({"404"} if version == "v1" else set()),
        ("post", "list"): {"201", "400", "401", "403", "409", "413", "415", "422", "429", "503"},
        ("get", "detail"): {"200", "304", "401", "403", "404", "429", "503"},
        ("put", "detail"): {"200", "400", "401", "403", "404", "412", "413", "415", "429", "503"},
        ("patch", "detail"): {"200", "400", "401", "403", "404", "412", "413", "415", "429", "503"},
        ("delete", "detail"): {"204", "401", "403", "404", "412", "429", "503"},
    }
    seen = {}
    for path, method, operation in operations(schema.document_name("customers", version)):
        seen[(method, "detail" if "{id}" in path else "list")] = set(operation["responses"])
    assert seen == expected


def test_v2_errors_are_documented_as_problem_json_and_v1_errors_are_not():
    """The service's errors follow the version; the gateway's own 413 is problem+json in both."""
    for version, media_type in (("v1", "application/json"), ("v2", "application/problem+json")):
        for path, method, operation in operations(schema.document_name("customers", version)):
            for status, response in operation["responses"].items():
                if status == "413":
                    assert list(response["content"]) == ["application/problem+json"], (version, method, path)
                elif status.startswith(("4", "5")):
                    assert list(response["content"]) == [media_type], (version, method, path, status)


def test_v1_documents_its_lifecycle_headers_and_v2_does_not():
    for version in schema.VERSIONS:
        for path, method, operation in operations(schema.document_name("customers", version)):
            for response in operation["responses"].values():
                assert ("Deprecation" in response.get("headers", {})) == (version == "v1"), (method, path)
