"""Strings are strings: a number or a boolean where the schema says string is a 400, never coerced."""

import pytest

from fleet_common.uuid7 import uuid7

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["name", "email", "phone", "company"])
@pytest.mark.parametrize("value", [42, 4.2, True, False, ["a"], {"a": 1}])
def test_a_string_field_refuses_other_json_types(alice, field, value):
    response = create(alice, "v2", **{field: value})
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_patch_refuses_a_number_for_a_string_too(alice):
    url = detail_url(create(alice).json()["id"])
    assert alice.patch(url, {"company": 7}, format="json").status_code == 400


def test_a_body_that_is_not_an_object_is_400(alice):
    assert alice.post("/v1/customers/", [1, 2], format="json").status_code == 400


def test_uuid7_ids_are_strictly_increasing_within_a_process():
    ids = [uuid7() for _ in range(10_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and all(i.version == 7 for i in ids)
