"""redocly lint, under the repository's ruleset (redocly.yaml, .redocly.lint-ignore.yaml), finds no problem,
not even a warning, in any committed OpenAPI document."""

import json
import os
import subprocess

from devfleet.prereqs import ensure_node_modules

import openapi_documents as schema

ROOT = schema.REPO_ROOT


def lint_reports(paths) -> list[dict]:
    """One JSON report per document (redocly prints them one after the other)."""
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    result = subprocess.run(["npx", "--offline", "redocly", "lint", "--format=json", *map(str, paths)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    decoder, text, reports = json.JSONDecoder(), result.stdout, []
    position = text.find("{")
    while position != -1:
        report, position = decoder.raw_decode(text, position)
        reports.append(report)
        position = text.find("{", position)
    assert len(reports) == len(paths), f"redocly printed {len(reports)} reports for {len(paths)} documents:\n" \
                                       f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return reports


def test_every_committed_document_lints_clean(capsys):
    ensure_node_modules(ROOT)
    paths = [schema.OUTPUT_DIR / schema.document_name(s, v) for s in schema.SERVICES for v in schema.VERSIONS]
    reports = lint_reports([p.relative_to(ROOT) for p in paths])
    with capsys.disabled():  # the counts show in make test's output, passing or not
        print()
        for path, report in zip(paths, reports):
            totals = report["totals"]
            print(f"redocly lint {path.name}: {totals['errors']} errors, {totals['warnings']} warnings, "
                  f"{totals['ignored']} ignored (.redocly.lint-ignore.yaml)")
    problems = [f"{path.name}: {p['severity']} {p['ruleId']}: {p['message']} "
                f"({p['location'][0]['pointer'] if p.get('location') else ''})"
                for path, report in zip(paths, reports) for p in report["problems"]]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
