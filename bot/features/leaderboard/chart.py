"""The /stats picture: accuracy by topic and points over the last weeks, as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, so no global figure state) by `render`, a
pure top-level function (data in, PNG bytes out) that `drawing.ProcessDrawer` runs in a worker process: it
holds the GIL while it draws, which in a thread of the bot's own process stalled the event loop. Matplotlib
is imported inside that function only (or by the worker's fork server): importing it costs a noticeable part
of a second, which start-up and members who never ask for a chart should not pay.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class ChartData:
    title: str
    #: (topic, attempts, correct), in the order shown
    accuracy: tuple[tuple[str, int, int], ...]
    #: (week label like "2 Jun", points), oldest first
    weeks: tuple[tuple[str, int], ...]

    @property
    def empty(self) -> bool:
        return not self.accuracy and not any(points for _, points in self.weeks)


def render(data: ChartData) -> bytes:
    """The chart as PNG bytes. Blocking and GIL-bound: run it in another process (`drawing.ProcessDrawer`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.4), dpi=100)  # a fixed layout: a layout engine costs most of the render
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, width_ratios=(1.1, 1))
    fig.subplots_adjust(left=0.17, right=0.98, bottom=0.2, top=0.84, wspace=0.3)
    if data.accuracy:
        topics = [t for t, _, _ in data.accuracy]
        rates = [100 * k / a if a else 0 for _, a, k in data.accuracy]
        bars = left.barh(topics, rates, color="#4c78a8")
        left.tick_params(axis="y", labelsize=8)
        left.set_xlim(0, 135)  # room for the labels past a full bar
        left.set_xticks([0, 25, 50, 75, 100])
        left.invert_yaxis()
        left.bar_label(bars, labels=[f"{round(r)}% of {a}" for r, (_, a, _) in zip(rates, data.accuracy, strict=True)],
                       padding=3, fontsize=8)
    else:
        left.text(0.5, 0.5, "No scored answers yet", ha="center", va="center", transform=left.transAxes)
        left.set_xticks([])
        left.set_yticks([])
    left.set_title("Accuracy by topic (%)", fontsize=10)
    labels = [w for w, _ in data.weeks]
    values = [p for _, p in data.weeks]
    right.bar(range(len(values)), values, color="#f58518")
    right.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    right.set_title("Points per week", fontsize=10)
    fig.suptitle(data.title, fontsize=11)
    out = io.BytesIO()
    fig.savefig(out, format="png", pil_kwargs={"compress_level": 3})  # less zlib time, holding the GIL
    return out.getvalue()
