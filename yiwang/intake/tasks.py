"""Background work of intake. Each task body is one call to an idempotent action."""

from django_tasks import task

from yiwang.intake.actions import do_process_new_message


@task()
def process_new_message(message_id: int) -> None:
    do_process_new_message(message_id)
