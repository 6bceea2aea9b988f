"""Charts of the trend queries, for `--plot FILE.png|.svg`, the digest e-mail and the UI page.

matplotlib's object API with the Agg canvas (no pyplot, no display, no global state), so charts can be drawn
in a scheduler task or a web request thread. Every chart has a title, labelled axes and dates on the x-axis
where time is involved; axes of counts have whole-number ticks; a chart of many series draws the largest
`MAX_SERIES` in colours told apart by colour-blind readers too, and sums the rest as "others". Names come from
feeds, so each passes through `_label`: a control character would make the SVG invalid XML, and a "$" would
start matplotlib's math mode (and fail on an odd count).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from nkru.untrusted import one_line  # noqa: E402

Row = dict[str, Any]
FORMATS = ("png", "svg")
_BLUE, _ORANGE, _GREY = "#1f77b4", "#ff7f0e", "#9a9a9a"
# Okabe & Ito's colour-blind-safe palette (then the same hues dashed); "others" is grey and dotted.
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MAX_SERIES = 9


def chart_format(path: str | Path) -> str:
    """'png' or 'svg' from a file name; ValueError for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"cannot draw a chart as {Path(path).name!r}: use a .png or .svg file name")
    return suffix


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The chart as PNG or SVG bytes."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph missing from the font (e.g. Hangul) is drawn as a box, not an error
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(buffer, format=fmt, dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def save(fig: Figure, path: str | Path) -> Path:
    """Write the chart to `path`, its format taken from the suffix."""
    path = Path(path)
    path.write_bytes(render(fig, chart_format(path)))
    return path


def volume_chart(rows: Sequence[Row], bucket: str = "day", title: str | None = None) -> Figure:
    """Relevant articles (bars) and new stories (line) per day or week."""
    fig, ax = _figure()
    periods = [r["period"] for r in rows]
    relevant = [r["relevant_articles"] for r in rows]
    ax.bar(periods, relevant, width=_width(bucket), color=_BLUE, label="relevant articles")
    ax.plot(periods, [r["stories"] for r in rows], color=_ORANGE, marker=".", label="new stories")
    _date_axis(ax)
    _count_axis(ax.yaxis)
    ax.set_title(title or f"North Korea–Russia coverage per {bucket}")
    ax.set_xlabel("date (UTC)" if bucket == "day" else "week starting (UTC)")
    ax.set_ylabel(f"count per {bucket}")
    ax.legend(loc="upper left")
    return fig


def feed_volume_chart(rows: Sequence[Row], bucket: str = "day") -> Figure:
    """Relevant articles per source over time: one line for each of the `MAX_SERIES` largest sources, the rest
    summed as "others"."""
    fig, ax = _figure()
    by_feed: dict[str, list[Row]] = {}
    for row in rows:
        by_feed.setdefault(row["feed"], []).append(row)
    series = {feed: [r["relevant_articles"] for r in points] for feed, points in by_feed.items()}
    periods = [r["period"] for r in next(iter(by_feed.values()), [])]
    for n, (name, values) in enumerate(top_series(series).items()):
        ax.plot(periods, values, marker=".", label=_label(name), **_style(n, name.startswith(f"{OTHERS} (")))
    _date_axis(ax)
    _count_axis(ax.yaxis)
    ax.set_title(f"Relevant articles per source per {bucket}")
    ax.set_xlabel("date (UTC)")
    ax.set_ylabel(f"relevant articles per {bucket}")
    ax.legend(loc="upper left", fontsize="small", ncols=2)
    return fig


OTHERS = "others"


def top_series(series: dict[str, list[int]], limit: int = MAX_SERIES) -> dict[str, list[int]]:
    """The `limit` series with the largest totals (largest first), and the rest summed into one "others" series
    (left out when there is no rest, or it is all zero)."""
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0]))
    if len(ranked) <= limit + 1:  # one more line costs less than an "others" line
        return dict(ranked)
    kept, rest = dict(ranked[:limit]), ranked[limit:]
    summed = [sum(values) for values in zip(*(v for _, v in rest), strict=True)]
    if any(summed):
        kept[f"{OTHERS} ({len(rest)})"] = summed
    return kept


def _style(n: int, others: bool = False) -> dict[str, Any]:
    if others:
        return {"color": _GREY, "linestyle": ":"}
    return {"color": _PALETTE[n % len(_PALETTE)], "linestyle": "-" if n < len(_PALETTE) else "--"}


