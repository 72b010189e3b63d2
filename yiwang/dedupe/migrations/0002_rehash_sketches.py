"""The sketch hashes changed from crc32 per piece to a numpy-computed mix of the piece's code
points (decision 0026): every stored sketch is computed again, 2,000 messages at a time.

It uses ``yiwang.lib.neardup`` as it is when the migration runs; a later change of the hash
brings its own migration like this one.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 2_000


def rehash(apps: Any, schema_editor: Any) -> None:
    from yiwang.lib.neardup import fingerprint

    message_model = apps.get_model("intake", "Message")
    sketch_key = apps.get_model("dedupe", "SketchKey")
    sketch_key.objects.all().delete()
    last = 0
    while True:
        rows = list(
            message_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "content")[:BATCH]
        )
        if not rows:
            return
        keys = []
        for pk, title, content in rows:
            found = fingerprint(title, content)
            if found.usable:
                keys.extend(sketch_key(message_id=pk, key=key) for key in found.keys)
        sketch_key.objects.bulk_create(keys)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("dedupe", "0001_near_duplicates"),
        ("intake", "0005_message_duplicates_checked_at"),
    ]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop, elidable=True)]
