"""Every environment variable a service reads is in the README's table, and the table lists no ghost."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("services/*/config/*.py"), *ROOT.glob("packages/fleet_common/fleet_common/*.py")]
READ = re.compile(r'(?:env\.[a-z]+|required)\((?:env, )?"([A-Z0-9_]+)"|os\.environ(?:\.get)?[\[(]"([A-Z0-9_]+)"')
NOT_IN_CODE = {"DJANGO_SETTINGS_MODULE"}  # read by Django itself (manage.py, wsgi.py)


SCOPES = re.compile(r"throttling\(env, scopes=\{(.*?)\}", re.S)


def variables_read() -> set[str]:
    """Names passed to env readers, plus THROTTLE_RATE_<SCOPE> for each throttle scope a service declares."""
    found = set()
    for path in SOURCES:
        text = path.read_text()
        found |= {match.group(1) or match.group(2) for match in READ.finditer(text)}
        for scopes in SCOPES.findall(text):
            found |= {"THROTTLE_RATE_" + scope.upper().replace("-", "_") for scope in re.findall(r'"([a-z-]+)":', scopes)}
    return found


def rows_documented() -> list[str]:
    """The names in the first cell of each row of the README's table, one entry per row and name."""
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("### Every environment variable"):readme.index("The gateway image reads")]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return [name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)]


def variables_documented() -> set[str]:
    return set(rows_documented())


def test_every_variable_read_is_documented():
    assert variables_read() - variables_documented() == set()


def test_the_table_documents_only_variables_that_are_read():
    assert variables_documented() - variables_read() - NOT_IN_CODE == set()


def test_each_variable_has_one_row():
    names = rows_documented()
    assert sorted({name for name in names if names.count(name) > 1}) == []