def trend_chart(rows: Sequence[Row], entity: str, bucket: str = "day") -> Figure:
    """One entity's relevant articles per day or week."""
    fig, ax = _figure()
    ax.bar([r["period"] for r in rows], [r["articles"] for r in rows], width=_width(bucket), color=_BLUE)
    _date_axis(ax)
    _count_axis(ax.yaxis)
    ax.set_title(f"{_label(entity)}: relevant articles per {bucket}")
    ax.set_xlabel("date (UTC)" if bucket == "day" else "week starting (UTC)")
    ax.set_ylabel(f"articles per {bucket}")
    return fig


def rising_chart(rows: Sequence[Row], title: str = "Rising entities") -> Figure:
    """Recent articles against the usual level for each rising entity (or pair), highest score on top."""
    names = [_name(r) for r in rows][::-1]
    fig, ax = _figure(height=max(2.5, 0.45 * len(names) + 1.2))
    positions = range(len(names))
    ax.barh([p + 0.2 for p in positions], [r["recent"] for r in rows][::-1], height=0.4, color=_BLUE, label="recent")
    ax.barh([p - 0.2 for p in positions], [r["expected"] for r in rows][::-1], height=0.4, color=_GREY, label="usual")
    ax.set_yticks(list(positions), names)
    _count_axis(ax.xaxis)
    ax.set_title(title)
    ax.set_xlabel("relevant articles in the recent window (usual: baseline rate over the same length)")
    ax.set_ylabel("entity")
    ax.legend(loc="lower right")
    return fig


def cooccur_chart(rows: Sequence[Row], entity: str) -> Figure:
    """How many of an entity's articles name each other entity."""
    names = [_label(f"{r['entity']} ({r['label']})") for r in rows][::-1]
    fig, ax = _figure(height=max(2.5, 0.35 * len(names) + 1.2))
    ax.barh(range(len(names)), [r["articles"] for r in rows][::-1], color=_BLUE)
    ax.set_yticks(range(len(names)), names)
    _count_axis(ax.xaxis)
    entity = _label(entity)
    ax.set_title(f"Named together with {entity}")
    ax.set_xlabel(f"relevant articles naming both (of {rows[0]['entity_articles'] if rows else 0} about {entity})")
    ax.set_ylabel("entity")
    return fig


def feeds_chart(rows: Sequence[Row]) -> Figure:
    """Each feed's recent items per day against its usual rate."""
    names = [_label(r["feed"]) for r in rows][::-1]
    fig, ax = _figure(height=max(2.5, 0.45 * len(names) + 1.2))
    positions = range(len(names))
    recent = [r["recent_per_day"] for r in rows][::-1]
    usual = [r["usual_per_day"] for r in rows][::-1]
    ax.barh([p + 0.2 for p in positions], recent, height=0.4, color=_BLUE, label="recent")
    ax.barh([p - 0.2 for p in positions], usual, height=0.4, color=_GREY, label="usual")
    ax.set_yticks(list(positions), names)
    ax.set_title("Items per day by source: recent window against its usual rate")
    ax.set_xlabel("items per day")
    ax.set_ylabel("feed")
    ax.legend(loc="lower right")
    return fig


def _figure(height: float = 3.6) -> tuple[Figure, Any]:
    fig = Figure(figsize=(8, height), layout="constrained")
    ax = fig.add_subplot()
    ax.grid(axis="both", alpha=0.3)
    ax.set_axisbelow(True)
    return fig, ax


def _date_axis(ax: Any) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(bottom=0)


def _count_axis(axis: Any) -> None:
    """Ticks at whole numbers on an axis of counts (no "2.5 articles")."""
    axis.set_major_locator(MaxNLocator(integer=True))


def _width(bucket: str) -> float:
    return 0.8 * (timedelta(weeks=1) if bucket == "week" else timedelta(days=1)).days


def _name(row: Row) -> str:
    if "entity_a" in row:
        return _label(f"{row['entity_a']} + {row['entity_b']}")
    return _label(f"{row['entity']} ({row['label']})")


def _label(text: str) -> str:
    """A name from a feed as chart text: one line, no control characters, "$" shown as a dollar sign."""
    return one_line(str(text), limit=None).replace("$", r"\$")
