"""Load the knowledge base from data files: statutes (Markdown, split into articles), policies and Q&A.

Every file is checked in full first; any error names its line and field and saves nothing.
Reloading the same files changes nothing (LoadResult counts unchanged rows). Formats: docs/knowledge.md.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from zhichan.catalog.models import ServiceItem
from zhichan.core.dataload import DataFileError, LineError, LoadResult, save_if_changed
from zhichan.knowledge.models import Article, Law, LawStatus, Policy, QAItem, Tag
from zhichan.regions.models import Region

DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
ARTICLE_RE = re.compile(r"^(第([零一二三四五六七八九十百千]+)条)(?:\s+|$)(.*)$")


def chinese_number(text: str) -> int:
    """第一百一十五条 -> 115: the numerals statutes use for their articles."""
    total, digit = 0, 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {ch}")
    return total + digit


@dataclass
class ParsedLaw:
    title: str = ""
    preamble: str = ""
    articles: list[dict] = field(default_factory=list)


def parse_law(path: Path) -> ParsedLaw:
    """Split a statute in Markdown into articles: `# title`, notes up to `<!-- INFO END -->`,
    `##` chapters, `###` sections, and paragraphs of which those starting 第…条 open an article."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    law = ParsedLaw()
    errors: list[LineError] = []
    chapter = ""
    in_info = "<!-- INFO END -->" in "\n".join(lines)
    preamble: list[str] = []
    current = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# ") and not law.title:
            law.title = line[2:].strip()
            continue
        if in_info:
            if line == "<!-- INFO END -->":
                in_info = False
            else:
                preamble.append(line)
            continue
        if line.startswith("## "):
            chapter = re.sub(r"\s+", " ", line[3:].strip())
            current = None
            continue
        if line.startswith("#"):
            continue  # sections (节) sit inside chapters; articles keep their chapter
        match = ARTICLE_RE.match(line)
        if match:
            ordinal = chinese_number(match.group(2))
            if law.articles and ordinal <= law.articles[-1]["ordinal"]:
                errors.append(LineError(number, "article", f"{match.group(1)} out of order"))
            current = {
                "number": match.group(1),
                "ordinal": ordinal,
                "chapter": chapter,
                "text": match.group(3).strip(),
                "line": number,
            }
            law.articles.append(current)
        elif current is not None:
            current["text"] += "\n" + line
        else:
            preamble.append(line)
    law.preamble = "\n".join(preamble)
    if not law.title:
        errors.append(LineError(1, "title", "missing: the file must start with '# title'"))
    if not law.articles:
        errors.append(LineError(0, "articles", "no article (第…条) found"))
    for article in law.articles:
        if not article["text"]:
            errors.append(LineError(article["line"], article["number"], "article has no text"))
    if errors:
        raise DataFileError(path, errors)
    return law


