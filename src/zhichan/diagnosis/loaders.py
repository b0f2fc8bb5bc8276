"""Load the risk-diagnosis questionnaire from YAML (format: docs/diagnosis.md).

The whole file is checked first: every problem is reported with its line and path (e.g.
`sections[brand].questions[mark_owner].choices[x].findings: unknown finding 'y'`) and nothing
is saved. Findings must name catalogue items and statute articles that exist. An unchanged file
changes nothing; a changed one becomes the next version, and diagnoses keep the version they used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from django.db import transaction

from zhichan.catalog.models import ServiceItem
from zhichan.core.dataload import DataFileError, LineError, LoadResult
from zhichan.diagnosis.models import Questionnaire
from zhichan.diagnosis.questionnaire import validate_definition
from zhichan.knowledge.loaders import article_lookup


def _lines(node, path="", out=None) -> dict[str, int]:
    """Each path of the document (as validate_definition names them) to its line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            out[sub] = key_node.start_mark.line + 1
            _lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            label = str(i + 1)
            if isinstance(item, yaml.MappingNode):
                for key_node, value in item.value:
                    if key_node.value == "key" and isinstance(value, yaml.ScalarNode) and value.value:
                        label = str(value.value)
            for name in {str(i + 1), label}:
                _lines(item, f"{path}[{name}]", out)
    return out


def line_of(lines: dict[str, int], path: str) -> int:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return 0


# libyaml's parser when PyYAML has it: ten times faster on a questionnaire of this size.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(path) -> tuple[object, dict[str, int]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader  # nosec B506  # SAFE_LOADER is yaml.CSafeLoader or yaml.SafeLoader
        root = yaml.compose(text, Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    return data, (_lines(root) if root is not None else {})


def check_file(path) -> dict:
    """The definition of a questionnaire file, or DataFileError listing every problem by line."""
    data, lines = read(path)
    checked = validate_definition(
        data,
        service_codes=set(ServiceItem.objects.values_list("code", flat=True)),
        article_refs=set(article_lookup()),
    )
    if checked.problems:
        raise DataFileError(
            path, [LineError(line_of(lines, p.path), p.path, p.message) for p in checked.problems]
        )
    return checked.definition


def digest(definition: dict) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_questionnaire(path) -> LoadResult:
    definition = check_file(path)
    result = LoadResult()
    code = definition["code"]
    with transaction.atomic():
        versions = Questionnaire.objects.select_for_update().filter(code=code)
        latest = versions.order_by("-version").first()
        fingerprint = digest(definition)
        if latest is not None and latest.digest == fingerprint:
            if not latest.active:
                latest.active = True
                latest.save(update_fields=["active"])
                result.updated += 1
            else:
                result.unchanged += 1
        else:
            versions.update(active=False)
            Questionnaire.objects.create(
                code=code,
                version=(latest.version + 1) if latest else 1,
                title=definition["title"],
                definition=definition,
                digest=fingerprint,
                active=True,
            )
            if latest is None:
                result.created += 1
            else:
                result.updated += 1
        # One questionnaire is in use at a time: the one this file defines.
        Questionnaire.objects.exclude(code=code).filter(active=True).update(active=False)
    return result
