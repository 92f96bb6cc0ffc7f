"""Breaking changes between two OpenAPI 3.0 documents: what a client of the old one would trip over.

Breaking: a removed (or renamed) path, operation, parameter, request or response field, request
or response media type, or response status; a changed type or format; a parameter, request body
or request field that becomes required; a request field or parameter that stops accepting null or
an enum value; a response field that may now be null or absent. Additions of any of these pass.

    python tools/openapi_compat.py OLD.yaml NEW.yaml    # prints each breaking change, exits 1 if any
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load(path: Path | str) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def breaking_changes(old: dict, new: dict) -> list[str]:
    """Every breaking change from `old` to `new`, one readable line each (empty: compatible)."""
    return _Comparison(old, new).run()


class _Comparison:
    def __init__(self, old: dict, new: dict):
        self.old, self.new = old, new
        self.problems: list[str] = []

    def run(self) -> list[str]:
        old_paths, new_paths = self.old.get("paths") or {}, self.new.get("paths") or {}
        for path, old_item in old_paths.items():
            if path not in new_paths:
                self.problems.append(f"path {path} removed")
                continue
            for method in METHODS:
                if method in old_item:
                    where = f"{method.upper()} {path}"
                    if method not in new_paths[path]:
                        self.problems.append(f"{where}: operation removed")
                        continue
                    self._operation(where, old_item, new_paths[path], method)
        return self.problems

    # --- operations ------------------------------------------------------------------------------
    def _operation(self, where: str, old_item: dict, new_item: dict, method: str) -> None:
        old_op, new_op = old_item[method], new_item[method]
        old_params = self._parameters(old_item, old_op, self.old)
        new_params = self._parameters(new_item, new_op, self.new)
        for key, old_param in old_params.items():
            name = f"{where}: {key[1]} parameter {key[0]!r}"
            new_param = new_params.get(key)
            if new_param is None:
                self.problems.append(f"{name} removed")
                continue
            if new_param.get("required") and not old_param.get("required"):
                self.problems.append(f"{name} became required")
            self._schema(name, old_param.get("schema") or {}, new_param.get("schema") or {}, "request")
        for key, new_param in new_params.items():
            if key not in old_params and new_param.get("required"):
                self.problems.append(f"{where}: new required {key[1]} parameter {key[0]!r}")
        self._request_body(where, old_op.get("requestBody"), new_op.get("requestBody"))
        self._responses(where, old_op.get("responses") or {}, new_op.get("responses") or {})

    def _parameters(self, item: dict, operation: dict, document: dict) -> dict:
        merged = {}
        for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = _resolve(parameter, document)
            merged[(parameter["name"], parameter["in"])] = parameter
        return merged

    def _request_body(self, where: str, old: dict | None, new: dict | None) -> None:
        old, new = _resolve(old or {}, self.old), _resolve(new or {}, self.new)
        if not old:
            if new.get("required"):
                self.problems.append(f"{where}: a request body became required")
            return
        if not new:
            self.problems.append(f"{where}: request body removed")
            return
        if new.get("required") and not old.get("required"):
            self.problems.append(f"{where}: the request body became required")
        for media_type, old_media in (old.get("content") or {}).items():
            new_media = (new.get("content") or {}).get(media_type)
            if new_media is None:
                self.problems.append(f"{where}: request media type {media_type} no longer accepted")
                continue
            self._schema(f"{where}: request body", old_media.get("schema") or {}, new_media.get("schema") or {},
                         "request")

    def _responses(self, where: str, old: dict, new: dict) -> None:
        for status, old_response in old.items():
            if status not in new:
                self.problems.append(f"{where}: response {status} removed")
                continue
            old_response, new_response = _resolve(old_response, self.old), _resolve(new[status], self.new)
            for media_type, old_media in (old_response.get("content") or {}).items():
                new_media = (new_response.get("content") or {}).get(media_type)
                if new_media is None:
                    self.problems.append(f"{where}: response {status} no longer sends {media_type}")
                    continue
                self._schema(f"{where}: response {status}", old_media.get("schema") or {},
                             new_media.get("schema") or {}, "response")

    # --- schemas -----------------------------------------------------------------------------------
    def _schema(self, where: str, old: dict, new: dict, direction: str, seen: set | None = None) -> None:
        seen = seen if seen is not None else set()
        marker = (id(old), id(new))
        if marker in seen:
            return
        seen.add(marker)
        old, new = _flatten(old, self.old), _flatten(new, self.new)
        for attribute in ("type", "format"):
            if old.get(attribute) != new.get(attribute) and (old.get(attribute) or new.get(attribute)):
                if old.get(attribute) is None and direction == "request":
                    continue  # an unconstrained input that gains a type is a documentation change
                self.problems.append(f"{where}: {attribute} changed from {old.get(attribute)} to {new.get(attribute)}")
                return
        if direction == "request" and old.get("nullable") and not new.get("nullable"):
            self.problems.append(f"{where}: no longer accepts null")
        if direction == "response" and new.get("nullable") and not old.get("nullable"):
            self.problems.append(f"{where}: may now be null")
        if direction == "request" and old.get("enum") and new.get("enum") is not None:
            for value in old["enum"]:
                if value not in new["enum"]:
                    self.problems.append(f"{where}: no longer accepts {value!r}")
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        for name, old_prop in old_props.items():
            if name not in new_props:
                self.problems.append(f"{where}: field {name!r} removed")
                continue
            self._schema(f"{where}.{name}", old_prop, new_props[name], direction, seen)
        if direction == "request":
            for name in sorted(set(new.get("required") or []) - set(old.get("required") or [])):
                self.problems.append(f"{where}: field {name!r} became required")
        else:
            for name in sorted(set(old.get("required") or []) - set(new.get("required") or [])):
                if name in new_props:
                    self.problems.append(f"{where}: field {name!r} may now be absent")
        if "items" in old:
            self._schema(f"{where}[]", old["items"], new.get("items") or {}, direction, seen)


def _resolve(node: dict, document: dict) -> dict:
    """Follow a local `$ref` (#/components/...) to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _flatten(schema: dict, document: dict) -> dict:
    """Resolve refs and merge `allOf` parts (drf-spectacular wraps nullable refs in one)."""
    schema = dict(_resolve(schema, document))
    parts = schema.pop("allOf", None)
    if parts:
        merged: dict = {}
        for part in parts:
            part = _flatten(part, document)
            merged.setdefault("properties", {}).update(part.get("properties") or {})
            merged["required"] = [*(merged.get("required") or []), *(part.get("required") or [])]
            merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
        merged.update({k: v for k, v in schema.items() if k not in ("properties", "required")})
        if not merged.get("properties"):
            merged.pop("properties", None)
        schema = merged
    return schema


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = breaking_changes(load(args[0]), load(args[1]))
    for problem in problems:
        print(f"breaking: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