class _Loader(yaml.SafeLoader):
    """Dates stay text, so a bad one is reported at its field instead of failing the whole file."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml_list(path: Path) -> tuple[list, list[int]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass  # nosec B506  # _Loader subclasses yaml.SafeLoader
        root = yaml.compose(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    if not isinstance(data, list):
        raise DataFileError(path, [LineError(0, "", "the file must be a YAML list")])
    return data, [node.start_mark.line + 1 for node in root.value]


def _date(value, fail, name):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        fail(name, f"not a date (YYYY-MM-DD): {value}")
        return None


def _text(entry, name, fail, required=True, max_length=None):
    value = entry.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        fail(name, "required")
    if max_length and len(value) > max_length:
        fail(name, f"longer than {max_length} characters")
    return value


LAW_KEYS = {"file", "short_name", "issuing_body", "document_number", "issued_on", "effective_on", "status"}


def load_laws(folder) -> LoadResult:
    """The statutes a folder's laws.yaml lists, each file split into articles."""
    folder = Path(folder)
    manifest = folder / "laws.yaml"
    entries, lines = _read_yaml_list(manifest)
    errors: list[LineError] = []
    parsed = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = lines[index]
        if not isinstance(entry, dict):
            errors.append(LineError(line, f"entry {index + 1}", "must be a mapping"))
            continue

        def fail(name, message, line=line):
            errors.append(LineError(line, name, message))

        unknown = sorted(set(entry) - LAW_KEYS)
        if unknown:
            fail(", ".join(unknown), "unknown key(s)")
        short = _text(entry, "short_name", fail, max_length=60)
        if short in seen:
            fail("short_name", f"already on line {seen[short]}")
        seen[short] = line
        status = entry.get("status") or LawStatus.IN_FORCE
        if status not in LawStatus.values:
            fail("status", f"must be one of {', '.join(LawStatus.values)}")
        values = {
            "issuing_body": _text(entry, "issuing_body", fail, required=False, max_length=200),
            "document_number": _text(entry, "document_number", fail, required=False, max_length=100),
            "issued_on": _date(entry.get("issued_on"), fail, "issued_on"),
            "effective_on": _date(entry.get("effective_on"), fail, "effective_on"),
            "status": status,
        }
        name = _text(entry, "file", fail)
        if not name:
            continue
        path = folder / name
        if not path.is_file():
            fail("file", f"no such file: {name}")
            continue
        try:
            law = parse_law(path)
        except DataFileError as exc:
            errors.extend(
                LineError(e.line, f"{name}: {e.field}" if e.field else name, e.message) for e in exc.errors
            )
            continue
        values.update(title=law.title, preamble=law.preamble, source_file=name)
        parsed.append((short, values, law.articles))
    if errors:
        raise DataFileError(manifest, errors)

    result = LoadResult()
    with transaction.atomic():
        for short, values, articles in parsed:
            law = save_if_changed(Law, {"short_name": short}, values, result)
            keep = []
            for a in articles:
                save_if_changed(
                    Article,
                    {"law": law, "ordinal": a["ordinal"]},
                    {"number": a["number"], "chapter": a["chapter"], "text": a["text"]},
                    result,
                )
                keep.append(a["ordinal"])
            gone = Article.objects.filter(law=law).exclude(ordinal__in=keep)
            result.updated += gone.count()
            gone.delete()
    return result


def _tags(names) -> list[Tag]:
    return [Tag.objects.get_or_create(name=str(n).strip())[0] for n in names]


def _set_m2m(obj, name, wanted, result_changed: list):
    manager = getattr(obj, name)
    if set(manager.values_list("pk", flat=True)) != {o.pk for o in wanted}:
        manager.set(wanted)
        result_changed.append(name)


def _tag_list(entry, fail):
    tags = entry.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 40 for t in tags):
        fail("tags", "must be a list of names of 1-40 characters")
        return []
    return tags


def _save_with_m2m(model, key, values, m2m: dict, result: LoadResult):
    """save_if_changed plus many-to-many fields: a changed tag or reference counts as an update."""
    before = LoadResult()
    obj = save_if_changed(model, {"key": key}, values, before)
    changed: list[str] = []
    for name, wanted in m2m.items():
        _set_m2m(obj, name, wanted, changed)
    if before.created:
        result.created += 1
    elif before.updated or changed:
        result.updated += 1
    else:
        result.unchanged += 1
    return obj


POLICY_KEYS = {
    "key",
    "title",
    "issuing_body",
    "document_number",
    "issued_on",
    "status",
    "summary",
    "tags",
    "text",
    "region",
    "published",
}


def load_policies(path) -> LoadResult:
    entries, lines = _read_yaml_list(path)
    regions = dict(Region.objects.values_list("code", "pk"))
    errors: list[LineError] = []
    parsed = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = lines[index]
        if not isinstance(entry, dict):
            errors.append(LineError(line, f"entry {index + 1}", "must be a mapping"))
            continue
        label = str(entry.get("key") or f"entry {index + 1}")

        def fail(name, message, line=line, label=label):
            errors.append(LineError(line, f"{label}: {name}", message))

        unknown = sorted(set(entry) - POLICY_KEYS)
        if unknown:
            fail(", ".join(unknown), "unknown key(s)")
        key = _text(entry, "key", fail, max_length=60)
        if key in seen:
            fail("key", f"already on line {seen[key]}")
        seen[key] = line
        status = entry.get("status") or LawStatus.IN_FORCE
        if status not in LawStatus.values:
            fail("status", f"must be one of {', '.join(LawStatus.values)}")
        region = entry.get("region")
        region_id = None
        if region not in (None, ""):
            region_id = regions.get(str(region))
            if region_id is None:
                fail("region", f"unknown region code {region}")
        values = {
            "title": _text(entry, "title", fail, max_length=200),
            "issuing_body": _text(entry, "issuing_body", fail, max_length=200),
            "document_number": _text(entry, "document_number", fail, required=False, max_length=100),
            "issued_on": _date(entry.get("issued_on"), fail, "issued_on"),
            "status": status,
            "text": _text(entry, "text", fail),
            "is_summary": bool(entry.get("summary", False)),
            "region_id": region_id,
            "published": bool(entry.get("published", True)),
        }
        parsed.append((key, values, _tag_list(entry, fail)))
    if errors:
        raise DataFileError(path, errors)
    result = LoadResult()
    with transaction.atomic():
        for key, values, tags in parsed:
            _save_with_m2m(Policy, key, values, {"tags": _tags(tags)}, result)
    return result


