"""No ID number, phone number or e-mail address in the application's logs.

Every handler of ``settings.LOGGING`` carries this filter: the record's message (arguments
filled in) and its traceback are masked with ``yiwang.lib.pii.mask_numbers`` before any
handler formats them, so a failing query or a logged request line cannot leak a citizen's
number into log files that many people read and keep for long.
"""

from __future__ import annotations

import logging

from yiwang.lib.pii import mask_numbers

_FORMATTER = logging.Formatter()


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_numbers(_FORMATTER.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True
