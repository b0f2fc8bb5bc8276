"""The public search page: results, facets as filters, pages, errors."""

import datetime as dt
import io

import pytest

from tests.factories import RegionFactory
from zhichan.ipdata.models import Patent
from zhichan.ipdata.search import service
from zhichan.ipdata.search_forms import AdvancedSearchForm
from zhichan.regions.models import RegionKind

pytestmark = pytest.mark.django_db
URL = "/ipdata/search/"


@pytest.fixture
def regions(db):
    city = RegionFactory(code="990100", name="测试市", kind=RegionKind.CITY)
    return {
        "a": RegionFactory(code="990102", name="甲区", parent=city),
        "b": RegionFactory(code="990103", name="乙县", parent=city),
    }


@pytest.fixture
def patents(regions):
    made = []
    for i in range(25):  # 25 battery patents: two pages of 20
        made.append(
            Patent.objects.create(
                application_number=f"2015101633{i:02d}.X",
                title=f"锂电池装置{i}",
                abstract="一种电池的外壳。",
                patent_type="invention" if i % 5 else "utility",
                application_date=dt.date(2015 + i % 3, 1, 1 + i),
                applicants=["华为技术有限公司"],
                legal_status="valid",
                region=regions["a"] if i % 2 else regions["b"],
            )
        )
    made.append(
        Patent.objects.create(
            application_number="202030000001.2", title="LED灯具", patent_type="design", region=regions["b"]
        )
    )
    service.index_patents([p.id for p in made])
    return made


def test_the_page_is_public_and_empty_without_a_query(client, patents):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'data-testid="search-results"' not in response.content.decode()
    assert "Patent search" in response.content.decode()


def test_an_empty_query_lists_every_record(client, patents):
    response = client.get(URL, {"q": ""})
    assert response.status_code == 200
    assert response.context["result"].total == 26


def test_results_are_highlighted_and_link_to_the_record(client, patents):
    response = client.get(URL, {"q": "LED"})
    html = response.content.decode()
    assert response.context["result"].total == 1
    assert "<mark>LED</mark>灯具" in html
    assert 'href="/ipdata/patents/202030000001.2/"' in html


def test_a_facet_link_filters_the_results(client, patents):
    response = client.get(URL, {"q": "电池"})
    assert response.context["result"].total == 25
    types = next(g for g in response.context["facets"] if g["name"] == "type")
    utility = next(i for i in types["items"] if i["value"] == "utility")
    assert utility["count"] == 5 and utility["label"] == "Utility model"
    filtered = client.get(URL + utility["url"])
    assert filtered.context["result"].total == 5
    assert {p.patent_type for p, _ in filtered.context["rows"]} == {"utility"}
    counties = next(g for g in response.context["facets"] if g["name"] == "county")
    assert {i["label"] for i in counties["items"]} == {"甲区", "乙县"}


def test_pages_and_sort(client, patents):
    first = client.get(URL, {"q": "电池", "sort": "newest"})
    assert len(first.context["rows"]) == 20 and first.context["pages"] == 2
    second = client.get(URL + first.context["next_url"])
    assert len(second.context["rows"]) == 5
    seen = [p.id for p, _ in first.context["rows"]] + [p.id for p, _ in second.context["rows"]]
    assert len(set(seen)) == 25
    dates = [p.application_date for p, _ in first.context["rows"]]
    assert dates == sorted(dates, reverse=True)


