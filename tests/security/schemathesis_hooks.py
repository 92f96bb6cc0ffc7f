"""schemathesis hooks for the fuzzing run (`SCHEMATHESIS_HOOKS`): keep the suite's own identities intact, and
accept exactly the rejections of schema-valid requests that depend on server state no schema can describe.

Every other failure counts. Each accepted rejection is counted by reason in `FUZZ_ACCEPTED_FILE` (one JSON
line each), and the suite prints the counts, so nothing is waved through unseen.
"""

import json
import os

import schemathesis

#: The fuzzing identities (user ids): no fuzzed admin request may change or delete them mid-run.
PROTECTED_IDS = set(filter(None, os.environ.get("FUZZ_PROTECTED_IDS", "").split(",")))
ACCEPTED_FILE = os.environ.get("FUZZ_ACCEPTED_FILE")

# Messages of rejections that depend on state, not on the shape of the request.
DUPLICATE_EMAIL = "A customer with this email already exists."
INVALID_CURSOR = "Invalid cursor."
USERNAME_TAKEN = "A user with that username already exists."
WRONG_CURRENT_PASSWORD = "The current password is not correct."
#: Django's password validators (AUTH_PASSWORD_VALIDATORS): a policy on values, beside the schema.
PASSWORD_POLICY = ("This password is too short", "This password is too common", "This password is entirely numeric",
                   "The password is too similar to")
#: A group named in PATCH users/{id}/ that does not exist (groups are data, not an enum).
UNKNOWN_GROUP = "does not exist."


@schemathesis.hook
def filter_case(context, case):
    """PATCH or DELETE of a fuzzing identity's own account would end the run's authentication."""
    if case.method.upper() in ("PATCH", "DELETE") and "/users/" in case.operation.path:
        return str((case.path_parameters or {}).get("id")) not in PROTECTED_IDS
    return True


def _field_errors(response) -> dict | None:
    """The field errors of a 400 in either version's shape (v1: DRF's dict, v2: problem+json's `errors`)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if body.get("status") == 400 and isinstance(body.get("errors"), dict):
        return body["errors"]
    return body


def _state_dependent(response, case) -> str | None:
    """Why a rejected schema-valid request was rightly rejected, or None if it was not."""
    status, path = response.status_code, case.operation.path
    if status == 412:
        return "If-Match names a version that is not (or no longer) current"
    if status == 422 and path.endswith("/customers/"):
        return "Idempotency-Key already used with another body"
    if status == 400 and path.endswith("/oauth/token/"):
        body = json.loads(response.content or b"{}")
        if body.get("error") == "invalid_scope":
            return "scope the client may not have"
    if status != 400:
        return None
    errors = _field_errors(response)
    if not errors:
        return None
    reasons = set()
    for field, messages in errors.items():
        messages = messages if isinstance(messages, list) else [messages]
        for message in map(str, messages):
            if field == "email" and message == DUPLICATE_EMAIL:
                reasons.add("email already used by another of the owner's customers")
            elif field == "cursor" and message == INVALID_CURSOR:
                reasons.add("cursor not issued by the server")
            elif field == "username" and message == USERNAME_TAKEN:
                reasons.add("username already taken")
            elif field == "current_password" and message == WRONG_CURRENT_PASSWORD:
                reasons.add("current password not the account's")
            elif field in ("password", "new_password") and message.startswith(PASSWORD_POLICY):
                reasons.add("password refused by the password policy")
            elif field == "groups" and message.endswith(UNKNOWN_GROUP):
                reasons.add("group that does not exist")
            else:
                return None
    return " + ".join(sorted(reasons))


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Drop (and count) only a positive-data rejection whose every reason is state-dependent."""
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    reason = _state_dependent(response, case)
    if reason is None:
        return True
    if ACCEPTED_FILE:
        with open(ACCEPTED_FILE, "a") as handle:
            handle.write(json.dumps({"operation": case.operation.label, "status": response.status_code,
                                     "reason": reason}) + "\n")
    return False
