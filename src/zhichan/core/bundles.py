"""A city bundle: one folder with city.yaml naming its regions, boundaries, catalogue, agencies,
routing rules, knowledge, industry definitions and the risk-diagnosis questionnaire."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from zhichan.core.dataload import DataFileError, LineError

DEMO_BUNDLE = Path(__file__).resolve().parent.parent / "demo_data" / "jinzhong"


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / "city.yaml"
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    if not isinstance(manifest, dict) or "regions" not in manifest:
        raise DataFileError(path, [LineError(0, "regions", "required")])
    return manifest


def load_bundle(folder: Path, log=print) -> None:
    """Load every file the bundle names; any error leaves the database as it was."""
    from zhichan.agencies.loaders import load_agencies
    from zhichan.catalog.loaders import load_catalog
    from zhichan.knowledge.loaders import load_knowledge
    from zhichan.regions.loaders import load_boundaries, load_regions

    folder = Path(folder)
    manifest = read_manifest(folder)
    with transaction.atomic():
        log(f"regions: {load_regions(folder / manifest['regions'])}")
        boundaries = manifest.get("boundaries")
        if boundaries:
            renames = {str(k): str(v) for k, v in (boundaries.get("rename") or {}).items()}
            log(f"boundaries: {load_boundaries(folder / boundaries['file'], renames)}")
        if manifest.get("catalog"):
            log(f"catalogue: {load_catalog(folder / manifest['catalog'])}")
        if manifest.get("agencies"):
            log(f"agencies: {load_agencies(folder / manifest['agencies'])}")
        if manifest.get("routing"):
            from zhichan.cases.loaders import load_routing_rules

            log(f"routing rules: {load_routing_rules(folder / manifest['routing'])}")
        if manifest.get("knowledge"):
            load_knowledge(folder / manifest["knowledge"], log=log)
        if manifest.get("industries"):
            from zhichan.ipdata.loaders import load_industries

            log(f"industry definitions: {load_industries(folder / manifest['industries'])}")
        if manifest.get("diagnosis"):
            from zhichan.diagnosis.loaders import load_questionnaire

            log(f"diagnosis questionnaire: {load_questionnaire(folder / manifest['diagnosis'])}")
