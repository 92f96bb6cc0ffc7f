"""checkov's Kubernetes checks on every rendered overlay: no failure, and every skip says why."""

import json
import re
import subprocess

from k8slib import K8S

CONFIG = K8S / ".checkov.yaml"


def test_every_skip_in_the_config_is_explained():
    lines = CONFIG.read_text().splitlines()
    skips = [i for i, line in enumerate(lines) if re.match(r"\s*- CKV", line)]
    assert skips, "expected the config to list its skipped checks"
    for i in skips:
        assert lines[i - 1].strip().startswith("#"), f"{lines[i].strip()} has no comment above it saying why"


def test_checkov_finds_nothing(overlay, checkov, tmp_path):
    (tmp_path / f"{overlay.name}.yaml").write_text(overlay.text)
    result = subprocess.run(
        [str(checkov), "--directory", str(tmp_path), "--config-file", str(CONFIG), "--skip-download",
         "--output", "json"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.stdout.strip(), result.stderr
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    [kubernetes] = [r for r in reports if r.get("check_type") == "kubernetes"]
    summary = kubernetes["summary"]
    failed = kubernetes["results"]["failed_checks"]
    skipped = kubernetes["results"]["skipped_checks"]
    print(f"checkov {overlay.name}: passed {summary['passed']}, failed {summary['failed']}, "
          f"skipped {summary['skipped']} (and {len(re.findall('- CKV', CONFIG.read_text()))} checks off in "
          f".checkov.yaml)")
    assert summary["passed"] > 100
    assert failed == [], "\n".join(f"{c['check_id']} {c['check_name']}: {c['resource']}" for c in failed)
    assert result.returncode == 0, result.stderr
    for check in skipped:  # per-resource skips: annotations `checkov.io/skipN: CHECK=reason`
        reason = check["check_result"].get("suppress_comment", "").strip()
        assert reason, f"{check['check_id']} on {check['resource']} has no reason"
        print(f"  skipped {check['check_id']} on {check['resource']}: {reason}")
