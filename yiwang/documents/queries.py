"""What the message page shows of documents and instructions."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import User
from yiwang.documents.actions import can_add_instruction
from yiwang.documents.forms import LeaderInstructionForm
from yiwang.intake.models import Message


def documents_context(
    user: User, message: Message, form: LeaderInstructionForm | None = None
) -> dict[str, Any]:
    may_add = can_add_instruction(user, message)
    return {
        "forwarding_documents": list(
            message.forwarding_documents.select_related("lead_department", "issued_by")
        ),
        "leader_instructions": list(message.leader_instructions.select_related("entered_by")),
        "instruction_form": (form or LeaderInstructionForm()) if may_add else None,
    }
