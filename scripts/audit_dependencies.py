"""Audit the installed dependencies for known vulnerabilities with pip-audit.

Run it as `sh scripts/audit-dependencies` (with .venv's interpreter, or $ZHICHAN_AUDIT_PYTHON).
It audits every distribution installed in that environment except the editable project
itself, and tells three outcomes apart, which pip-audit alone does not (offline it skips every package,
prints "No known vulnerabilities found" and exits 0):

  0  every dependency was looked up and none has a known vulnerability (or only ignored ones);
     also when the service could not be consulted and ZHICHAN_AUDIT_REQUIRED is not 1: then
     a loud warning says that nothing was checked;
  1  a dependency has a known vulnerability that the ignore file does not list;
  2  the service could not be consulted for some or all dependencies and
     ZHICHAN_AUDIT_REQUIRED=1, or the ignore file is malformed.

The ignore file (scripts/audit-ignore.txt, or --ignore-file) has one vulnerability id a
line (PYSEC-…, GHSA-…, CVE-…, an alias counts) followed by the reason it does not apply; an
id without a reason is refused. Extra arguments after `--` go to pip-audit, e.g.
`-- --vulnerability-service osv` or `-- --index-url URL`. `--report FILE` reads a JSON report
pip-audit wrote before instead of running it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess  # nosec B404  # pip-audit runs as a child process with a fixed argv
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_IGNORE = HERE / "audit-ignore.txt"
OK, FOUND, UNCHECKED = 0, 1, 2
EDITABLE_REASON = "editable"


@dataclass
class Outcome:
    audited: list[str] = field(default_factory=list)  # "name version"
    unchecked: list[tuple[str, str]] = field(default_factory=list)  # (name version, why)
    found: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (name version, id, fixes)
    ignored: list[tuple[str, str, str]] = field(default_factory=list)  # (name version, id, reason)
    failure: str = ""  # pip-audit gave no report at all


def read_ignore_file(path: Path) -> dict[str, str]:
    """{id: reason}; ValueError naming the line when an id has no reason."""
    ignored: dict[str, str] = {}
    if not path.exists():
        return ignored
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _sep, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"{path}:{number}: {vuln_id} has no reason; write why it does not apply")
        ignored[vuln_id.strip().upper()] = reason.strip()
    return ignored


def classify(report: dict, ignored: dict[str, str]) -> Outcome:
    """What a pip-audit JSON report says, with the ignore list applied."""
    out = Outcome()
    for dep in report.get("dependencies", []):
        name = f"{dep.get('name')} {dep.get('version', '?')}"
        skip = dep.get("skip_reason")
        if skip:
            if EDITABLE_REASON not in skip:
                out.unchecked.append((name, skip))
            continue
        out.audited.append(name)
        for vuln in dep.get("vulns", []):
            ids = [str(vuln.get("id", "?")), *map(str, vuln.get("aliases", []))]
            reason = next((ignored[i.upper()] for i in ids if i.upper() in ignored), None)
            if reason is not None:
                out.ignored.append((name, ids[0], reason))
            else:
                out.found.append((name, " / ".join(ids), list(vuln.get("fix_versions", []))))
    return out


def run_pip_audit(extra: list[str]) -> tuple[dict | None, str]:
    """(report, "") or (None, why there is none)."""
    argv = [
        sys.executable,
        "-m",
        "pip_audit",
        "--skip-editable",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        *extra,
    ]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)  # nosec B603  # fixed argv, no shell
    except OSError as exc:
        return None, f"pip-audit could not be started: {exc}"
    try:
        return json.loads(done.stdout), ""
    except ValueError:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        if "No module named pip_audit" in done.stderr:
            return None, "pip-audit is not installed in this environment (pip install -e '.[dev]')"
        return None, f"pip-audit exited with {done.returncode}: " + (lines[-1] if lines else "no output")


def banner(text: str) -> str:
    bar = "!" * 78
    return f"{bar}\n{text}\n{bar}"


def report_outcome(out: Outcome, required: bool) -> int:
    def say(text=""):
        print(text, flush=True)

    if out.failure or not out.audited:
        why = out.failure or (
            f"none of the {len(out.unchecked)} dependencies could be looked up"
            + (f" (pip-audit: {out.unchecked[0][1]})" if out.unchecked else "")
        )
        say(
            banner(
                "DEPENDENCY AUDIT NOT DONE: the vulnerability service could not be consulted.\n"
                f"{why}\n"
                "This is NOT a pass: nothing was checked. Run it where PyPI's JSON API or\n"
                "api.osv.dev is reachable (see docs/security.md)."
            )
        )
        return UNCHECKED if required else OK
    for name, vuln_id, reason in out.ignored:
        say(f"ignored: {name}: {vuln_id} ({reason})")
    for name, vuln_id, fixes in out.found:
        say(f"VULNERABLE: {name}: {vuln_id}; fixed in: {', '.join(fixes) or 'no release yet'}")
    if out.unchecked:
        say(
            banner(
                f"DEPENDENCY AUDIT INCOMPLETE: {len(out.unchecked)} of "
                f"{len(out.unchecked) + len(out.audited)} dependencies could not be looked up:\n"
                + "\n".join(f"  {name}: {why}" for name, why in out.unchecked)
            )
        )
    if out.found:
        say(
            f"{len(out.found)} known vulnerabilit{'y' if len(out.found) == 1 else 'ies'} in "
            f"{len(out.audited)} audited dependencies; upgrade, or list the id with its reason in "
            "scripts/audit-ignore.txt."
        )
        return FOUND
    if out.unchecked:
        return UNCHECKED if required else OK
    say(f"No known vulnerabilities in {len(out.audited)} audited dependencies.")
    return OK


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:
        at = args.index("--")
        args, extra = args[:at], args[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--ignore-file", type=Path, default=DEFAULT_IGNORE)
    parser.add_argument("--report", type=Path, help="a pip-audit JSON report to read instead of running it")
    options = parser.parse_args(args)
    required = os.environ.get("ZHICHAN_AUDIT_REQUIRED", "") == "1"
    try:
        ignored = read_ignore_file(options.ignore_file)
    except ValueError as exc:
        print(f"audit-dependencies: {exc}", file=sys.stderr)
        return UNCHECKED
    if options.report:
        report, failure = json.loads(options.report.read_text(encoding="utf-8")), ""
    else:
        report, failure = run_pip_audit(extra)
    out = classify(report or {}, ignored)
    out.failure = failure
    return report_outcome(out, required)


if __name__ == "__main__":
    sys.exit(main())
