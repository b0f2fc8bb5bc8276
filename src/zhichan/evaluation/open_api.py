"""The open figures over HTTP: public, no login; the same (cached) figures as the open page."""

from ninja import Field, Router, Schema

from zhichan.evaluation.open import open_figures

router = Router(tags=["evaluation"])


class OpenFiguresFigure(Schema):
    code: str = Field(description="the metric's code, e.g. cases_received")
    label: str
    unit: str = Field(description="count, percent, days, yuan, hours or score")
    unit_label: str
    dimension: str
    this_year: float | None = Field(description="the city's figure for this year so far; null: undefined")
    last_year: float | None = Field(description="the city's figure for the whole of last year")


class OpenFiguresSeries(Schema):
    code: str
    label: str
    unit: str
    year: int
    values: list[float | None] = Field(description="one value per month, January first; null: not yet")


class OpenFiguresMonthly(Schema):
    months: list[int]
    series: list[OpenFiguresSeries]


class OpenFiguresMetric(Schema):
    code: str
    label: str
    unit: str
    unit_label: str
    dimension: str


class OpenFiguresCountyValue(Schema):
    code: str
    value: float | None


class OpenFiguresCounty(Schema):
    name: str
    values: list[OpenFiguresCountyValue] = Field(description="in the order of counties.metrics")


class OpenFiguresCounties(Schema):
    metrics: list[OpenFiguresMetric]
    rows: list[OpenFiguresCounty]


class OpenFiguresOut(Schema):
    city: str
    year: int
    previous_year: int
    generated_at: str = Field(description="when the figures were computed (they are cached a few minutes)")
    figures: list[OpenFiguresFigure]
    monthly: OpenFiguresMonthly
    counties: OpenFiguresCounties


@router.get("/open", response=OpenFiguresOut, summary="Open figures: service volumes, satisfaction, coverage")
def open_figures_api(request):
    return open_figures()
