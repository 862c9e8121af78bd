"""Plots of matrices for reports (``mq.plot``): an annotated heatmap and bar charts, to PNG or SVG.

Figures are built with matplotlib's object API on the Agg canvas (no pyplot
state, no window), are returned for Jupyter to show, and are written only
when ``path=`` is given (atomically: a temporary file, then ``os.replace``).

Examples
--------
>>> import pandas as pd
>>> import mcqual as mq
>>> m = pd.DataFrame({"int-01": [2, 0], "int-02": [1, 3]}, index=["trust", "stacking"])
>>> fig = mq.plot.heatmap(m, title="Codes by case")
>>> fig.axes[0].get_title()
'Codes by case'
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AnalysisError, ExchangeError

__all__ = ["heatmap", "bars", "save_figure"]

FORMATS = {".png", ".svg", ".pdf"}
MAX_LABEL = 40


def _figure(size: tuple[float, float]):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _short(text: Any) -> str:
    s = str(text)
    return s if len(s) <= MAX_LABEL else s[: MAX_LABEL - 1] + "…"


def _labels(matrix: Any, codebook: Any) -> tuple[list[str], list[str]]:
    if hasattr(matrix, "row_labels") and hasattr(matrix, "column_labels"):
        rows, cols = matrix.row_labels(), matrix.column_labels()
    else:
        rows, cols = [str(i) for i in matrix.index], [str(c) for c in matrix.columns]
    if codebook is not None:
        rows = [codebook[i].label if isinstance(i, str) and i in codebook else r for i, r in zip(matrix.index, rows)]
        cols = [codebook[c].label if isinstance(c, str) and c in codebook else r for c, r in zip(matrix.columns, cols)]
    return [_short(r) for r in rows], [_short(c) for c in cols]


def save_figure(fig: Any, path: str | Path, dpi: int = 300) -> Path:
    """Write ``fig`` to ``path`` (.png, .svg or .pdf) atomically; returns the path.

    PNG at 300 dpi by default (print quality); SVG and PDF are vector.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mcqual.export.plots import _figure, save_figure
    >>> out = save_figure(_figure((2, 2)), pathlib.Path(tempfile.mkdtemp()) / "f.svg")
    >>> out.read_text()[:5]
    '<?xml'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExchangeError("E600", f"cannot write a figure as {suffix or 'a file without extension'!r}",
                            path=path, hint="Use a .png, .svg or .pdf file name.")
    from .._atomic import atomic_write

    return atomic_write(path, lambda tmp: fig.savefig(tmp, format=suffix[1:], dpi=dpi, bbox_inches="tight"),
                        suffix=suffix)


def _stamp(fig, ax, title: str | None, subtitle: str | None) -> None:
    """Title, and under it a smaller line saying what the figure counts (red when not findings)."""
    if subtitle:
        import textwrap

        warn = "not findings" in subtitle.lower()
        if fig.get_figwidth() < 6.0:  # room for the line that says what the figure counts
            fig.set_figwidth(6.0)
        subtitle = textwrap.fill(subtitle, width=max(40, int(fig.get_figwidth() * 13)))
        ax.set_title(subtitle, fontsize=8, color="#C00000" if warn else "#555555",
                     fontweight="bold" if warn else "normal", loc="left")
        if title:
            fig.suptitle(title, fontsize=11, x=0.02, ha="left")
    elif title:
        ax.set_title(title)


