"""The API reference as a person sees it: headless Chromium loads /docs/ from the running fleet, Swagger UI
renders every operation of both services in both versions, no Content-Security-Policy violation, and a
screenshot is kept in var/artifacts/ (docs/api-reference.png is one, for the README)."""

import html
import re
import subprocess
import tempfile

import pytest

from devfleet.prereqs import TEST_PACKAGES, ensure_prerequisites
from devfleet.processes import find_binary

from conftest import ROOT
from openapi_compat import load

ARTIFACTS = ROOT / "var" / "artifacts"
DOCUMENTS = ROOT / "docs" / "openapi"
# MACHINE.md's flags for a headless Chromium as root in a container.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]
# Virtual time runs as fast as the page allows, waiting for its fetches: Swagger UI renders within it.
RENDER_BUDGET_MS = "15000"


@pytest.fixture(scope="module")
def chromium() -> str:
    ensure_prerequisites(TEST_PACKAGES)
    return find_binary("chromium")


def run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                              timeout=120)


def operations() -> list[tuple[str, str, str]]:
    """(document, method, summary) of every operation the four documents hold."""
    found = []
    for document in sorted(DOCUMENTS.glob("*-v[12].yaml")):
        for path, item in load(document)["paths"].items():
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    found.append((document.stem, method, operation["summary"]))
    return found


def test_the_page_shows_every_operation_of_both_services_in_both_versions(chromium, gateway):
    result = run_chromium(chromium, "--enable-logging=stderr", "--v=0", f"--virtual-time-budget={RENDER_BUDGET_MS}",
                          "--dump-dom", f"{gateway}/docs/")
    dom = result.stdout
    assert result.returncode == 0 and "</html>" in dom, result.stderr[-3000:]
    expected = operations()
    assert {document.split("-")[0] for document, _, _ in expected} == {"auth", "customers"}
    rendered = re.findall(r'class="opblock-summary-description"[^>]*>([^<]*)<', dom)
    missing = [f"{document} {method.upper()} {summary}" for document, method, summary in expected
               if html.escape(summary, quote=False) not in rendered]
    assert not missing, "not on the page:\n" + "\n".join(missing)
    assert len(rendered) == len(expected)  # one block per operation: each document rendered once
    for title in ("auth v2", "customers v2", "auth v1", "customers v1"):
        assert f">{title}</h2>" in dom
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not [line for line in console if "Content Security Policy" in line], "\n".join(console)


def test_a_screenshot_of_the_page_is_kept(chromium, gateway, capsys):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "api-reference.png"
    screenshot.unlink(missing_ok=True)
    result = run_chromium(chromium, "--window-size=1280,2700", f"--virtual-time-budget={RENDER_BUDGET_MS}",
                          f"--screenshot={screenshot}", f"{gateway}/docs/")
    assert result.returncode == 0, result.stderr[-3000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (1280, 2700)
    assert len(data) > 50_000, "a blank page compresses to almost nothing"
    with capsys.disabled():
        print(f"\nthe API reference as Chromium renders it: {screenshot}")
