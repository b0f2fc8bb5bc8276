"""The application's search function and the index upkeep, on each backend."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from tests.factories import RegionFactory
from zhichan.ipdata import services as import_services
from zhichan.ipdata.models import Patent
from zhichan.ipdata.search import service
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.regions.models import RegionKind

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["tantivy", "postgres"])
def search_settings(request, settings, tmp_path):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend runs when DATABASE_URL is PostgreSQL")
    settings.ZHICHAN_SEARCH_BACKEND = request.param
    settings.ZHICHAN_SEARCH_DIR = tmp_path / "search"
    service.reset_backends()
    yield settings
    service.reset_backends()


@pytest.fixture
def regions(db):
    city = RegionFactory(code="990100", name="测试市", kind=RegionKind.CITY)
    county_a = RegionFactory(code="990102", name="甲区", parent=city)
    county_b = RegionFactory(code="990103", name="乙县", parent=city)
    park = RegionFactory(code="990102-PARK", name="甲区开发区", kind=RegionKind.PARK, parent=county_a)
    return {"a": county_a, "b": county_b, "park": park}


def make_patent(number, title, **fields):
    fields.setdefault("patent_type", "invention")
    return Patent.objects.create(application_number=number, title=title, **fields)


@pytest.fixture
def patents(search_settings, regions):
    made = [
        make_patent(
            "201510163325.6",
            "一种锂离子电池的制备方法",
            abstract="本发明公开了一种正极材料。",
            application_date=dt.date(2015, 4, 13),
            applicants=["华为技术有限公司"],
            ipc_codes=["H01M 10/0525"],
            main_ipc="H01M 10/0525",
            legal_status="valid",
            region=regions["a"],
        ),
        make_patent(
            "201820123456.0",
            "燃料电池系统",
            patent_type="utility",
            application_date=dt.date(2018, 6, 30),
            region=regions["park"],  # a park counts for its county
        ),
        make_patent("202030000001.2", "LED灯具", patent_type="design", region=regions["b"]),
    ]
    service.index_patents([p.id for p in made])
    return made


def ids(result):
    return [hit.id for hit in result.hits]


def test_search_patents_returns_hits_facets_and_highlights(patents):
    result = service.search_patents("电池")
    assert sorted(ids(result)) == sorted([patents[0].id, patents[1].id])
    assert result.total == 2
    assert dict(result.facets["county"]) == {"990102": 2}
    assert dict(result.facets["type"]) == {"invention": 1, "utility": 1}
    assert result.hits[0].highlights["title"].count("<mark>电池</mark>") == 1


def test_counties_by_code_name_or_short_name(patents):
    for query in ("COUNTY=990102", "COUNTY=甲区", "COUNTY=甲"):
        assert sorted(ids(service.search_patents(query))) == sorted([patents[0].id, patents[1].id]), query
    assert ids(service.search_patents("COUNTY=乙县")) == [patents[2].id]


def test_an_unknown_county_is_a_query_error_at_its_position(patents):
    with translation.override("en"), pytest.raises(QuerySyntaxError) as info:
        service.search_patents("电池 AND COUNTY=丙市")
    assert info.value.position == 14
    assert str(info.value) == "unknown county 丙市 at 14"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"filters": {"type": ["gadget"]}}, "type"),
        ({"sort": "price"}, "sort"),
        ({"page": 1000, "per_page": 100}, "page"),
    ],
)
def test_bad_arguments_are_validation_errors(patents, kwargs, field):
    with pytest.raises(ValidationError) as info:
        service.search_patents("电池", **kwargs)
    assert field in info.value.message_dict


def test_pages(patents):
    first = service.search_patents("", per_page=2, sort="newest")
    second = service.search_patents("", page=2, per_page=2, sort="newest")
    assert first.total == second.total == 3
    assert ids(first) == [patents[1].id, patents[0].id]  # undated last
    assert ids(second) == [patents[2].id]


def test_patents_for_gives_the_records_in_hit_order(patents):
    result = service.search_patents("电池", sort="oldest")
    pairs = service.patents_for(result)
    assert [p.id for p, _ in pairs] == [patents[0].id, patents[1].id]
    assert pairs[0][0].title == "一种锂离子电池的制备方法"


def test_index_patents_follows_edits_and_deletions(patents):
    lamp = patents[2]
    lamp.title = "太阳能路灯"
    lamp.save()
    assert ids(service.search_patents("LED")) == [lamp.id]  # not indexed yet
    service.index_patents([lamp.id])
    assert ids(service.search_patents("LED")) == []
    assert ids(service.search_patents("太阳能")) == [lamp.id]

    gone = patents[1].id
    Patent.objects.filter(id=gone).delete()
    service.index_patents([gone])  # an id no longer in the database leaves the index
    assert gone not in ids(service.search_patents("电池"))
    assert service.get_backend().count() == 2

    service.remove_patents([lamp.id])
    assert service.get_backend().count() == 1


def test_index_patents_on_commit_waits_for_the_transaction(patents, django_capture_on_commit_callbacks):
    lamp = patents[2]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Patent.objects.filter(id=lamp.id).update(title="太阳能路灯")
        service.index_patents_on_commit([lamp.id])
        assert ids(service.search_patents("太阳能")) == []  # not before the commit
    assert len(callbacks) == 1
    assert ids(service.search_patents("太阳能")) == [lamp.id]


def test_rebuild_brings_the_index_in_step(patents):
    extra = make_patent("201910000002.3", "数据处理方法")  # never indexed
    Patent.objects.filter(id=patents[2].id).delete()  # still indexed
    seen = []
    n = service.rebuild(progress=seen.append, workers=1)
    assert n == 3 and seen[-1] == 3
    assert service.get_backend().count() == 3
    assert ids(service.search_patents("数据")) == [extra.id]
    assert ids(service.search_patents("LED")) == []


def test_the_command_rebuilds_and_reports(patents, capsys):
    make_patent("201910000002.3", "数据处理方法")
    call_command("search_index", "rebuild", "--workers", "1")
    out = capsys.readouterr().out
    assert "search index rebuilt: 4 patents" in out
    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert "documents: 4" in out
    assert "patents_in_database: 4" in out


def test_an_import_puts_its_patents_in_the_index(search_settings, regions, fixture):
    job = import_services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert job.created_count >= 2
    found = service.search_patents("核桃破壳装置")
    assert [p.application_number for p, _ in service.patents_for(found)] == ["201420345678.9"]
    assert service.get_backend().count() == Patent.objects.count()

    # Importing the file again changes nothing, and the index keeps one document per patent.
    import_services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert service.get_backend().count() == Patent.objects.count()


def test_a_failing_index_does_not_fail_the_import(search_settings, regions, fixture, monkeypatch, caplog):
    def broken(job):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "index_import_job", broken)
    job = import_services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert job.status == "done"
    assert "search index not updated" in caplog.text
