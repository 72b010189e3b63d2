"""Indexes for the public catalogue's filters at a million documents (PostgreSQL only).

The first page of every filter is read in publication order from an index (never by
scanning the newer documents of other years), and its page total is counted from an index
alone (``queries.CataloguePaginator`` counts at most 10,001 rows). The year filter is
``EXTRACT(YEAR FROM generated_on) = <year>`` (``queries.catalogue``): the expression is in
the index; ``generated_on`` is included so that counting needs no table rows. Measured by
``bench/disclosure.py`` (docs/benchmarks.md). Not on SQLite, the embedded default for small
sites: its expression would be a function that only Django's connections define.

State-less (RunPython): the model's ``Meta.indexes`` keep the three indexes of 0001.
"""

from django.db import migrations

NEWEST = "published_at DESC, id DESC"
YEAR = "(EXTRACT(YEAR FROM generated_on))"
INDEXES = {
    "info_year_newest": f"(state, {YEAR}, {NEWEST}) INCLUDE (generated_on)",
    "info_cat_year_newest": f"(category, state, {YEAR}, {NEWEST}) INCLUDE (generated_on)",
    "info_body_year_newest": f"(body_id, state, {YEAR}, {NEWEST}) INCLUDE (generated_on)",
    "info_kind_newest": f"(kind, state, {NEWEST})",
    "info_openness_newest": f"(openness, state, {NEWEST})",
    # The English channel lists what has an English title, often by category.
    "info_english_newest": f"(state, {NEWEST}) WHERE title_en <> ''",
    "info_english_cat_newest": f"(category, state, {NEWEST}) WHERE title_en <> ''",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON disclosure_information {definition}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_annual_reports")]
    operations = [migrations.RunPython(forward, backward)]
