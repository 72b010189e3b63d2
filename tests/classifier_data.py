"""Small labelled examples written for the tests: three kinds of message a desk receives."""

from __future__ import annotations

import hashlib
import random

from django.utils import timezone

from yiwang.classifier.models import Target, TrainingExample
from yiwang.taxonomy.models import Category

WORDS = {
    "repairs": ["电梯", "漏水", "墙体开裂", "物业", "维修基金", "楼道", "屋顶渗水", "管道"],
    "buses": ["公交车", "站台", "线路", "班次", "公交司机", "首末班", "候车亭", "公交卡"],
    "taxis": ["出租车", "的士", "拒载", "绕路", "计价器", "打车", "网约车", "司机宰客"],
}
FILLER = ["希望", "尽快", "解决", "我们", "小区", "附近", "问题", "反映", "多次", "一直"]


def text_about(kind: str, rng: random.Random) -> tuple[str, str]:
    words = WORDS[kind]
    title = f"{rng.choice(words)}{rng.choice(FILLER)}"
    body = "，".join(rng.choice(words) + rng.choice(FILLER) for _ in range(6)) + "。"
    return title, body


def import_examples(taxonomy: dict[str, Category], per_kind: int, seed: int = 7) -> int:
    """``per_kind`` imported examples of each kind, as ``classifier import`` would store them."""
    rng = random.Random(seed)
    rows = []
    for kind in WORDS:
        for _ in range(per_kind):
            title, text = text_about(kind, rng)
            fingerprint = hashlib.sha256(f"{kind}{title}{text}{rng.random()}".encode()).hexdigest()
            rows.append(
                TrainingExample(
                    target=Target.CATEGORY,
                    title=title,
                    text=text,
                    category=taxonomy[kind],
                    label=kind,
                    source="tests",
                    fingerprint=fingerprint,
                    imported_at=timezone.now(),
                )
            )
    TrainingExample.objects.bulk_create(rows)
    return len(rows)
