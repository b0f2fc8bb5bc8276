"""scripts/audit_dependencies.py: a report that checked nothing is never taken for a pass."""

import json
import subprocess

from scripts import audit_dependencies as audit

EDITABLE = {"name": "zhichan", "skip_reason": "distribution marked as editable"}
NOT_FOUND = "Dependency not found on PyPI and could not be audited: django (5.2.19)"
VULN = {
    "id": "PYSEC-2099-1",
    "fix_versions": ["5.2.99"],
    "aliases": ["CVE-2099-0001", "GHSA-xxxx-yyyy-zzzz"],
    "description": "made up",
}


def run(tmp_path, monkeypatch, report, *, required=False, ignore=""):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    ignore_file = tmp_path / "ignore.txt"
    ignore_file.write_text(ignore, encoding="utf-8")
    if required:
        monkeypatch.setenv("ZHICHAN_AUDIT_REQUIRED", "1")
    else:
        monkeypatch.delenv("ZHICHAN_AUDIT_REQUIRED", raising=False)
    return audit.main(["--report", str(path), "--ignore-file", str(ignore_file)])


def deps(*entries):
    return {"dependencies": [EDITABLE, *entries], "fixes": []}


def test_clean_report_passes(tmp_path, monkeypatch, capsys):
    report = deps({"name": "django", "version": "5.2.19", "vulns": []})
    assert run(tmp_path, monkeypatch, report, required=True) == audit.OK
    assert "No known vulnerabilities in 1 audited dependencies." in capsys.readouterr().out


def test_every_dependency_skipped_is_not_a_pass(tmp_path, monkeypatch, capsys):
    # What pip-audit answers when PyPI's JSON API is out of reach: all skipped, exit 0.
    report = deps({"name": "django", "version": "5.2.19", "skip_reason": NOT_FOUND})
    assert run(tmp_path, monkeypatch, report) == audit.OK
    out = capsys.readouterr().out
    assert "DEPENDENCY AUDIT NOT DONE" in out
    assert "NOT a pass" in out
    assert "No known vulnerabilities" not in out
    assert run(tmp_path, monkeypatch, report, required=True) == audit.UNCHECKED


def test_some_dependencies_skipped_is_incomplete(tmp_path, monkeypatch, capsys):
    report = deps(
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "private-lib", "version": "1.0", "skip_reason": "Dependency not found on PyPI"},
    )
    assert run(tmp_path, monkeypatch, report) == audit.OK
    out = capsys.readouterr().out
    assert "DEPENDENCY AUDIT INCOMPLETE: 1 of 2" in out
    assert "private-lib 1.0" in out
    assert run(tmp_path, monkeypatch, report, required=True) == audit.UNCHECKED


def test_finding_fails_with_its_fix(tmp_path, monkeypatch, capsys):
    report = deps({"name": "django", "version": "5.2.19", "vulns": [VULN]})
    assert run(tmp_path, monkeypatch, report) == audit.FOUND
    out = capsys.readouterr().out
    assert "VULNERABLE: django 5.2.19: PYSEC-2099-1" in out
    assert "fixed in: 5.2.99" in out


def test_finding_listed_by_an_alias_with_a_reason_passes(tmp_path, monkeypatch, capsys):
    report = deps({"name": "django", "version": "5.2.19", "vulns": [VULN]})
    ignore = "# comment\n\ncve-2099-0001 only the admin's unused feature X is affected\n"
    assert run(tmp_path, monkeypatch, report, required=True, ignore=ignore) == audit.OK
    out = capsys.readouterr().out
    assert "ignored: django 5.2.19: PYSEC-2099-1 (only the admin's unused feature X is affected)" in out


def test_ignore_entry_without_reason_is_refused(tmp_path, monkeypatch, capsys):
    report = deps({"name": "django", "version": "5.2.19", "vulns": [VULN]})
    assert run(tmp_path, monkeypatch, report, ignore="PYSEC-2099-1\n") == audit.UNCHECKED
    assert "PYSEC-2099-1 has no reason" in capsys.readouterr().err


def test_pip_audit_crash_is_reported_as_not_done(monkeypatch, capsys):
    # pip-audit with OSV out of reach: a traceback on stderr and no report.
    def fake_run(argv, **kwargs):
        assert "--skip-editable" in argv and "--vulnerability-service" in argv
        return subprocess.CompletedProcess(argv, 1, "", "Traceback ...\nConnectionError: api.osv.dev\n")

    monkeypatch.setattr(audit.subprocess, "run", fake_run)
    monkeypatch.setenv("ZHICHAN_AUDIT_REQUIRED", "1")
    assert audit.main(["--", "--vulnerability-service", "osv"]) == audit.UNCHECKED
    out = capsys.readouterr().out
    assert "DEPENDENCY AUDIT NOT DONE" in out
    assert "ConnectionError: api.osv.dev" in out


def test_shipped_ignore_file_is_valid():
    # read_ignore_file raises on an id without a reason.
    assert audit.DEFAULT_IGNORE.exists()
    audit.read_ignore_file(audit.DEFAULT_IGNORE)
