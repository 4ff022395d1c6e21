"""The UI's charts (Altair, which Streamlit draws with Vega-Lite), built from the same typed
rows the CLI prints: a stock's target prices and forecasts, a digest's ratings and picks."""

from __future__ import annotations

from typing import Any

from report_rag.answer.digest import Digest

RATING_ORDER = ["buy", "outperform", "neutral", "underperform", "sell"]
RATING_COLOURS = ["#1a7f37", "#7bc96f", "#9a9a9a", "#f0883e", "#cf222e"]


def target_chart(rows: list[dict[str, Any]]) -> Any:
    """Target price by broker over time, the rating as colour."""
    import altair as alt

    points = [r for r in rows if r["target"] is not None and r["date"]]
    base = alt.Chart(alt.Data(values=points))
    colour = alt.Color("rating_normalized:N", title="rating",
                       scale=alt.Scale(domain=RATING_ORDER, range=RATING_COLOURS))
    lines = base.mark_line(opacity=0.4).encode(x="date:T", y=alt.Y("target:Q", title="target price"),
                                               detail="broker:N")
    dots = base.mark_point(filled=True, size=90).encode(
        x=alt.X("date:T", title="report date"), y="target:Q", color=colour, shape=alt.Shape("broker:N"),
        tooltip=["broker:N", "date:T", "rating:N", "target:Q", "currency:N", "file:N", "target_page:Q"],
    )
    return (lines + dots).properties(height=280, title="Target price by broker",
                                     usermeta={"embedOptions": {"renderer": "svg"}})


def forecast_chart(rows: list[dict[str, Any]], metric: str) -> Any:
    """One metric's forecasts per fiscal year, a line per broker."""
    import altair as alt

    points = [r for r in rows if r["metric"] == metric]
    return alt.Chart(alt.Data(values=points)).mark_line(point=True).encode(
        x=alt.X("year:O", title="fiscal year"), y=alt.Y("value:Q", title=f"{metric} ({points[0]['unit'] or ''})"),
        color=alt.Color("broker:N"), tooltip=["broker:N", "year:O", "value:Q", "unit:N", "file:N", "page:Q"],
    ).properties(height=260, title=f"Forecast {metric} by broker", usermeta={"embedOptions": {"renderer": "svg"}})




def rating_distribution_chart(digest: Digest) -> Any:
    """How the reports' headline ratings are spread (None when no rating is stored)."""
    import altair as alt

    counts: dict[str, int] = {}
    for record in digest.ratings:
        if record.normalized:
            counts[record.normalized] = counts.get(record.normalized, 0) + 1
    if not counts:
        return None
    data = [{"rating": k, "reports": v} for k, v in counts.items()]
    return alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("rating:N", sort=RATING_ORDER), y="reports:Q",
        color=alt.Color("rating:N", scale=alt.Scale(domain=RATING_ORDER, range=RATING_COLOURS), legend=None),
    ).properties(title="Rating distribution", height=220)


def popular_chart(digest: Digest) -> Any:
    """The most-recommended stocks (joined across name forms), disagreement as colour."""
    import altair as alt

    if not digest.most_recommended:
        return None
    data = [{"stock": f"{s.stock} ({s.code})" if s.code else s.stock, "reports": s.mentions,
             "brokers": ", ".join(s.brokers), "agreement": "brokers disagree" if s.disagreement else "agree"}
            for s in digest.most_recommended]
    return alt.Chart(alt.Data(values=data)).mark_bar().encode(
        y=alt.Y("stock:N", sort="-x", title=None), x="reports:Q", color="agreement:N",
        tooltip=["stock:N", "reports:Q", "brokers:N"],
    ).properties(title="Most recommended stocks", height=220)
