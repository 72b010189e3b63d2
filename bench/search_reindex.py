#!/usr/bin/env python
"""Search indexing benchmark: documents per second through ``do_index_many`` (the reindex path).

    .venv/bin/python bench/search_reindex.py [--documents 20000] [--batch-size 2000]

SQLite by default (a new file in a temporary folder); PostgreSQL when DATABASE_URL is set
(its documents of kind "bench" are deleted at the end). The texts come from the demo
generator. It prints the tokenising rate alone, the whole rate, and the time a million
messages would take at that rate. The last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["YIWANG_VAR_DIR"] = tempfile.mkdtemp(prefix="yiwang-bench-search-")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yiwang.demo.generator import generate_messages
    from yiwang.search.actions import Source, do_index_many
    from yiwang.search.models import Document
    from yiwang.search.tokens import document_tokens

    call_command("migrate", verbosity=0)
    texts = [(m.title, m.content) for m in generate_messages(args.documents, seed=7)]
    sources = [Source("bench", i + 1, t, b) for i, (t, b) in enumerate(texts)]

    start = time.perf_counter()
    for title, body in texts:
        document_tokens(title, body)
    tokenise = time.perf_counter() - start

    start = time.perf_counter()
    do_index_many(sources, args.batch_size)
    whole = time.perf_counter() - start
    Document.objects.filter(kind="bench").delete()

    rate = args.documents / whole
    result = {
        "database": connection.vendor,
        "documents": args.documents,
        "mean_chars": sum(len(t) + len(b) for t, b in texts) / len(texts),
        "tokenise_per_s": round(args.documents / tokenise),
        "index_per_s": round(rate),
        "million_minutes": round(1_000_000 / rate / 60, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
