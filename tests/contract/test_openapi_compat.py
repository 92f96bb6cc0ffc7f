"""The comparator itself, on tiny synthetic documents: each kind of breaking change is caught, additions pass."""

import copy

import pytest

from openapi_compat import breaking_changes

BASE = {
    "openapi": "3.0.3",
    "paths": {
        "/v1/things/": {
            "get": {
                "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}},
                              "401": {"content": {"application/json": {"schema": {"type": "object"}}}}},
            },
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/ThingRequest"}}}, "required": True},
                "responses": {"201": {"content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Thing"}}}}},
            },
        },
        "/v1/things/{id}/": {"delete": {"parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
            "responses": {"204": {"description": "gone"}}}},
    },
    "components": {"schemas": {
        "Thing": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
            "size": {"type": "integer"}, "kind": {"type": "string", "enum": ["a", "b"]}}},
        "ThingRequest": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "size": {"type": "integer", "nullable": True},
            "kind": {"type": "string", "enum": ["a", "b"]}}},
    }},
}


def changed(edit) -> list[str]:
    new = copy.deepcopy(BASE)
    edit(new)
    return breaking_changes(BASE, new)


def schemas(doc):
    return doc["components"]["schemas"]


def get_op(doc):
    return doc["paths"]["/v1/things/"]["get"]


BREAKING = {
    "a removed path": lambda d: d["paths"].pop("/v1/things/{id}/"),
    "a renamed path": lambda d: d["paths"].__setitem__("/v1/items/{id}/", d["paths"].pop("/v1/things/{id}/")),
    "a removed operation": lambda d: d["paths"]["/v1/things/"].pop("post"),
    "a removed parameter": lambda d: get_op(d).pop("parameters"),
    "a renamed parameter": lambda d: get_op(d)["parameters"][0].__setitem__("name", "p"),
    "a parameter's type changed": lambda d: get_op(d)["parameters"][0].__setitem__("schema", {"type": "string"}),
    "a parameter became required": lambda d: get_op(d)["parameters"][0].__setitem__("required", True),
    "a new required parameter": lambda d: get_op(d)["parameters"].append(
        {"name": "tenant", "in": "header", "required": True, "schema": {"type": "string"}}),
    "a removed response field": lambda d: schemas(d)["Thing"]["properties"].pop("size"),
    "a renamed response field": lambda d: schemas(d)["Thing"]["properties"].__setitem__(
        "length", schemas(d)["Thing"]["properties"].pop("size")),
    "a response field's type changed": lambda d: schemas(d)["Thing"]["properties"]["size"].__setitem__(
        "type", "string"),
    "a response field's format changed": lambda d: schemas(d)["Thing"]["properties"]["id"].__setitem__(
        "format", "uri"),
    "a response field may be null": lambda d: schemas(d)["Thing"]["properties"]["name"].__setitem__(
        "nullable", True),
    "a response field may be absent": lambda d: schemas(d)["Thing"]["required"].remove("name"),
    "a removed request field": lambda d: schemas(d)["ThingRequest"]["properties"].pop("kind"),
    "a request field's type changed": lambda d: schemas(d)["ThingRequest"]["properties"]["name"].__setitem__(
        "type", "integer"),
    "a newly required request field": lambda d: schemas(d)["ThingRequest"]["required"].append("size"),
    "a request field no longer nullable": lambda d: schemas(d)["ThingRequest"]["properties"]["size"].pop(
        "nullable"),
    "a request enum value removed": lambda d: schemas(d)["ThingRequest"]["properties"]["kind"].__setitem__(
        "enum", ["a"]),
    "a removed response status": lambda d: get_op(d)["responses"].pop("401"),
    "a removed success status": lambda d: d["paths"]["/v1/things/{id}/"]["delete"]["responses"].__setitem__(
        "200", d["paths"]["/v1/things/{id}/"]["delete"]["responses"].pop("204")),
    "a removed response media type": lambda d: get_op(d)["responses"]["200"].__setitem__(
        "content", {"application/xml": get_op(d)["responses"]["200"]["content"]["application/json"]}),
    "a removed request media type": lambda d: d["paths"]["/v1/things/"]["post"]["requestBody"].__setitem__(
        "content", {"text/plain": {"schema": {"type": "string"}}}),
    "an array's items changed": lambda d: get_op(d)["responses"]["200"]["content"]["application/json"][
        "schema"].__setitem__("items", {"type": "string"}),
}

ADDITIVE = {
    "a new path": lambda d: d["paths"].__setitem__("/v1/other/", {"get": {"responses": {"200": {}}}}),
    "a new operation": lambda d: d["paths"]["/v1/things/{id}/"].__setitem__("get", {"responses": {"200": {}}}),
    "a new optional parameter": lambda d: get_op(d)["parameters"].append(
        {"name": "search", "in": "query", "schema": {"type": "string"}}),
    "a new response field": lambda d: schemas(d)["Thing"]["properties"].__setitem__("color", {"type": "string"}),
    "a new optional request field": lambda d: schemas(d)["ThingRequest"]["properties"].__setitem__(
        "color", {"type": "string"}),
    "a new response status": lambda d: get_op(d)["responses"].__setitem__("429", {"description": "slow down"}),
    "a new request media type": lambda d: d["paths"]["/v1/things/"]["post"]["requestBody"]["content"].__setitem__(
        "application/merge-patch+json", {"schema": {"type": "object"}}),
    "a new request enum value": lambda d: schemas(d)["ThingRequest"]["properties"]["kind"]["enum"].append("c"),
    "a parameter gains a maximum": lambda d: get_op(d)["parameters"][0]["schema"].__setitem__("maximum", 100),
    "new descriptions and headers": lambda d: get_op(d)["responses"]["200"].update(
        {"description": "the things", "headers": {"Deprecation": {"schema": {"type": "string"}}}}),
}


@pytest.mark.parametrize("kind", BREAKING)
def test_each_kind_of_breaking_change_is_caught(kind):
    assert changed(BREAKING[kind]), kind


@pytest.mark.parametrize("kind", ADDITIVE)
def test_additions_pass(kind):
    assert changed(ADDITIVE[kind]) == []


def test_an_unchanged_document_is_compatible():
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_a_nullable_ref_wrapped_in_all_of_is_followed():
    def wrap(d):
        d["components"]["schemas"]["Thing"]["properties"]["owner"] = {"allOf": [{"$ref": "#/components/schemas/Thing"}]}
    old = copy.deepcopy(BASE)
    wrap(old)
    new = copy.deepcopy(old)
    schemas(new)["Thing"]["properties"].pop("size")
    problems = breaking_changes(old, new)
    assert any("'size' removed" in p for p in problems)
