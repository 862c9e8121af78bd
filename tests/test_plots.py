"""mq.plot.heatmap / mq.plot.bars: labels, annotations, colorbar, PNG and SVG files."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.codebook.model import Code, Codebook
from mcqual.errors import AnalysisError, ExchangeError


@pytest.fixture()
def codebook():
    return Codebook([Code("trust", "Trust", codable=False, color="#d62728"),
                     Code("trust.qa", "Quality assurance", parent="trust"),
                     Code("stack", "Stacking and accumulation of credits across providers", color="#1f77b4")])


@pytest.fixture()
def codings():
    return pd.DataFrame({"transcript_id": ["i1", "i1", "i2", "i3"], "start": [0, 10, 0, 0], "end": [5, 20, 5, 5],
                         "code": ["trust.qa", "stack", "trust.qa", "stack"], "coder": "AB"})


@pytest.fixture()
def attrs():
    return pd.DataFrame({"respondent_group": ["employer", "learner", "learner"]}, index=["i1", "i2", "i3"])


def test_heatmap_labels_annotations_colorbar(codings, codebook):
    m = mq.code_case_matrix(codings, codebook=codebook)
    fig = mq.plot.heatmap(m)
    ax, cbar = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Quality assurance",
                                                            "Stacking and accumulation of credits ac…"]
    xt = ax.get_xticklabels()
    assert [t.get_text() for t in xt] == ["i1", "i2", "i3"] and xt[0].get_rotation() == 45
    assert sorted(t.get_text() for t in ax.texts) == ["0", "0", "1", "1", "1", "1"]
    assert cbar.get_ylabel() == "count"
    assert ax.get_title() == "code x case: count"


def test_heatmap_group_headers_show_n(codings, codebook, attrs):
    m = mq.code_group_matrix(codings, by="respondent_group", value="case_pct", codebook=codebook, attributes=attrs)
    fig = mq.plot.heatmap(m, title="Share of cases")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["employer (n=1)", "learner (n=2)"]
    assert sorted(t.get_text() for t in ax.texts) == ["100 %", "100 %", "50 %", "50 %"]  # % of cases


def test_heatmap_saves_png_and_svg(codings, tmp_path):
    m = mq.cooccurrence(codings, within="transcript", measure="jaccard")
    png = tmp_path / "co.png"
    svg = tmp_path / "co.svg"
    mq.plot.heatmap(m, path=png)
    mq.plot.heatmap(m, path=svg)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()[:600]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["co.png", "co.svg"]  # no temp files left
    with pytest.raises(ExchangeError) as e:
        mq.plot.heatmap(m, path=tmp_path / "co.bmp")
    assert e.value.code == "E600"
    with pytest.raises(ExchangeError):
        mq.plot.heatmap(m, path=tmp_path / "missing" / "co.png")


def test_heatmap_rejects_text_matrix(codings):
    fw = mq.framework_matrix(codings.assign(text="some words here"), cols="code")
    with pytest.raises(AnalysisError):
        mq.plot.heatmap(fw)


def test_bars(codings, codebook, attrs, tmp_path):
    s = mq.code_summary(codings, codebook=codebook)
    fig = mq.plot.bars(s, "cases", codebook=codebook, path=tmp_path / "b.png")
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    assert ax.patches[0].get_width() == 2  # sorted: largest first
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Quality assurance"
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx((214 / 255, 39 / 255, 40 / 255))  # inherited color
    assert (tmp_path / "b.png").exists()
    g = mq.code_group_matrix(codings, by="respondent_group", attributes=attrs)
    fig2 = mq.plot.bars(g)
    assert len(fig2.axes[0].patches) == 4
    assert [t.get_text() for t in fig2.axes[0].get_legend().get_texts()] == ["employer (n=1)", "learner (n=2)"]
    with pytest.raises(AnalysisError):
        mq.plot.bars(s, "nope")


def test_figures_for_a_page_words_labels_transposed_and_stamped(tmp_path):
    """Issue #18 item 6: titles and axes in words, short case labels, long case lists read down, 300 dpi."""
    import pandas as pd
    from PIL import Image

    cases = [f"XX{i:02d}_transcript_deidentified" for i in range(1, 13)]
    m = pd.DataFrame([[i % 3 for i in range(12)], [1] * 12], index=pd.Index(["trust", "cost"], name="code"),
                     columns=pd.Index(cases, name="case"))
    labels = {c: c[:4] for c in cases}
    fig = mq.plot.heatmap(m, title="Codings per theme and case", subtitle="Unreviewed machine suggestions — not findings",
                          xlabel="Case", ylabel="Theme", labels=labels, path=tmp_path / "h.png")
    ax = fig.axes[0]
    # 12 cases > 8: cases become rows, themes columns
    assert [t.get_text() for t in ax.get_yticklabels()] == [c[:4] for c in cases]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["trust", "cost"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Theme", "Case")  # the axis names follow the swap
    assert fig._suptitle.get_text() == "Codings per theme and case"
    assert "not findings" in ax.get_title(loc="left")
    with Image.open(tmp_path / "h.png") as im:
        dpi = im.info.get("dpi", (0, 0))[0]
    assert round(dpi) == 300
    narrow = mq.plot.heatmap(m.iloc[:, :4], labels=labels)
    assert [t.get_text() for t in narrow.axes[0].get_xticklabels()] == ["XX01", "XX02", "XX03", "XX04"]
    assert mq.plot.heatmap(m, transpose=False).axes[0].get_xticklabels()[0].get_text().startswith("XX01_")
