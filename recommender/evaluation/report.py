"""Reports: the evaluation dict in, a JSON file and a PNG chart under MEDIA_ROOT/reports/ out (relative paths).

The chart: one group of bars per source (single sources, then the blends), NDCG@k, precision@k, recall@k and
coverage side by side, values on [0, 1]. matplotlib with the Agg backend (no display needed).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

METRICS = ("ndcg", "precision", "recall", "coverage")
REPORTS = "reports"


def report_write(result: dict, *, name: str = "evaluation", now: datetime | None = None) -> tuple[str, str | None]:
    """(json path, png path or None), both relative to MEDIA_ROOT."""
    stamp = (now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    folder = Path(settings.MEDIA_ROOT) / REPORTS
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{name}-{stamp}.json"
    json_path.write_text(json.dumps(result, indent=2, sort_keys=True))
    chart = None
    if result.get("sources"):
        png_path = folder / f"{name}-{stamp}.png"
        chart_draw(result, png_path)
        chart = f"{REPORTS}/{png_path.name}"
    return f"{REPORTS}/{json_path.name}", chart


def chart_draw(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    names = list(result["sources"])
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=90)
    width = 0.8 / len(METRICS)
    for i, metric in enumerate(METRICS):
        values = [result["sources"][n].get(metric, 0.0) for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=f"{metric}@{result['k']}"
               if metric != "coverage" else metric)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names, rotation=20, fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title(f"Held-out carts and purchases, {result.get('shoppers', 0)} shoppers, k={result['k']}", fontsize=9)
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
