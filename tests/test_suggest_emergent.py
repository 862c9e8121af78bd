"""EmergentThemes with the light PCA/KMeans and PCA/HDBSCAN settings and a fake embedder."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.text.embedders import HashingEmbedder

FEES = [f"The exam fee of {i}0 euro was too expensive for my budget" for i in range(8)]
BOSS = [f"My manager never looked at the badge on my profile, case {i}" for i in range(8)]


@pytest.fixture(scope="module")
def segs():
    return mq.segments([mq.Transcript.from_turns("a", [("R", t) for t in FEES + BOSS])])


def test_themes_terms_quotes_nearest_code_and_determinism(segs):
    cb = mq.Codebook([mq.Code("cost", "Cost", definition="exam fee expensive budget"),
                      mq.Code("visibility", "Visibility", definition="manager badge profile")])
    covered = [{"segment_id": segs[0].segment_id, "code": "cost"}]
    em = mq.EmergentThemes(embedder=HashingEmbedder(), reducer="pca", clusterer="kmeans", n_clusters=2)
    em.fit(segs, cb, covered)
    assert em.n_uncovered_ == 15 and sorted(t.size for t in em.themes_) == [7, 8]
    fee = [t for t in em.themes_ if t.size == 7][0]
    assert fee.nearest_code == "cost" and any("fee" in w for w in fee.terms)
    assert all(q in FEES for q in fee.quotes) and len(fee.quotes) == 3
    assert segs[0].segment_id not in fee.segment_ids
    df = em.to_frame()
    assert list(df.columns) == ["theme", "label", "size", "terms", "nearest_code", "similarity", "quotes"]
    again = mq.EmergentThemes(embedder=HashingEmbedder(), reducer="pca", clusterer="kmeans", n_clusters=2)
    assert [t.segment_ids for t in again.fit(segs, cb, covered).themes_] == [t.segment_ids for t in em.themes_]
    new = em.to_codebook(cb, fee.id, parent="cost")
    (added,) = set(new.ids) - set(cb.ids)
    assert added.startswith("cost.") and new[added].examples == fee.quotes and new.history[-1]["op"] == "add"
    assert "<table>" in em._repr_html_()


def test_hdbscan_light_setting(segs):
    em = mq.EmergentThemes(embedder=HashingEmbedder(), reducer="pca", clusterer="hdbscan", min_topic_size=4)
    em.fit(segs)
    assert em.themes_ and all(t.size >= 4 for t in em.themes_)


def test_errors(segs):
    with pytest.raises(SuggestError) as err:
        mq.EmergentThemes(embedder=HashingEmbedder()).fit(segs[:2])
    assert err.value.code == "E405"
    with pytest.raises(SuggestError) as err:
        mq.EmergentThemes().to_frame()
    assert err.value.code == "E401"