def heatmap(matrix: Any, *, path: str | Path | None = None, title: str | None = None, cmap: str = "Blues",
            annotate: bool | None = None, fmt: str | None = None, codebook: Any = None, vmin: float | None = None,
            vmax: float | None = None, figsize: tuple[float, float] | None = None, dpi: int = 300,
            subtitle: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
            labels: Any = None, value_label: str | None = None, transpose: bool | int | None = None):
    """An annotated heatmap of a matrix: labelled rows, rotated column labels, colorbar.

    Parameters
    ----------
    matrix : Matrix or numeric DataFrame
        E.g. ``mq.code_case_matrix(...)``; code labels and ``(n=..)`` group
        sizes come from the Matrix (or from ``codebook=``).
    path : str or Path, optional
        Also save the figure (.png, .svg or .pdf).
    annotate : bool, optional
        Write each value in its cell; default when the matrix has at most
        40 x 40 cells.
    fmt : str, optional
        Format of the annotations (default: integers as ``{:,.0f}``, else ``{:.2f}``;
        ``{:.0f} %`` for a ``case_pct`` matrix).
    subtitle : str, optional
        A smaller line under the title, e.g. what the figure counts (red when it says
        "not findings").
    xlabel, ylabel, value_label : str, optional
        Axis and colour-bar names in words (default: the matrix's index/column names).
    labels : dict, optional
        Display names for row and column keys (e.g. short case labels).
    transpose : bool or int, optional
        Swap rows and columns; an int transposes when there are more columns than that
        and fewer rows than columns (a long case list reads down, not across);
        default 8.
    dpi : int
        PNG resolution (300: print quality).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> fig = heatmap(pd.DataFrame({"a": [0.5, 0.25]}, index=["x", "y"]))
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['0.50', '0.25']
    """
    import pandas as pd

    if not isinstance(matrix, pd.DataFrame):
        raise AnalysisError("E503", f"heatmap needs a matrix (DataFrame), not {type(matrix).__name__}")
    try:
        values = pd.DataFrame(matrix).to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise AnalysisError("E503", "heatmap needs numbers in every cell; a framework matrix holds quotes "
                                    "(export it to Excel/Word instead)") from None
    rows, cols = _labels(matrix, codebook)
    if labels:
        rows = [_short(labels.get(k, r)) for k, r in zip(matrix.index, rows)]
        cols = [_short(labels.get(k, c)) for k, c in zip(matrix.columns, cols)]
    names = [getattr(matrix, "index").name, getattr(matrix, "columns").name]
    xlabel = xlabel if xlabel is not None else (str(names[1]) if names[1] else None)
    ylabel = ylabel if ylabel is not None else (str(names[0]) if names[0] else None)
    limit = 8 if transpose is None else transpose
    if transpose is True or (not isinstance(transpose, bool) and isinstance(limit, int)
                             and values.shape[1] > limit and values.shape[0] < values.shape[1]):
        values, rows, cols, xlabel, ylabel = values.T, cols, rows, ylabel, xlabel
    if fmt is None and str(getattr(matrix, "value", "")).endswith("_pct") and hasattr(matrix, "meta"):
        fmt = "{:.0f} %"
    nr, nc = values.shape
    if figsize is None:
        figsize = (min(max(4.0, 0.55 * nc + 0.07 * max((len(r) for r in rows), default=0) + 2.2), 30.0),
                   min(max(3.0, 0.38 * nr + 0.07 * max((len(c) for c in cols), default=0) + 1.4), 40.0))
    fig = _figure(figsize)
    ax = fig.add_subplot()
    finite = values[np.isfinite(values)]
    # counts and percentages start at 0, so a 80 % cell does not look like an empty one
    lo = vmin if vmin is not None else (min(0.0, float(finite.min())) if finite.size else 0.0)
    hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if hi <= lo:
        hi = lo + 1.0
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=lo, vmax=hi, aspect="auto",
                   interpolation="nearest")
    ax.set_xticks(np.arange(nc), labels=cols, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(nr), labels=rows)
    ax.set_xticks(np.arange(nc + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(nr + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    value = value_label or (getattr(matrix, "value", "") if hasattr(matrix, "meta") else "")
    cbar = fig.colorbar(im, ax=ax, shrink=0.8)
    if value:
        cbar.set_label(str(value))
    if finite.size and np.allclose(finite, np.round(finite)):  # counts: whole-number ticks
        from matplotlib.ticker import MaxNLocator

        cbar.locator = MaxNLocator(integer=True)
        cbar.update_ticks()
    if fmt and fmt.endswith("%"):
        from matplotlib.ticker import StrMethodFormatter

        cbar.formatter = StrMethodFormatter("{x:.0f} %")
        cbar.update_ticks()
    if title is None and hasattr(matrix, "meta_caption") and getattr(matrix, "kind", ""):
        title = matrix.meta_caption()
    _stamp(fig, ax, title, subtitle)
    if annotate is None:
        annotate = nr <= 40 and nc <= 40
    if annotate:
        integral = finite.size > 0 and np.allclose(finite, np.round(finite))
        pattern = fmt or ("{:,.0f}" if integral else "{:.2f}")
        mid = lo + (hi - lo) / 2
        size = 9 if max(nr, nc) <= 15 else 7
        for i in range(nr):
            for j in range(nc):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(j, i, pattern.format(v), ha="center", va="center", fontsize=size,
                            color="white" if v > mid else "#222222")
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig


def bars(data: Any, column: str | None = None, *, path: str | Path | None = None, title: str | None = None,
         top: int | None = None, codebook: Any = None, sort: bool = True,
         figsize: tuple[float, float] | None = None, dpi: int = 300, subtitle: str | None = None,
         xlabel: str | None = None):
    """Horizontal bar chart of codes: one column of a matrix (or a Series), or grouped bars.

    Parameters
    ----------
    data : Matrix, DataFrame or Series
        E.g. ``mq.code_summary(...)`` with ``column="cases"``, or a
        ``code_group_matrix`` (one bar per group, grouped by code).
    column : str, optional
        The column to plot; default: every numeric column as grouped bars
        (at most 8).
    top : int, optional
        Only the ``top`` largest rows.
    codebook : Codebook, optional
        Labels and colors (single-series bars take the code's color).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> fig = bars(pd.Series({"trust": 5, "stacking": 2}), title="Cases per code")
    >>> len(fig.axes[0].patches)
    2
    """
    import pandas as pd

    if isinstance(data, pd.Series):
        frame = data.to_frame(data.name or "value")
    elif isinstance(data, pd.DataFrame):
        frame = pd.DataFrame(data)
    else:
        raise AnalysisError("E503", f"bars needs a Series or a DataFrame, not {type(data).__name__}")
    if column is not None:
        if column not in frame.columns:
            raise AnalysisError("E503", f"no column {column!r}; have {', '.join(map(str, frame.columns))}")
        frame = frame[[column]]
    frame = frame.select_dtypes("number")
    if frame.shape[1] == 0:
        raise AnalysisError("E503", "bars needs at least one numeric column")
    frame = frame.iloc[:, :8]
    if sort:
        frame = frame.loc[frame.sum(1).sort_values(ascending=False, kind="stable").index]
    if top is not None:
        frame = frame.iloc[:top]
    labels_map = getattr(data, "labels", None) if hasattr(data, "meta") else None
    rows = []
    for i in frame.index:
        if codebook is not None and isinstance(i, str) and i in codebook:
            rows.append(_short(codebook[i].label))
        elif labels_map:
            rows.append(_short(labels_map.get(i, i)))
        else:
            rows.append(_short(i))
    col_labels = [str(c) for c in frame.columns]
    n_ = getattr(data, "n", None) if hasattr(data, "meta") else None
    if n_ is not None:
        col_labels = [f"{c} (n={int(n_[c])})" if c in n_.index else str(c) for c in frame.columns]
    nr, nc = frame.shape
    if figsize is None:
        figsize = (7.0, min(max(2.5, 0.3 * nr * max(1, nc * 0.6) + 1.2), 40.0))
    fig = _figure(figsize)
    ax = fig.add_subplot()
    y = np.arange(nr)
    height = 0.8 / nc
    for j in range(nc):
        vals = frame.iloc[:, j].to_numpy(dtype=float)
        if nc == 1 and codebook is not None:
            color = [codebook.color(i) if isinstance(i, str) and i in codebook else "#1f77b4" for i in frame.index]
        else:
            color = None
        ax.barh(y + (j - (nc - 1) / 2) * height, vals, height=height, color=color, label=col_labels[j])
    ax.set_yticks(y, labels=rows)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    if nc > 1:
        ax.legend(frameon=False, fontsize=8)
        if xlabel:
            ax.set_xlabel(xlabel)
    else:
        ax.set_xlabel(xlabel or col_labels[0])
    _stamp(fig, ax, title, subtitle)
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
