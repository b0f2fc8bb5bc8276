"""Official fee amounts (data/fees.yaml): annual fees by patent type and year, the late surcharge
by month late, trademark renewal fees, and the loader's checks."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from tests.watch.test_deadlines import by_kind, every_day, mark, patent
from zhichan.watch import deadlines as dl
from zhichan.watch import fees

D = dt.date
SHIPPED = Path(fees.__file__).parent / "data" / "fees.yaml"


@pytest.mark.parametrize(
    ("kind", "years", "yuan"),
    [
        ("invention", (1, 2, 3), 900),
        ("invention", (4, 5, 6), 1200),
        ("invention", (7, 8, 9), 2000),
        ("invention", (10, 11, 12), 4000),
        ("invention", (13, 14, 15), 6000),
        ("invention", (16, 18, 20), 8000),
        ("utility", (1, 2, 3), 600),
        ("utility", (4, 5), 900),
        ("utility", (6, 7, 8), 1200),
        ("utility", (9, 10), 2000),
        ("design", (1, 3), 600),
        ("design", (4, 5), 900),
        ("design", (6, 8), 1200),
        ("design", (9, 10), 2000),
        ("design", (11, 13, 15), 3000),
    ],
)
def test_annual_fee_per_year_and_type(kind, years, yuan):
    for year in years:
        assert fees.schedule().annual_fee(kind, year) == yuan


def test_no_fee_beyond_the_term_or_for_an_unknown_type():
    assert fees.schedule().annual_fee("invention", 21) is None
    assert fees.schedule().annual_fee("utility", 11) is None
    assert fees.schedule().annual_fee("plant", 1) is None


def test_amount_of_a_patents_annual_fee_deadline():
    # Filed 2020-03-10, granted in year 3: the first fee listed is year 4's, 1200 yuan.
    record = patent(grant_date=D(2022, 5, 1))
    year4 = by_kind(dl.patent_deadlines(record, every_day), dl.ANNUAL_FEE)[0]
    got = fees.amounts(record, year4, D(2023, 1, 1), every_day)
    assert (got.amount_yuan, got.surcharge_yuan) == (1200, None)  # before the due date
    utility = patent(patent_type="utility", grant_date=D(2022, 5, 1))
    year9 = next(d for d in dl.patent_deadlines(utility, every_day) if d.year == 9)
    assert fees.amounts(utility, year9, D(2027, 1, 1), every_day).amount_yuan == 2000


# The year-4 fee of a patent filed 2020-03-10 is due 2023-03-10; every day a working day.
@pytest.mark.parametrize(
    ("paid", "month", "percent"),
    [
        (D(2023, 3, 10), 0, 0),  # on the due date
        (D(2023, 3, 11), 1, 0),  # the first day late: the first month is free
        (D(2023, 4, 10), 1, 0),  # the whole first month included
        (D(2023, 4, 11), 2, 5),  # the second month: 5 %
        (D(2023, 5, 10), 2, 5),
        (D(2023, 5, 11), 3, 10),
        (D(2023, 7, 11), 5, 20),
        (D(2023, 8, 11), 6, 25),  # the sixth month: 25 %
        (D(2023, 9, 10), 6, 25),  # the grace period's last day
    ],
)
def test_surcharge_by_month_late(paid, month, percent):
    record = patent(grant_date=D(2022, 5, 1))
    year4 = by_kind(dl.patent_deadlines(record, every_day), dl.ANNUAL_FEE)[0]
    assert fees.months_late(year4, paid, every_day) == month
    got = fees.amounts(record, year4, paid, every_day)
    assert fees.schedule().surcharge_percent(month) == percent
    assert got.surcharge_yuan == (1200 * percent // 100 if month else None)


def test_no_surcharge_once_the_grace_period_is_over():
    record = patent(grant_date=D(2022, 5, 1))
    year4 = by_kind(dl.patent_deadlines(record, every_day), dl.ANNUAL_FEE)[0]
    assert fees.months_late(year4, D(2023, 9, 11), every_day) is None
    assert fees.amounts(record, year4, D(2023, 9, 11), every_day).surcharge_yuan is None


def test_a_month_that_ends_on_a_holiday_ends_on_the_next_working_day():
    # Month 1 after 2023-03-10 ends 2023-04-10; with the 10th a holiday, paying on the 11th is
    # still within the first month.
    def check(day):
        return day != D(2023, 4, 10)

    record = patent(grant_date=D(2022, 5, 1))
    year4 = by_kind(dl.patent_deadlines(record, check), dl.ANNUAL_FEE)[0]
    assert fees.months_late(year4, D(2023, 4, 11), check) == 1
    assert fees.months_late(year4, D(2023, 4, 12), check) == 2


def test_trademark_renewal_fee_and_late_fee_in_grace():
    record = mark()  # registered 2015-01-07: the term ends 2025-01-06
    renewal = by_kind(dl.trademark_deadlines(record, every_day), dl.TM_RENEWAL)[0]
    before = fees.amounts(record, renewal, D(2024, 6, 1), every_day)
    assert (before.amount_yuan, before.online_amount_yuan, before.surcharge_yuan) == (500, 450, None)
    late = fees.amounts(record, renewal, D(2025, 2, 1), every_day)
    assert (late.surcharge_yuan, late.online_surcharge_yuan) == (250, 225)


def test_informative_deadlines_have_no_amount():
    record = patent(grant_date=D(2022, 5, 1))
    end = by_kind(dl.patent_deadlines(record, every_day), dl.PATENT_TERM_END)[0]
    assert fees.amounts(record, end, D(2023, 1, 1), every_day) is None


def test_the_surcharge_rule_in_words_follows_the_file(english):
    text = dl.surcharge_rule_text()
    assert "no surcharge within 1 month(s)" in text and "5% of the year's fee" in text and "25%" in text


def _write(tmp_path, mutate):
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "fees.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["patent_annual_fees"]["invention"][1].update(yuan="1200"), "invention[1].yuan"),
        (lambda d: d["patent_annual_fees"]["utility"][1].update(years=[5, 5]), "utility[1].years"),
        (lambda d: d["patent_annual_fees"].pop("design"), "patent_annual_fees.design"),
        (lambda d: d["patent_annual_fees"].update(plant=[]), "patent_annual_fees"),
        (lambda d: d["patent_late_surcharge"].pop("max_percent"), "patent_late_surcharge.max_percent"),
        (lambda d: d["trademark_renewal"].update(late_online=-1), "trademark_renewal.late_online"),
    ],
)
def test_a_wrong_file_names_the_bad_key(tmp_path, mutate, key):
    with pytest.raises(ImproperlyConfigured, match=key.replace("[", r"\[").replace("]", r"\]")):
        fees.load(_write(tmp_path, mutate))


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "fees.yaml"
    path.write_text("patent_annual_fees: [unclosed", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="cannot read fees.yaml"):
        fees.load(path)


def test_a_city_substitutes_its_own_file(tmp_path, settings):
    path = _write(tmp_path, lambda d: d["trademark_renewal"].update(fee_paper=600))
    settings.ZHICHAN_FEES_FILE = str(path)
    fees.schedule.cache_clear()
    try:
        assert fees.schedule().tm_renewal["fee_paper"] == 600
    finally:
        fees.schedule.cache_clear()


def test_each_block_of_the_shipped_file_names_its_source():
    text = SHIPPED.read_text(encoding="utf-8")
    blocks = ("patent_annual_fees:", "patent_late_surcharge:", "trademark_renewal:")
    for block in blocks:
        after = text.split(block, 1)[1].lstrip().splitlines()[0]
        assert after.startswith("# source: "), block
