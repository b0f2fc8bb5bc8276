"""Charts of a landscape drawn with matplotlib, for the DOCX (as PNG) and the PDF (drawn on its pages).

Chinese labels need a CJK font on the machine (Debian: fonts-noto-cjk). Without one the
charts still show the figures; labels that are not plain ASCII become row numbers (or codes),
and the tables beside the charts carry the names.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from zhichan.ipdata.models import LegalStatus, PatentType

# Families tried in order; the Simplified Chinese cuts first.
PREFERRED = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Serif CJK SC",
    "Source Han Serif SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
    "AR PL UMing CN", "AR PL UKai CN", "SimHei", "Microsoft YaHei", "SimSun", "Noto Sans CJK JP",
    "Noto Sans CJK TC", "Noto Serif CJK JP",
)  # fmt: skip
# File names that hint at a CJK font, for fonts installed after matplotlib cached its list.
FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehan", "wqy", "droidsansfallback", "uming", "ukai",
              "simhei", "msyh", "simsun")  # fmt: skip
COLOURS = ("#2f6db3", "#e08a2c", "#4a9a5b", "#c0504d", "#8064a2", "#4bacc6", "#9b9b9b")
TYPE_COLOURS = {"invention": "#2f6db3", "utility": "#e08a2c", "design": "#4a9a5b"}
STATUS_COLOURS = {"pending": "#e0b02c", "valid": "#4a9a5b", "invalid": "#c0504d", "unknown": "#9b9b9b"}


@dataclass(frozen=True)
class Font:
    family: str
    path: str


def _has_chinese(path: str) -> bool:
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(path)
        return all(font.get_char_index(ord(ch)) for ch in "中国专利")
    except (OSError, RuntimeError, ValueError):
        return False


@functools.lru_cache(maxsize=4)
def _find(setting: str) -> Font | None:
    from matplotlib import font_manager

    if setting.lower() == "none":
        return None
    manager = font_manager.fontManager
    if setting and os.path.isfile(setting):
        manager.addfont(setting)
        name = font_manager.FontProperties(fname=setting).get_name()
        return Font(name, setting) if _has_chinese(setting) else None
    wanted = (setting,) if setting else PREFERRED

    def known():
        by_name = {}
        for entry in sorted(manager.ttflist, key=lambda e: e.weight != 400):
            by_name.setdefault(entry.name, entry.fname)
        return by_name

    def pick(by_name):
        for name in wanted:
            if name in by_name and _has_chinese(by_name[name]):
                return Font(name, by_name[name])
        if not setting:
            for name in sorted(by_name):
                if "CJK" in name and _has_chinese(by_name[name]):
                    return Font(name, by_name[name])
        return None

    found = pick(known())
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(hint in os.path.basename(path).lower() for hint in FILE_HINTS):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = pick(known())
    return found


def cjk_font() -> Font | None:
    """The CJK font charts and PDF use (ZHICHAN_REPORT_FONT: a family, a file, or "none")."""
    return _find(settings.ZHICHAN_REPORT_FONT or "")


class Labels:
    """Category labels as a chart can show them: as they are with a CJK font, else ASCII stand-ins."""

    def __init__(self, font: Font | None):
        self.font = font

    def __call__(self, text: str, fallback: str) -> str:
        text = str(text)
        if self.font is not None or text.isascii():
            return text
        return fallback


def type_label(value: str) -> str:
    return str(PatentType(value).label) if value in PatentType.values else value


def status_label(value: str) -> str:
    return str(LegalStatus(value).label) if value in LegalStatus.values else value


def _style(ax):
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)


def _empty(ax):
    ax.axis("off")
    ax.text(0.5, 0.5, "0", ha="center", va="center", fontsize=14, color="#9b9b9b")


def draw_trend(ax, ls, lab: Labels):
    """Applications per year, stacked by type."""
    from matplotlib.ticker import MaxNLocator

    if not ls.by_year:
        return _empty(ax)
    years = [year for year, _counts in ls.by_year]
    bottom = [0] * len(years)
    for ptype in PatentType.values:
        values = [counts.get(ptype, 0) for _year, counts in ls.by_year]
        if not any(values):
            continue
        ax.bar(years, values, bottom=bottom, color=TYPE_COLOURS[ptype], label=lab(type_label(ptype), ptype))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xlabel(lab(_("Application year"), "year"), fontsize=8)
    ax.set_ylabel(lab(_("Applications"), "applications"), fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    ax.legend(fontsize=8, frameon=False)
    _style(ax)


def _pie(ax, rows, labels, colours):
    if not rows:
        return _empty(ax)
    values = [n for _key, n in rows]
    ax.pie(
        values, labels=labels, colors=colours, autopct="%1.0f%%", startangle=90, counterclock=False,
        textprops={"fontsize": 8}, wedgeprops={"linewidth": 1, "edgecolor": "white"},
    )  # fmt: skip
    ax.axis("equal")


def draw_types(ax, ls, lab: Labels):
    _pie(
        ax, ls.by_type, [lab(type_label(k), k) for k, _n in ls.by_type],
        [TYPE_COLOURS.get(k, COLOURS[-1]) for k, _n in ls.by_type],
    )  # fmt: skip


def draw_status(ax, ls, lab: Labels):
    _pie(
        ax, ls.by_legal_status, [lab(status_label(k), k) for k, _n in ls.by_legal_status],
        [STATUS_COLOURS.get(k, COLOURS[-1]) for k, _n in ls.by_legal_status],
    )  # fmt: skip


def _short(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _barh(ax, labels, values, colour, xlabel):
    if not values or not any(values):
        return _empty(ax)
    labels = [_short(label) for label in labels]
    positions = list(range(len(values)))
    ax.barh(positions, values, color=colour)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    for y, v in zip(positions, values, strict=True):
        ax.text(v, y, f" {v}", va="center", fontsize=7)
    _style(ax)


def draw_ipc(ax, ls, lab: Labels, top: int = 15):
    rows = ls.by_ipc[:top]
    _barh(ax, [k for k, _n in rows], [n for _k, n in rows], COLOURS[0], lab(_("Patents"), "patents"))


def draw_counties(ax, ls, lab: Labels):
    rows = ls.by_county
    _barh(
        ax, [lab(name, code) for code, name, _n in rows], [n for _c, _name, n in rows], COLOURS[2],
        lab(_("Patents"), "patents"),
    )  # fmt: skip


def draw_applicants(ax, ls, lab: Labels, top: int = 10):
    rows = ls.top_applicants[:top]
    _barh(
        ax, [lab(name, str(i)) for i, (name, _n) in enumerate(rows, 1)], [n for _name, n in rows], COLOURS[1],
        lab(_("Patents"), "patents"),
    )  # fmt: skip


CHARTS = {
    "trend": (draw_trend, (6.4, 3.2)),
    "types": (draw_types, (3.2, 3.0)),
    "status": (draw_status, (3.2, 3.0)),
    "ipc": (draw_ipc, (6.4, 3.6)),
    "counties": (draw_counties, (6.4, 3.4)),
    "applicants": (draw_applicants, (6.4, 3.6)),
}


def font_context(font: Font | None):
    import matplotlib

    families = ([font.family] if font else []) + ["DejaVu Sans"]
    return matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False})


def png(name: str, ls, font: Font | None, dpi: int = 150) -> bytes:
    """One chart (a key of CHARTS) as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    draw, size = CHARTS[name]
    with font_context(font):
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig.add_subplot(), ls, Labels(font))
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