def test_a_malformed_query_shows_the_position(client, patents):
    response = client.get(URL, {"q": "TI=(电池 OR"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="search-error"' in html
    pointer = response.context["pointer"]
    assert pointer.splitlines()[0] == "TI=(电池 OR"
    assert response.context["syntax_error"].position is not None
    assert pointer.splitlines()[1].endswith("^")


def test_a_bad_filter_is_a_message_not_a_500(client, patents):
    response = client.get(URL, {"q": "", "type": "gadget"})
    assert response.status_code == 200
    assert response.context["invalid"]


def test_the_advanced_form_builds_the_query(client, patents):
    response = client.get(
        URL,
        {
            "advanced": "1",
            "title": "锂 电池",
            "applicant": "华为",
            "date_from": "2015-01-01",
            "type": "invention",
            "words": "on",
        },
    )
    assert response.status_code == 302
    followed = client.get(response.url)
    assert followed.context["query"] == 'TI~="锂 电池" PA~=华为 AD=[2015-01-01 TO *] TYPE=invention'
    assert "result" in followed.context


def test_the_advanced_form_refuses_a_reversed_range():
    form = AdvancedSearchForm({"date_from": "2020-01-01", "date_to": "2019-01-01"})
    assert not form.is_valid() and "date_to" in form.errors


def test_the_navbar_links_the_search_for_everyone(client, db):
    assert 'data-testid="nav-search"' in client.get("/").content.decode()


def test_the_export_reads_back_with_the_rows(client, patents, settings):
    import io

    from openpyxl import load_workbook

    response = client.get("/ipdata/search/export.xlsx", {"q": "电池", "type": "utility", "sort": "newest"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Application number", "Application date", "Title", "Applicants", "Inventors", "IPC", "Type",
        "Legal status", "County",
    )  # fmt: skip
    expected = sorted(
        (p for p in patents if p.patent_type == "utility"), key=lambda p: p.application_date, reverse=True
    )
    assert [r[0] for r in rows[1:]] == [p.application_number for p in expected]
    first = rows[1]
    assert first[2] == expected[0].title
    assert first[3] == "华为技术有限公司"
    assert first[6:8] == ("Utility model", "In force")
    assert first[1].date() == expected[0].application_date


def test_the_export_stops_at_the_setting(client, patents, settings):
    import io

    from openpyxl import load_workbook

    settings.ZHICHAN_SEARCH_EXPORT_MAX = 7
    response = client.get("/ipdata/search/export.xlsx", {"q": ""})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 7


def test_the_export_of_a_malformed_query_goes_back_to_the_page(client, patents):
    response = client.get("/ipdata/search/export.xlsx", {"q": "TI=("})
    assert response.status_code == 302 and response.url.startswith("/ipdata/search/?q=")


def test_statistics_of_a_result_set(client, patents):
    page = client.get(URL, {"q": 'TX="电池"'})
    response = client.get(page.context["statistics_url"])
    assert response.status_code == 200
    assert response.context["ls"].total == 25
    assert 'id="landscape-data"' in response.content.decode()


def test_statistics_of_any_query_keep_the_filters_of_the_result_list(client, patents):
    # Not an IPC/TX query, with facet filters: the figures are those of the list it came from.
    page = client.get(URL, {"q": "PA=华为 AND AD>=2016", "type": "invention", "county": "990102"})
    listed = page.context["result"].total
    assert listed > 0
    response = client.get(page.context["statistics_url"])
    assert response.status_code == 200
    ls = response.context["ls"]
    assert ls.total == listed
    assert ls.by_type == [("invention", listed)]
    assert {code: n for code, _name, n in ls.by_county}["990102"] == listed
    assert all(year >= 2016 for year, _counts in ls.by_year)
    assert ls.top_applicants == [("华为技术有限公司", listed)]
    html = response.content.decode()
    assert 'data-testid="statistics-filters"' in html and "甲区" not in response.context["filters"][0][1]
    assert response.context["filters"] == [("Type", "Invention"), ("County", "990102")]
    # The way back and the export carry the same filters.
    assert (
        "type=invention" in response.context["search_url"]
        and "county=990102" in response.context["search_url"]
    )
    assert 'data-testid="statistics-export"' in html and "type=invention" in response.context["export_url"]


@pytest.mark.parametrize(("query", "position"), [("TI=(电池", 3), ("电池 AND", 3), ('"锂电池', 0)])
def test_statistics_of_a_malformed_query_show_where_it_fails(client, patents, query, position):
    response = client.get("/ipdata/search/statistics/", {"q": query})
    assert response.status_code == 200
    assert response.context["ls"] is None
    assert response.context["syntax_error"].position == position
    html = response.content.decode()
    assert 'data-testid="statistics-error"' in html and 'data-testid="statistics-pointer"' in html
    assert f"at {position}" in html


def test_statistics_with_a_bad_filter_say_which(client, patents):
    response = client.get("/ipdata/search/statistics/", {"q": "电池", "year": "20x5"})
    assert response.status_code == 200 and response.context["ls"] is None
    assert "Not a year: 20x5." in response.content.decode()


def test_the_statistics_export_holds_the_figures(client, patents):
    from openpyxl import load_workbook

    params = {"q": "PA=华为", "type": "invention"}
    ls = client.get("/ipdata/search/statistics/", params).context["ls"]
    response = client.get("/ipdata/search/statistics/export.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    overview = {row[0]: row[1] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    assert overview["Search"] == "PA=华为" and overview["Query"] == "PA=华为"
    assert overview["Filters"] == "type=invention"
    assert overview["Patents"] == ls.total == 20
    trend = list(book["Trend"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[-1]) for row in trend] == [(y, sum(c.values())) for y, c in ls.by_year]
    applicants = list(book["Applicants"].iter_rows(min_row=2, values_only=True))
    assert applicants == [("华为技术有限公司", 20)]
    counties = {row[0]: row[2] for row in book["Counties"].iter_rows(min_row=2, values_only=True)}
    assert counties == {code: n for code, _name, n in ls.by_county}


def test_the_statistics_export_of_a_malformed_query_goes_back_to_the_page(client, patents):
    response = client.get("/ipdata/search/statistics/export.xlsx", {"q": "TI=(", "type": "utility"})
    assert response.status_code == 302
    assert response.url.startswith("/ipdata/search/statistics/?q=") and "type=utility" in response.url
