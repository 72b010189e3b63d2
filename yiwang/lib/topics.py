"""Hot topics: the recent days' messages grouped by what they are about, ranked for leaders.

Pure Python with scikit-learn (no Django). See ``topics.md`` next to this file.

1. Each message becomes a TF-IDF vector of its words (rjieba, after the classifier engine's
   normalisation; the title counts twice; one-character words, digits and a short list of
   words every message uses are left out).
2. Two messages are linked when their cosine similarity is at least ``LINK_AT``; a topic is a
   connected group of linked messages. Chains drift, so a member whose similarity to its
   topic's centre falls below ``CENTRE_AT`` is taken out again.
3. A topic is labelled by the words that weigh most in its centre and by the title of the
   message nearest the centre, and ranked by volume, growth (the last day against the days
   before) and public support (votes where the channel has them).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rjieba
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import radius_neighbors_graph

from yiwang.classifier.engine.text import normalize

LINK_AT = 0.45
CENTRE_AT = 0.3
MIN_SIZE = 3
LABEL_WORDS = 5
_WORD = re.compile(r"[^\W\d_]{2,}")
COMMON = frozenset(
    {
        "我们", "你们", "他们", "问题", "希望", "反映", "领导", "相关",
        "部门", "进行", "没有", "一个", "这个", "现在", "目前", "已经",
        "情况", "要求", "请问", "请求", "解决", "处理", "如何", "什么",
        "因为", "所以", "但是", "可以", "还是", "我们的", "谢谢", "您好",
        "尽快", "有关", "关于", "这样", "那么", "如果", "一直", "非常",
        "自己", "时候", "多次", "是否",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Doc:
    id: int
    title: str
    text: str
    day: dt.date
    support: int = 0  # likes minus dislikes where the channel has votes, else 0


@dataclass(frozen=True)
class Topic:
    ids: tuple[int, ...]  # nearest the centre first
    words: tuple[str, ...]
    representative: int
    volume: int
    recent: int  # messages on the last day of the window
    growth: float  # last day against the mean of the days before (1.0: as before)
    support: int
    score: float


def words(doc: Doc) -> list[str]:
    text = normalize(f"{doc.title} {doc.title} {doc.text}")
    return [w for w in rjieba.cut(text) if _WORD.fullmatch(w) and w not in COMMON]


def find_topics(docs: Sequence[Doc], last_day: dt.date, *, min_size: int = MIN_SIZE) -> list[Topic]:
    """Topics of at least ``min_size`` messages, best first."""
    if len(docs) < min_size:
        return []
    vectorizer = TfidfVectorizer(analyzer=words, min_df=2, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no word occurs twice: nothing to group
        return []
    graph = radius_neighbors_graph(
        matrix, radius=1 - LINK_AT, metric="cosine", mode="connectivity", include_self=False
    )
    count, labels = connected_components(graph, directed=False)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    days = sorted({d.day for d in docs})
    topics = []
    for group in range(count):
        members = np.flatnonzero(labels == group)
        if len(members) < min_size:
            continue
        topic = _topic(docs, matrix, members, vocabulary, last_day, len(days))
        if topic is not None and topic.volume >= min_size:
            topics.append(topic)
    return sorted(topics, key=lambda t: (-t.score, -t.volume, t.representative))


def _topic(
    docs: Sequence[Doc],
    matrix: object,
    members: np.ndarray,
    vocabulary: np.ndarray,
    last_day: dt.date,
    window: int,
) -> Topic | None:
    rows = matrix[members]  # type: ignore[index]
    centre = np.asarray(rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(centre)
    if norm == 0:
        return None
    closeness = np.asarray(rows @ (centre / norm)).ravel()
    keep = closeness >= CENTRE_AT
    members, closeness = members[keep], closeness[keep]
    if len(members) == 0:
        return None
    order = np.argsort(-closeness, kind="stable")
    kept = [docs[i] for i in members[order]]
    top_words = tuple(str(w) for w in vocabulary[np.argsort(-centre)[:LABEL_WORDS]])
    per_day = Counter(d.day for d in kept)
    recent = per_day.get(last_day, 0)
    before = (len(kept) - recent) / max(1, window - 1)
    growth = recent / before if before else float(recent > 0) * 2.0
    support = sum(max(0, d.support) for d in kept)
    score = len(kept) * (1 + min(growth, 3.0) / 3) + math.sqrt(support)
    return Topic(
        ids=tuple(d.id for d in kept),
        words=top_words,
        representative=kept[0].id,
        volume=len(kept),
        recent=recent,
        growth=round(growth, 2),
        support=support,
        score=round(score, 2),
    )
