"""Test helpers both services use (importable only where pytest is installed)."""

from django.core.management import call_command


def generate_schema(version: str, tmp_path) -> str:
    """Generate one version's OpenAPI document; any drf-spectacular warning or error fails."""
    path = tmp_path / f"schema-{version}.yaml"
    call_command("spectacular", "--api-version", version, "--fail-on-warn", "--validate", "--file", str(path))
    return path.read_text()
