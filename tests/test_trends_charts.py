"""What a reader sees in the charts: whole-number ticks on counts, and many sources drawn as the largest few in
colours that can be told apart, plus "others"."""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.colors import to_hex

from nkru.trends import charts

DAYS = [date(2026, 11, 1) + timedelta(days=n) for n in range(6)]


def _volume(counts: list[int]) -> list[dict]:
    return [
        {"period": d, "relevant_articles": c, "stories": c // 2, "articles": c + 1}
        for d, c in zip(DAYS, counts, strict=True)
    ]


def _drawn_ticks(fig, axis: str) -> list[float]:
    charts.render(fig)  # lays the chart out as when saved
    ax = fig.axes[0]
    return list(ax.get_yticks() if axis == "y" else ax.get_xticks())


def test_small_counts_get_whole_number_ticks():
    trend = [{"period": d, "articles": c} for d, c in zip(DAYS, [0, 1, 0, 2, 1, 1], strict=True)]
    named = [{"entity": "Russia", "label": "GPE", "articles": 2, "entity_articles": 3}]
    for fig, axis in (
        (charts.volume_chart(_volume([0, 1, 2, 1, 0, 1])), "y"),
        (charts.trend_chart(trend, "Shoigu"), "y"),
        (charts.cooccur_chart(named, "X"), "x"),
    ):
        ticks = _drawn_ticks(fig, axis)
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


def test_many_sources_are_the_nine_largest_and_others():
    rows = [
        {"feed": f"feed {n:02d}", "period": d, "relevant_articles": n if d == DAYS[0] else 1, "articles": n}
        for n in range(14)
        for d in DAYS
    ]
    fig = charts.feed_volume_chart(rows)
    lines = fig.axes[0].get_lines()
    labels = [line.get_label() for line in lines]
    assert labels == [f"feed {n:02d}" for n in range(13, 4, -1)] + ["others (5)"]
    assert list(lines[-1].get_ydata()) == [0 + 1 + 2 + 3 + 4, 5, 5, 5, 5, 5]  # the five smallest, summed
    styles = {(to_hex(line.get_color()), line.get_linestyle()) for line in lines}
    assert len(styles) == len(lines)  # no two lines look alike


def test_a_few_sources_are_drawn_each_without_others():
    assert list(charts.top_series({"a": [1], "b": [3]})) == ["b", "a"]
    ten = {f"s{n}": [n] for n in range(10)}
    assert len(charts.top_series(ten)) == 10 and not any(k.startswith("others") for k in charts.top_series(ten))