QA_KEYS = {"key", "service", "question", "answer", "tags", "articles", "region", "published"}


def article_lookup() -> dict[str, int]:
    """ "商标法 第三十四条" -> the article's id."""
    return {
        f"{short} {number}": pk
        for pk, short, number in Article.objects.values_list("pk", "law__short_name", "number")
    }


def load_qa(path) -> LoadResult:
    entries, lines = _read_yaml_list(path)
    regions = dict(Region.objects.values_list("code", "pk"))
    services = dict(ServiceItem.objects.values_list("code", "pk"))
    articles = article_lookup()
    errors: list[LineError] = []
    parsed = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = lines[index]
        if not isinstance(entry, dict):
            errors.append(LineError(line, f"entry {index + 1}", "must be a mapping"))
            continue
        label = str(entry.get("key") or f"entry {index + 1}")

        def fail(name, message, line=line, label=label):
            errors.append(LineError(line, f"{label}: {name}", message))

        unknown = sorted(set(entry) - QA_KEYS)
        if unknown:
            fail(", ".join(unknown), "unknown key(s)")
        key = _text(entry, "key", fail, max_length=60)
        if key in seen:
            fail("key", f"already on line {seen[key]}")
        seen[key] = line
        service = entry.get("service")
        service_id = None
        if service not in (None, ""):
            service_id = services.get(str(service))
            if service_id is None:
                fail("service", f"unknown catalogue item {service}")
        region = entry.get("region")
        region_id = None
        if region not in (None, ""):
            region_id = regions.get(str(region))
            if region_id is None:
                fail("region", f"unknown region code {region}")
        refs = entry.get("articles") or []
        article_ids = []
        if not isinstance(refs, list):
            fail("articles", "must be a list like '商标法 第三十四条'")
            refs = []
        for ref in refs:
            pk = articles.get(re.sub(r"\s+", " ", str(ref).strip()))
            if pk is None:
                fail("articles", f"unknown article {ref}")
            else:
                article_ids.append(pk)
        values = {
            "question": _text(entry, "question", fail, max_length=300),
            "answer": _text(entry, "answer", fail),
            "service_item_id": service_id,
            "region_id": region_id,
            "published": bool(entry.get("published", True)),
        }
        parsed.append((key, values, _tag_list(entry, fail), article_ids))
    if errors:
        raise DataFileError(path, errors)
    result = LoadResult()
    with transaction.atomic():
        for key, values, tags, article_ids in parsed:
            refs = list(Article.objects.filter(pk__in=article_ids))
            _save_with_m2m(QAItem, key, values, {"tags": _tags(tags), "articles": refs}, result)
    return result


def load_knowledge(index_path, log=print) -> dict[str, LoadResult]:
    """The files an index.yaml names (laws folder, policies, qa); then the search index is refreshed."""
    from zhichan.knowledge import search

    index_path = Path(index_path)
    try:
        manifest = yaml.safe_load(index_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(index_path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    if not isinstance(manifest, dict):
        raise DataFileError(index_path, [LineError(0, "", "must be a mapping of laws, policies, qa")])
    base = index_path.parent
    results = {}
    with transaction.atomic():
        if manifest.get("laws"):
            results["laws"] = load_laws(base / manifest["laws"])
        if manifest.get("policies"):
            results["policies"] = load_policies(base / manifest["policies"])
        if manifest.get("qa"):
            results["qa"] = load_qa(base / manifest["qa"])
        search.rebuild()
    for name, result in results.items():
        log(f"knowledge {name}: {result}")
    return results
