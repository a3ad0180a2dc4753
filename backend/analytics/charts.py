"""The notebooks' plots (matplotlib, so a static HTML or PNG export shows them too).

Each function takes what a query of ``backend/analytics`` returned and gives a ``Figure``
built without pyplot (no global state: a notebook displays it, a script saves it).
matplotlib is a dev dependency: import this module only where it is installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from backend.analytics.health import LikelyDuplicate
from backend.analytics.operations import CallCost, Escalation
from backend.analytics.portfolio import FunnelStage, PriceMove
from backend.analytics.timeline import Bar, Knowledge

CURRENT, SUPERSEDED, ACCENT = "#2b6cb0", "#b8c2cc", "#c05621"


def timeline(bars: Sequence[Bar], day: datetime | None = None, title: str = "") -> Figure:
    """One row per value, a bar over its validity interval; superseded values grey."""
    now = datetime.now(UTC)
    rows = list(dict.fromkeys(f"{b.name}: {b.value}" for b in bars))
    fig = Figure(figsize=(11, 0.35 * len(rows) + 1.6))
    ax = fig.subplots()
    for b in bars:
        y = rows.index(f"{b.name}: {b.value}")
        start, end = mdates.date2num(b.start), mdates.date2num(b.end or now)
        ax.barh(
            y,
            max(end - start, 0.3),
            left=start,
            height=0.6,
            color=SUPERSEDED if b.superseded else CURRENT,
            edgecolor="white",
        )
    if day is not None:
        ax.axvline(mdates.date2num(day), color=ACCENT, linestyle="--", linewidth=1.5)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.invert_yaxis()
    if day is not None:  # below the last row, clear of the title
        ax.text(mdates.date2num(day), len(rows) - 0.4, f" {day:%d %b}", color=ACCENT, va="top")
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_title(title or "Facts across valid time (blue: still true, grey: superseded)")
    fig.tight_layout()
    return fig


def knowledge_table(rows: Sequence[Knowledge], day: datetime) -> Figure:
    """What was true on ``day`` against what we knew then; differences highlighted."""
    fig = Figure(figsize=(9, 0.4 * len(rows) + 1.0))
    ax = fig.subplots()
    ax.axis("off")
    table = ax.table(
        cellText=[[r.name, r.true, r.known] for r in rows],
        colLabels=["fact", f"true on {day:%d %b} (as known now)", f"what we knew on {day:%d %b}"],
        loc="center",
        cellLoc="left",
    )
    for i, r in enumerate(rows, 1):
        if r.differs:
            for j in range(3):
                table[i, j].set_facecolor("#fde8d7")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.3)
    return fig


def weekly(weeks: Sequence[datetime], series: dict[str, list[int]], title: str, ylabel: str) -> Figure:
    fig = Figure(figsize=(11, 4))
    ax = fig.subplots()
    for name, values in series.items():
        ax.plot(weeks, values, marker="o", markersize=3, label=name)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, ncol=3)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    fig.tight_layout()
    return fig


def interest_and_bookings(
    weeks: Sequence[datetime],
    interest: dict[str, list[int]],
    booked: dict[str, list[int]],
    suburbs: list[str],
) -> Figure:
    """Callers preferring each suburb (lines) above viewings booked there per week (bars)."""
    fig = Figure(figsize=(11, 6.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    for s in suburbs:
        top.plot(weeks, interest.get(s, [0] * len(weeks)), marker="o", markersize=3, label=s)
    top.set_title("Interest by suburb: callers preferring it at each week's end")
    top.set_ylabel("callers")
    top.legend(fontsize=8, ncol=3)
    width = 6.0 / max(1, len(suburbs))
    for i, s in enumerate(suburbs):
        xs = [mdates.date2num(w) + i * width for w in weeks]
        bottom.bar(xs, booked.get(s, [0] * len(weeks)), width=width, label=s)
    bottom.set_title("Viewings booked per week, by suburb")
    bottom.set_ylabel("viewings")
    bottom.xaxis_date()
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    fig.tight_layout()
    return fig


def funnel(stages: Sequence[FunnelStage]) -> Figure:
    fig = Figure(figsize=(8, 3))
    ax = fig.subplots()
    top = max(1, stages[0].callers) if stages else 1
    ax.barh([s.stage for s in stages], [s.callers for s in stages], color=CURRENT)
    for y, s in enumerate(stages):
        ax.text(s.callers, y, f" {s.callers} ({s.callers / top:.0%})", va="center")
    ax.invert_yaxis()
    ax.set_xlabel("callers")
    ax.set_title("Funnel: first call → viewing → outcome")
    fig.tight_layout()
    return fig


def price_moves(moves: Sequence[PriceMove], most: int = 16) -> Figure:
    """Interest in a listing in the four weeks before and after its price changed: the
    ``most`` changes whose interest moved most (all of them are unreadable on one axis)."""
    total = len(moves)
    moved = sorted(moves, key=lambda m: -abs(m.interest_after - m.interest_before))[:most]
    moves = sorted(moved, key=lambda m: m.changed_at)
    fig = Figure(figsize=(11, 4))
    ax = fig.subplots()
    labels = [
        f"{m.property_id} {m.suburb}\n{m.changed_at:%d %b} {(m.after - m.before) / m.before:+.0%}"
        for m in moves
    ]
    xs = range(len(moves))
    ax.bar(
        [x - 0.2 for x in xs],
        [m.interest_before for m in moves],
        width=0.4,
        label="4 weeks before",
        color=SUPERSEDED,
    )
    ax.bar(
        [x + 0.2 for x in xs],
        [m.interest_after for m in moves],
        width=0.4,
        label="4 weeks after",
        color=CURRENT,
    )
    ax.set_xticks(list(xs), labels, fontsize=7, rotation=60, ha="right")
    ax.set_ylabel("callers taking an interest")
    ax.set_title(f"Price changes and interest: the {len(moves)} of {total} whose interest moved most")
    ax.legend()
    fig.tight_layout()
    return fig


def handoff_flow(paths: Counter[tuple[str, str]]) -> Figure:
    """A Sankey of handoffs: agents handing off (left) to agents taking over (right), each
    band as wide as its count."""
    fig = Figure(figsize=(10, 6))
    ax = fig.subplots()
    ax.axis("off")
    total = sum(paths.values()) or 1
    sources = sorted({s for s, _ in paths}, key=lambda a: -sum(n for (s, _), n in paths.items() if s == a))
    targets = sorted({t for _, t in paths}, key=lambda a: -sum(n for (_, t), n in paths.items() if t == a))
    gap = 0.02

    def stack(names: list[str], side: int) -> dict[str, float]:
        sizes = {a: sum(n for k, n in paths.items() if k[side] == a) / total for a in names}
        y, out = 1.0, {}
        for a in names:
            out[a] = y
            ax.add_patch(
                _box(
                    0.0 if side == 0 else 0.9,
                    y - sizes[a] * (1 - gap * len(names)),
                    sizes[a] * (1 - gap * len(names)),
                )
            )
            ax.text(
                -0.01 if side == 0 else 1.01,
                y - sizes[a] * (1 - gap * len(names)) / 2,
                a,
                ha="right" if side == 0 else "left",
                va="center",
                fontsize=9,
            )
            y -= sizes[a] * (1 - gap * len(names)) + gap
        return out

    left, right = stack(sources, 0), stack(targets, 1)
    scale = 1 - gap * max(len(sources), len(targets))
    colours = [f"C{i}" for i in range(10)]
    for (s, t), n in sorted(paths.items(), key=lambda kv: -kv[1]):
        h = n / total * scale
        y0, y1 = left[s], right[t]
        left[s], right[t] = y0 - h, y1 - h
        verts = [
            (0.1, y0),
            (0.5, y0),
            (0.5, y1),
            (0.9, y1),
            (0.9, y1 - h),
            (0.5, y1 - h),
            (0.5, y0 - h),
            (0.1, y0 - h),
            (0.1, y0),
        ]
        codes = [
            Path.MOVETO,
            Path.CURVE4,
            Path.CURVE4,
            Path.CURVE4,
            Path.LINETO,
            Path.CURVE4,
            Path.CURVE4,
            Path.CURVE4,
            Path.CLOSEPOLY,
        ]
        colour = colours[sources.index(s) % len(colours)]
        ax.add_patch(PathPatch(Path(verts, codes), facecolor=colour, alpha=0.45, edgecolor="none"))
        if n / total > 0.03:
            ax.text(0.5, (y0 + y1) / 2 - h / 2, str(n), ha="center", va="center", fontsize=8)
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(f"Handoff paths from the traces ({sum(paths.values())} handoffs)")
    return fig


def _box(x: float, y: float, h: float):  # type: ignore[no-untyped-def]
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 0.1, h, facecolor="#4a5568")


def latency(samples: dict[str, list[float]]) -> Figure:
    """Distributions (log scale) with p50 / p95 / p99 marked."""
    from backend.analytics.operations import percentiles

    fig = Figure(figsize=(10, 3.8))
    axes = fig.subplots(1, len(samples))
    for ax, (name, values) in zip(axes, samples.items(), strict=True):
        if values:
            ax.hist(values, bins=30, color=CURRENT)
            for p, v in percentiles(values, (50, 95, 99)).items():
                ax.axvline(v, color=ACCENT, linestyle="--", linewidth=1)
                ax.text(
                    v,
                    ax.get_ylim()[1] * 0.9,
                    f" {p} {v:.1f}",
                    color=ACCENT,
                    fontsize=8,
                    rotation=90,
                    va="top",
                )
        ax.set_title(f"{name} latency (ms), n={len(values)}")
        ax.set_xlabel("ms")
    fig.tight_layout()
    return fig


def counts(counter: Counter[int] | Counter[str], title: str, xlabel: str) -> Figure:
    fig = Figure(figsize=(8, 3.2))
    ax = fig.subplots()
    keys = (
        sorted(counter) if all(isinstance(k, int) for k in counter) else [k for k, _ in counter.most_common()]
    )
    ax.bar([str(k) for k in keys], [counter[k] for k in keys], color=CURRENT)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="x", labelrotation=30)
    fig.tight_layout()
    return fig


def escalations(rows: Sequence[Escalation]) -> Figure:
    return counts(Counter(f"{r.trigger}: {r.why[:40]}" for r in rows), "Escalations to a person, and why", "")


def cost(rows: Sequence[CallCost]) -> Figure:
    fig = Figure(figsize=(8, 3))
    ax = fig.subplots()
    by_model = Counter({r.model: 0.0 for r in rows})
    for r in rows:
        by_model[r.model] += r.dollars
    calls = Counter(r.model for r in rows)
    ax.bar(list(by_model), [by_model[m] / calls[m] for m in by_model], color=CURRENT)
    for i, m in enumerate(by_model):
        ax.text(
            i,
            by_model[m] / calls[m],
            f"${by_model[m] / calls[m]:.4f} × {calls[m]} calls",
            ha="center",
            va="bottom",
        )
    ax.set_ylabel("US$ per call")
    ax.set_title("Cost per call by model (tokens × SWITCHBOARD_LLM_PRICES)")
    fig.tight_layout()
    return fig


def churn(by_type: dict[str, Counter[datetime]]) -> Figure:
    """Rows closed per week, stacked by fact type."""
    fig = Figure(figsize=(11, 4))
    ax = fig.subplots()
    weeks = sorted({w for c in by_type.values() for w in c})
    bottom = [0] * len(weeks)
    for name, c in sorted(by_type.items(), key=lambda kv: -sum(kv[1].values())):
        values = [c.get(w, 0) for w in weeks]
        ax.bar(weeks, values, bottom=bottom, width=5, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title("Supersessions per week (fact churn), by fact type")
    ax.set_ylabel("fact rows closed")
    ax.set_ylim(0, max(bottom, default=1) * 1.3)  # headroom: the legend covered the tallest weeks
    ax.legend(fontsize=8, ncol=6, loc="upper left")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    fig.tight_layout()
    return fig


def duplicates(rows: Sequence[LikelyDuplicate]) -> Figure:
    fig = Figure(figsize=(8, 3))
    ax = fig.subplots()
    ax.hist([r.confidence for r in rows], bins=[0.45 + 0.05 * i for i in range(12)], color=CURRENT)
    ax.set_title(f"Likely duplicate callers (same name, different numbers): {len(rows)} pairs")
    ax.set_xlabel("confidence")
    ax.set_ylabel("pairs")
    fig.tight_layout()
    return fig
