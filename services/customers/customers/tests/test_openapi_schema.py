import pytest

from fleet_testing import generate_schema


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_schema_generates_without_warnings(version, tmp_path):
    assert f"/{version}/customers/{{id}}/" in generate_schema(version, tmp_path)
