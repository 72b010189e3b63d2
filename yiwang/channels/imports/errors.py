"""What is wrong with a whole file, in the reader's language, with its row and column."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yiwang.lib.streamtables import TableError
from yiwang.lib.tables import RowError


def file_error(exc: TableError) -> RowError:
    messages = {
        "unknown_encoding": _("The file is neither UTF-8 nor GBK/GB18030 text."),
        "bad_encoding": _(
            "This line is not %(encoding)s text like the lines before it; save the whole file "
            "in one encoding (CSV UTF-8 is best)."
        ),
        "bad_csv": _("This line cannot be read as CSV (an unclosed quote or a huge cell)."),
        "empty": _("The file is empty."),
        "duplicate_header": _("The header names a column twice."),
        "not_xlsx": _("The file is not a readable .xlsx workbook."),
        "wrong_sheet": _("The workbook has no sheet named %(sheet)s (it has: %(sheets)s)."),
        "merged_cells": _(
            "Cells %(cells)s are merged; unmerge them and fill every cell before importing."
        ),
        "too_many_rows": _("The file has more rows than an import may have; split it."),
    }
    template = messages.get(exc.code)
    message = template % exc.params if template is not None else str(exc)
    return RowError(exc.row, exc.column, message)
