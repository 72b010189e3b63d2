"""Batches keep the order, the last one holds what is left, and nothing comes from nothing."""

from yiwang.lib.batches import batched


def test_items_come_in_order_in_batches_of_the_size_the_last_one_shorter() -> None:
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]


def test_an_iterator_is_read_once_and_nothing_gives_no_batch() -> None:
    assert list(batched(iter("abc"), 3)) == [["a", "b", "c"]]
    assert list(batched([], 3)) == []
