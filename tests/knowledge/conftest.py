import shutil
from pathlib import Path

import pytest

from zhichan.core.bundles import DEMO_BUNDLE, load_bundle
from zhichan.knowledge.loaders import load_laws

NATIONAL = DEMO_BUNDLE.parent / "national" / "ip-laws"
TRADEMARK_LAW = "商标法(2019-04-23).md"
PATENT_RULES = "专利法实施细则(2023-12-11).md"


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


def write_laws(folder: Path, files=(TRADEMARK_LAW, PATENT_RULES), yaml_text=None) -> Path:
    """A laws folder with copies of the named statutes and a laws.yaml listing them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy(NATIONAL / name, folder / name)
    if yaml_text is None:
        entries = []
        for name in files:
            short = name.split("(")[0]
            entries.append(
                f"- file: {name}\n  short_name: {short}\n  issuing_body: 测试机关\n  issued_on: 2019-04-23\n"
            )
        yaml_text = "".join(entries)
    (folder / "laws.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


@pytest.fixture
def laws(world, tmp_path):
    """The trademark law and the patent rules, loaded into the test world."""
    load_laws(write_laws(tmp_path / "laws"))
    from zhichan.knowledge import search

    search.rebuild()


@pytest.fixture
def demo(db):
    """The whole Jinzhong demo bundle: regions, catalogue, agencies and the knowledge base."""
    load_bundle(DEMO_BUNDLE, log=lambda *a: None)
