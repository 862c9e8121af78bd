"""``Matrix``: a pandas DataFrame that knows what it counts and renders as a heat table.

Examples
--------
>>> import pandas as pd
>>> from mcqual.analysis._frame import Matrix
>>> m = Matrix.build(pd.DataFrame({"a": [1, 0]}, index=["trust", "cost"]), kind="code x case", value="count")
>>> m.loc["trust", "a"], m.kind
(np.int64(1), 'code x case')
>>> "<table" in m._repr_html_()
True
"""
from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd


class Matrix(pd.DataFrame):
    """A result table: a real DataFrame (index, columns, ``.loc``...) plus what it means.

    ``meta`` holds the kind (``"code x case"``), the value (``"count"``), code
    labels from the codebook, and extras such as ``n`` (cases per group) or
    ``tests`` (chi-square/Fisher per code). In Jupyter it shows as a
    heat-styled table with code labels; ``to_long()`` gives the tidy form;
    ``mq.plot.heatmap(m)`` draws it.
    """

    _metadata = ["meta"]

    @property
    def _constructor(self):
        return Matrix

    @classmethod
    def build(cls, frame: pd.DataFrame, *, kind: str, value: str, labels: dict[str, str] | None = None,
              row_name: str = "code", col_name: str = "case", **extra: Any) -> "Matrix":
        m = cls(frame)
        m.index.name = m.index.name or row_name
        m.columns.name = m.columns.name or col_name
        m.meta = {"kind": kind, "value": value, "labels": dict(labels or {}), **extra}
        return m

    # -- what it is ------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        return getattr(self, "meta", None) or {}

    @property
    def kind(self) -> str:
        return self._meta().get("kind", "")

    @property
    def value(self) -> str:
        return self._meta().get("value", "")

    @property
    def labels(self) -> dict[str, str]:
        """Code id -> label for the row (and for a co-occurrence matrix, column) index."""
        return self._meta().get("labels", {})

    @property
    def n(self) -> pd.Series | None:
        """Cases per column group (code_group_matrix), else None."""
        return self._meta().get("n")

    @property
    def tests(self) -> pd.DataFrame | None:
        """Per-code association tests (code_group_matrix), else None."""
        return self._meta().get("tests")

    def column_labels(self) -> list[str]:
        """Column headers for display: ``'employer (n=4)'`` when group sizes are known."""
        n = self.n
        lab = self.labels if (self.kind == "code x code" or self._meta().get("label_columns")) else {}
        out = []
        for c in self.columns:
            text = lab.get(c, str(c))
            if n is not None and c in n.index:
                text = f"{text} (n={int(n[c])})"
            out.append(text)
        return out

    def with_n_labels(self) -> pd.DataFrame:
        """A plain DataFrame with the display headers (``'employer (n=4)'``) as column labels."""
        out = pd.DataFrame(self).copy()
        out.columns = pd.Index(self.column_labels(), name=self.columns.name)
        return out

    def row_labels(self) -> list[str]:
        return [self.labels.get(i, str(i)) for i in self.index]

    def to_long(self) -> pd.DataFrame:
        """Tidy form: one row per cell (row id, column id, value), plus code labels."""
        row, col = self.index.name or "code", self.columns.name or "column"
        df = pd.DataFrame(self).copy()
        df.index.name, df.columns.name = row, col
        long = df.stack(future_stack=True).rename(self.value or "value").reset_index()
        if self.labels:
            long.insert(1, "label", long[row].map(lambda i: self.labels.get(i, str(i))))
        return long

    # -- display ---------------------------------------------------------------
    def __repr__(self) -> str:
        head = f"<{self.kind or 'matrix'}: {self.value}, {self.shape[0]} x {self.shape[1]}>" if self.kind else ""
        n = self.n
        if head and n is not None:
            head += " cases per group: " + ", ".join(f"{k} n={int(v)}" for k, v in n.items())
        return (head + "\n" if head else "") + pd.DataFrame(self).__repr__()

    def _repr_html_(self) -> str:  # pragma: no cover - exercised in tests via string checks
        df = pd.DataFrame(self)
        max_rows = 80
        more = len(df) - max_rows
        if more > 0:
            df = df.iloc[:max_rows]
        view = df.copy()
        view.index = _unique([self.labels.get(i, str(i)) for i in df.index], list(df.index))
        view.columns = _unique(self.column_labels(), list(df.columns))
        numeric = list(view.select_dtypes("number").columns)
        caption = escape(self.meta_caption())
        styler = view.style.set_caption(caption)
        styler = styler.set_table_styles([
            {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold"},
            {"selector": "td", "props": "text-align: right; white-space: pre-wrap; vertical-align: top"},
        ])
        if numeric:
            vals = view[numeric].to_numpy(dtype=float)
            finite = vals[np.isfinite(vals)]
            if finite.size and finite.max() > finite.min():
                try:
                    styler = styler.background_gradient(cmap="Blues", axis=self._meta().get("gradient_axis"),
                                                        subset=numeric)
                except ImportError:  # matplotlib missing: plain table
                    pass
            styler = styler.format({c: self._fmt(view[c]) for c in numeric}, na_rep="")
        else:
            styler = styler.set_properties(**{"text-align": "left", "min-width": "16em"})
        html = styler.to_html()
        if more > 0:
            html += f"<div style='color:#888'>… {more} more rows</div>"
        return html

    def _fmt(self, column: pd.Series) -> str:
        if column.dtype.kind in "iub":
            return "{:,}"
        v = self.value
        if v.endswith("_pct") or str(column.name).endswith("_pct"):
            return "{:.1f}"
        if v in ("share", "jaccard", "c"):
            return "{:.2f}"
        return "{:,.1f}"

    def meta_caption(self) -> str:
        meta = self._meta()
        parts = [f"{self.kind or 'matrix'}: {self.value}"]
        if meta.get("level"):
            parts.append(f"level {meta['level']}")
        if meta.get("within"):
            parts.append(f"within {meta['within']}")
        return ", ".join(parts)


def _unique(labels: list[str], ids: list[Any]) -> list[str]:
    """Display labels, with the id appended where two labels collide (Styler needs unique labels)."""
    if len(set(labels)) == len(labels):
        return labels
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    return [f"{lab} [{i}]" if seen[lab] > 1 else lab for lab, i in zip(labels, ids)]
