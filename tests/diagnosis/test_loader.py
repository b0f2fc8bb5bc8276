"""Loading the questionnaire file: all problems named by line and path, nothing saved on error."""

import pytest
import yaml
from django.core.management import call_command

from tests.diagnosis.conftest import QUESTIONNAIRE, make_references, references
from tests.diagnosis.helpers import small
from zhichan.core.dataload import DataFileError
from zhichan.diagnosis.loaders import load_questionnaire
from zhichan.diagnosis.models import Questionnaire
from zhichan.diagnosis.questionnaire import questions, validate_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def refs(world):
    make_references(*references())


def write(tmp_path, data, name="q.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_demo_questionnaire_loads_once_and_reloads_unchanged(refs):
    result = load_questionnaire(QUESTIONNAIRE)
    assert (result.created, result.updated) == (1, 0)
    q = Questionnaire.objects.active()
    assert q.version == 1 and q.title == "中小企业知识产权风险诊断"
    assert 25 <= len(list(questions(q.definition))) <= 35
    assert len(q.definition["dimensions"]) == 8
    assert str(load_questionnaire(QUESTIONNAIRE)) == "0 created, 0 updated, 1 unchanged"
    assert Questionnaire.objects.count() == 1


def test_a_changed_file_becomes_the_next_version(refs, tmp_path):
    load_questionnaire(QUESTIONNAIRE)
    data = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["title"] = "企业知识产权体检"
    result = load_questionnaire(write(tmp_path, data))
    assert result.updated == 1
    versions = list(Questionnaire.objects.order_by("version").values_list("version", "active", "title"))
    assert versions == [(1, False, "中小企业知识产权风险诊断"), (2, True, "企业知识产权体检")]


def test_the_command_loads_the_demo_file_by_default(refs, capsys):
    call_command("load_diagnosis")
    assert "1 created" in capsys.readouterr().out
    assert Questionnaire.objects.active() is not None


def test_unknown_services_and_articles_are_named_with_their_line(world, tmp_path):
    # Nothing of the catalogue or the statutes in the world: every reference fails.
    make_references({"TM-REG", "TM-SEARCH", "TRAINING"}, set())
    path = write(tmp_path, small())
    with pytest.raises(DataFileError) as exc:
        load_questionnaire(path)
    messages = [str(e) for e in exc.value.errors]
    lines = path.read_text(encoding="utf-8").splitlines()
    finding = next(e for e in exc.value.errors if "PLEDGE-FIN" in e.message)
    assert (
        finding.field == "findings[loan].services"
        and "PLEDGE-FIN" in lines[finding.line - 1] + lines[finding.line]
    )
    assert any("unknown article 商标法 第四条" in m for m in messages)
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            lambda d: d["sections"][0]["questions"][0]["choices"][1].update(findings=["nope"]),
            "sections[s1].questions[mark].choices[no].findings",
            "unknown finding 'nope'",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(type="slider"),
            "sections[s1].questions[mark].type",
            "one of single, multiple, yesno, number",
        ),
        (
            lambda d: d["sections"][1]["questions"].append(dict(d["sections"][1]["questions"][0])),
            "sections[s2].questions[nda].key",
            "used twice",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(when={"question": "nda", "in": ["yes"]}),
            "sections[s1].questions[mark_owner_ok].when",
            "an earlier choice question",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(when={"question": "mark", "in": ["perhaps"]}),
            "sections[s1].questions[mark_owner_ok].when.in",
            "'perhaps' is not a choice of mark",
        ),
        (lambda d: d.update(levels={"high": 10, "medium": 30}), "levels", "need 0 < medium < high <= 100"),
        (lambda d: d["findings"][2].update(severity="urgent"), "findings[no_nda].severity", "one of high"),
        (
            lambda d: d["findings"][2].update(dimension="money"),
            "findings[no_nda].dimension",
            "unknown dimension",
        ),
        (
            lambda d: d["findings"][0].update(legal_basis=["商标法第四条"]),
            "findings[no_mark].legal_basis",
            "is not '<short name> 第…条'",
        ),
        (
            lambda d: d["sections"][1]["questions"][2].update(min=10, max=1),
            "sections[s2].questions[staff].min",
            "min <= max",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(
                prefill={"source": "patent", "when_found": "maybe"}
            ),
            "sections[s2].questions[nda].prefill.when_found",
            "not a choice",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(key="uscc"),
            "sections[s2].questions[uscc].key",
            "reserved",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(colour="red"),
            "sections[s2].questions[nda].colour",
            "unknown key",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].pop("if_no"),
            "findings[no_nda]",
            "no answer or check leads",
        ),
        (lambda d: d.update(system={"crystal_ball": "sys_expiring"}), "system.crystal_ball", "unknown check"),
        (
            lambda d: d.update(system={"no_mark_in_main_class": "sys_expiring"}),
            "main_class_question",
            "required by the no_mark_in_main_class check",
        ),
    ],
)
def test_each_bad_entry_is_named(change, path, message):
    data = small()
    change(data)
    problems = validate_definition(data).problems
    assert any(p.path == path and message in p.message for p in problems), problems


def test_errors_in_a_file_carry_lines_and_nothing_is_saved(world, tmp_path):
    make_references({"TM-REG", "TM-SEARCH", "TRAINING", "PLEDGE-FIN"}, {"商标法 第四条"})
    data = small()
    data["sections"][1]["questions"][1]["choices"][0]["unselected_findings"].append("missing_one")
    path = write(tmp_path, data)
    with pytest.raises(DataFileError) as exc:
        load_questionnaire(path)
    (error,) = exc.value.errors
    assert error.field == "sections[s2].questions[measures].choices[access].unselected_findings"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[error.line - 1].strip() == "unselected_findings:" and "missing_one" in lines[error.line + 1]
    assert f"line {error.line}" in str(exc.value)
    assert not Questionnaire.objects.exists()


def test_unreadable_files_are_reported(world, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot read"):
        load_questionnaire(path)
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="must be a mapping"):
        load_questionnaire(path)
