"""v2's PATCH also takes RFC 7396 merge patches: null removes (blanks) an optional field."""

import pytest

from customers.models import Customer

from .helpers import create, detail_url

pytestmark = pytest.mark.django_db
MERGE = "application/merge-patch+json"


def merge_patch(client, url, body: str, **headers):
    return client.generic("PATCH", url, body, content_type=MERGE, **headers)


def test_null_blanks_an_optional_field_and_other_members_change(alice):
    url = detail_url(create(alice, "v2").json()["id"], "v2")
    response = merge_patch(alice, url, '{"company": null, "name": "Ada King"}')
    assert response.status_code == 200
    assert (response.json()["company"], response.json()["name"], response.json()["phone"]) == ("", "Ada King", "+44 20 1234")
    assert Customer.objects.get().company == ""


@pytest.mark.parametrize("content_type", ["Application/Merge-Patch+JSON", "application/merge-patch+json; charset=utf-8"])
def test_the_media_type_is_matched_ignoring_case_and_parameters(alice, content_type):
    url = detail_url(create(alice, "v2").json()["id"], "v2")
    response = alice.generic("PATCH", url, '{"phone": null}', content_type=content_type)
    assert response.status_code == 200 and response.json()["phone"] == ""


def test_null_for_a_required_field_is_a_400_field_error(alice):
    url = detail_url(create(alice, "v2").json()["id"], "v2")
    response = merge_patch(alice, url, '{"name": null}')
    assert response.status_code == 400 and "name" in response.json()["errors"]


def test_a_merge_patch_must_be_an_object(alice):
    url = detail_url(create(alice, "v2").json()["id"], "v2")
    assert merge_patch(alice, url, '["name"]').status_code == 400


def test_a_merge_patch_honours_if_match(alice):
    created = create(alice, "v2").json()
    url = detail_url(created["id"], "v2")
    assert merge_patch(alice, url, '{"phone": null}', HTTP_IF_MATCH='"stale"').status_code == 412


@pytest.mark.parametrize("version, method", [("v1", "PATCH"), ("v2", "PUT")])
def test_merge_patches_are_v2_patch_only_elsewhere_415(alice, version, method):
    url = detail_url(create(alice).json()["id"], version)
    response = alice.generic(method, url, '{"company": null}', content_type=MERGE)
    assert response.status_code == 415
