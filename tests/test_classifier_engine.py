"""The classification engine: normalisation, training, prediction, abstention, the model file,
the keyword table for the cold start and the hand-over from keywords to the model."""

from __future__ import annotations

import csv
import io
import itertools
import json
import pickle
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from yiwang.classifier.engine import (
    ABSTAIN_EMPTY,
    ABSTAIN_LOW_CONFIDENCE,
    ABSTAIN_NO_ALLOWED_LABEL,
    ABSTAIN_NOT_CHINESE,
    Config,
    Example,
    KeywordClassifier,
    Label,
    ModelFileError,
    Suggestion,
    TextClassifier,
    TrainingError,
    combine,
    dumps,
    file_sha256,
    han_share,
    load,
    loads,
    normalize,
    read_manifest,
    save,
)

HOUSING: Label = ("C01", "C01-02", "C01-02-03")  # a path of depth 3
SCHOOLS: Label = ("C02", "C02-01")
TRAFFIC: Label = ("C03",)
TOPICS: dict[Label, tuple[str, ...]] = {
    HOUSING: ("住房公积金", "公积金贷款", "物业费", "小区电梯", "房屋漏水", "购房合同"),
    SCHOOLS: ("学校食堂", "老师补课", "学生午休", "幼儿园学位", "中学学费", "教育局"),
    TRAFFIC: ("公交线路", "红绿灯", "道路拥堵", "出租车", "停车位", "交通违章"),
}
TEMPLATES = (
    "{a}的问题一直没有解决，{b}也很让人着急。",
    "请问{a}怎么办理？还有{b}归谁管？",
    "我们反映{a}很久了，{b}也没人处理。",
    "关于{a}和{b}，希望有关部门尽快答复。",
)
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TIPDM = DATA / "tipdm2020" / "messages_labelled.csv"


def rows_about(label: Label) -> Iterator[Example]:
    words = TOPICS[label]
    pairs = itertools.permutations(words, 2)
    for number, ((a, b), template) in enumerate(zip(pairs, itertools.cycle(TEMPLATES))):
        title = f"{a}问题" if number % 3 else ""  # some messages come without a title
        yield Example(title, template.format(a=a, b=b), label)


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return [example for label in TOPICS for example in rows_about(label)]


@pytest.fixture(scope="module")
def model(examples: list[Example]) -> TextClassifier:
    return TextClassifier.train(examples)


# Normalisation


def test_normalize_turns_full_width_letters_digits_and_spaces_into_half_width() -> None:
    assert normalize("ＡＢＣ　１２３，好") == "ABC 123,好"


def test_normalize_turns_traditional_chinese_into_simplified() -> None:
    assert normalize("計算機軟體的頭髮問題") == "计算机软件的头发问题"


def test_normalize_strips_html_tags_and_entities() -> None:
    assert normalize("<p>路灯&nbsp;不亮</p><br/>&lt;急&gt;") == "路灯 不亮 <急>"


def test_normalize_drops_greetings_and_closings() -> None:
    text = "尊敬的领导您好！小区路灯坏了。谢谢！此致敬礼"
    assert normalize(text) == "小区路灯坏了。"
    assert normalize("领导你们好：路灯不亮，您好") == "路灯不亮,"


def test_normalize_removes_emoji_and_control_characters() -> None:
    assert normalize("路灯😡不亮\x07\u200b了✅") == "路灯不亮了"


def test_normalize_collapses_whitespace() -> None:
    assert normalize("  路灯 \n\n\t 不亮  ") == "路灯 不亮"


def test_normalize_caps_a_100000_character_text() -> None:
    assert len(normalize("路灯不亮" * 25_000)) == 5_000


def test_han_share_tells_chinese_from_english() -> None:
    assert han_share("小区路灯不亮") == 1.0
    assert han_share("The street lamp is broken") == 0.0
    assert 0.3 < han_share("ETC办理问题") < 0.7
    assert han_share("123 !!!") == 0.0


# Training


def test_training_on_a_single_label_is_refused() -> None:
    only_housing = list(rows_about(HOUSING))
    with pytest.raises(TrainingError, match="at least 2 distinct labels"):
        TextClassifier.train(only_housing)


def test_training_on_examples_without_text_is_refused() -> None:
    empty = [Example("", "  ", HOUSING), Example("", "<br>", SCHOOLS)]
    with pytest.raises(TrainingError, match="no example has any text"):
        TextClassifier.train(empty)


def test_the_model_describes_its_training_and_cross_validated_metrics(
    model: TextClassifier, examples: list[Example]
) -> None:
    assert set(model.labels) == {HOUSING, SCHOOLS, TRAFFIC}
    assert model.training["examples"] == len(examples)
    assert [list(HOUSING), 30] in model.training["labels"]
    assert model.training["config"]["c"] == Config().c
    assert 0 <= model.metrics["macro_f1"] <= 1
    assert len(model.metrics["weights"]) == 4  # one NB-SVM per feature block
    assert sum(model.metrics["weights"]) == pytest.approx(1, abs=1e-3)


# Prediction


def test_predictions_are_ranked_with_probabilities_between_0_and_1(model: TextClassifier) -> None:
    [prediction] = model.predict([("", "小区电梯坏了，物业费却照收")], top=3)
    probabilities = [suggestion.probability for suggestion in prediction.suggestions]
    assert not prediction.abstained
    assert len(probabilities) == 3
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 <= p <= 1 for p in probabilities)
    assert sum(probabilities) <= 1 + 1e-9


def test_a_label_path_of_depth_3_is_predicted_whole(model: TextClassifier) -> None:
    [prediction] = model.predict([("公积金", "住房公积金贷款怎么办理")], top=1)
    assert prediction.suggestions[0].label == HOUSING


def test_a_batch_gives_one_prediction_per_item_in_order(model: TextClassifier) -> None:
    predictions = model.predict(
        [("", "红绿灯坏了，道路拥堵"), ("", ""), ("", "学校食堂太贵，老师补课")], top=1
    )
    assert [p.suggestions[0].label if p.suggestions else None for p in predictions] == [
        TRAFFIC,
        None,
        SCHOOLS,
    ]


def test_an_empty_batch_gives_no_predictions(model: TextClassifier) -> None:
    assert model.predict([]) == []


def test_allowed_keeps_only_those_labels_with_the_models_probabilities(
    model: TextClassifier,
) -> None:
    item = [("", "红绿灯坏了，公交线路也改了")]
    [everything] = model.predict(item, top=3)
    [restricted] = model.predict(item, top=3, allowed=[HOUSING, SCHOOLS])
    assert {s.label for s in restricted.suggestions} == {HOUSING, SCHOOLS}
    unrestricted = {s.label: s.probability for s in everything.suggestions}
    for suggestion in restricted.suggestions:
        assert suggestion.probability == pytest.approx(unrestricted[suggestion.label])


def test_it_abstains_on_empty_and_whitespace_text(model: TextClassifier) -> None:
    predictions = model.predict([("", ""), ("  ", "\n\t "), ("", "<p>&nbsp;</p>")])
    assert all(p.abstained and p.reason == ABSTAIN_EMPTY for p in predictions)
    assert all(p.suggestions == () for p in predictions)


def test_it_abstains_on_english_text(model: TextClassifier) -> None:
    [prediction] = model.predict([("Bus route", "The bus route 12 was changed without notice")])
    assert prediction.abstained
    assert prediction.reason == ABSTAIN_NOT_CHINESE


def test_it_abstains_below_the_minimum_confidence(model: TextClassifier) -> None:
    [prediction] = model.predict([("", "今天天气不错")], min_confidence=0.99)
    assert prediction.abstained
    assert prediction.reason == ABSTAIN_LOW_CONFIDENCE
    assert prediction.suggestions == ()


def test_it_abstains_when_no_label_it_knows_is_allowed(model: TextClassifier) -> None:
    [prediction] = model.predict([("", "红绿灯坏了")], allowed=[("C99",)])
    assert prediction.abstained
    assert prediction.reason == ABSTAIN_NO_ALLOWED_LABEL


def test_explain_gives_words_that_are_in_the_text(model: TextClassifier) -> None:
    text = "小区电梯坏了半年，物业费照收，房屋漏水也没人管"
    words = model.explain("", text, HOUSING, n=4)
    assert 0 < len(words) <= 4
    assert all(word in normalize(text) for word in words)


def test_explanations_leave_out_function_words_and_punctuation(model: TextClassifier) -> None:
    words = model.explain("", "我们的小区电梯坏了,物业费却照收!", HOUSING, n=8)
    assert words
    assert not set(words) & {"的", "我们", "了"}
    assert all(word.strip(",!") == word for word in words)


def test_suggestions_carry_their_words_when_asked(model: TextClassifier) -> None:
    [prediction] = model.predict([("停车位", "出租车乱停，停车位不够")], top=1, explain=3)
    best = prediction.suggestions[0]
    assert best.label == TRAFFIC
    assert 0 < len(best.words) <= 3
    assert all(word in "停车位 出租车乱停,停车位不够" for word in best.words)


def test_explain_gives_nothing_for_a_label_the_model_does_not_know(model: TextClassifier) -> None:
    assert model.explain("", "红绿灯坏了", ("C99",)) == ()


# The model file


def test_a_reloaded_model_predicts_exactly_the_same(model: TextClassifier) -> None:
    items = [("", "红绿灯坏了"), ("公积金", "公积金贷款问题"), ("", "学校食堂")]
    again = loads(dumps(model))
    assert again.labels == model.labels
    assert again.metrics == model.metrics
    assert again.predict(items, explain=2) == model.predict(items, explain=2)


def test_save_returns_the_files_sha256_and_load_checks_it(
    model: TextClassifier, tmp_path: Path
) -> None:
    path = tmp_path / "model.yiwang"
    digest = save(model, path)
    assert digest == file_sha256(path)
    assert load(path, sha256=digest).labels == model.labels
    manifest = read_manifest(path)
    assert manifest["format"] == "yiwang-text-classifier"
    assert manifest["labels"][0] == list(model.labels[0])


def test_a_sha256_mismatch_is_refused(model: TextClassifier) -> None:
    with pytest.raises(ModelFileError, match="sha256 mismatch"):
        loads(dumps(model), sha256="0" * 64)


def test_a_truncated_model_file_is_refused(model: TextClassifier) -> None:
    data = dumps(model)
    for length in (10, len(data) // 2, len(data) - 30):
        with pytest.raises(ModelFileError):
            loads(data[:length])


def test_a_png_is_not_a_model() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    with pytest.raises(ModelFileError, match="not a zip"):
        loads(png)


def test_a_pickle_is_never_unpickled() -> None:
    with pytest.raises(ModelFileError):
        loads(pickle.dumps({"labels": [("C01",)]}))


def test_random_bytes_and_text_are_not_models() -> None:
    for junk in (b"", b"PK\x03\x04" + bytes(range(256)) * 4, random.Random(1).randbytes(5000)):
        with pytest.raises(ModelFileError):
            loads(junk)
    with pytest.raises(ModelFileError, match="bytes, not str"):
        loads("manifest.json")  # type: ignore[arg-type]


def test_a_zip_without_a_manifest_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="no manifest"):
        loads(buffer.getvalue())


def test_a_zip_with_a_pickled_array_is_refused(model: TextClassifier) -> None:
    with_pickle = rewritten(dumps(model), "intercept.npy", pickled_array())
    with pytest.raises(ModelFileError):
        loads(with_pickle)


def test_a_model_file_of_another_version_is_refused(model: TextClassifier) -> None:
    data = dumps(model)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    manifest["version"] = 99
    with pytest.raises(ModelFileError, match="version 99 is not supported"):
        loads(rewritten(data, "manifest.json", json.dumps(manifest).encode()))
    with pytest.raises(ModelFileError, match="version 99"):
        read_manifest(rewritten(data, "manifest.json", json.dumps(manifest).encode()))


def test_a_version_1_model_file_is_refused(model: TextClassifier) -> None:
    """Version 1 files predate ``separate_blocks``: their config would misdescribe them."""
    data = dumps(model)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    manifest["version"] = 1
    manifest["config"].pop("separate_blocks")
    with pytest.raises(ModelFileError, match="version 1 is not supported"):
        loads(rewritten(data, "manifest.json", json.dumps(manifest).encode()))


def test_one_nbsvm_on_all_blocks_still_trains() -> None:
    examples = [
        Example(title, text, label)
        for title, text, label in [
            ("路灯不亮", "小区路灯坏了很久", ("C1",)),
            ("路灯坏了", "路灯晚上不亮", ("C1",)),
            ("噪音扰民", "工地夜间施工噪音", ("C2",)),
            ("施工噪音", "夜里施工太吵", ("C2",)),
        ]
    ]
    joint = TextClassifier.train(examples, Config(separate_blocks=False))
    [prediction] = joint.predict([("路灯", "路灯不亮")])
    assert prediction.suggestions[0].label == ("C1",)
    assert "weights" not in joint.metrics


def test_a_model_file_with_arrays_of_the_wrong_shape_is_refused(model: TextClassifier) -> None:
    buffer = io.BytesIO()
    import numpy as np

    np.save(buffer, np.zeros(1, dtype=np.float64))
    with pytest.raises(ModelFileError, match=r"intercept\.npy"):
        loads(rewritten(dumps(model), "intercept.npy", buffer.getvalue()))


def test_a_missing_file_is_a_model_file_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot read"):
        load(tmp_path / "nowhere.yiwang")


def rewritten(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
    return buffer.getvalue()


def pickled_array() -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    return buffer.getvalue()


# Cold start: keywords, and the hand-over to the model


def test_keywords_match_chinese_substrings_after_normalisation() -> None:
    table = KeywordClassifier({HOUSING: ["公积金", "物业"], TRAFFIC: ["红绿灯"]})
    [best] = table.predict("", "住房公積金貸款怎么办", top=3)
    assert best.label == HOUSING
    assert best.words == ("公积金",)
    assert 0 < best.probability <= 0.6


def test_keywords_in_the_title_weigh_more() -> None:
    table = KeywordClassifier({HOUSING: ["物业"], TRAFFIC: ["红绿灯"]})
    suggestions = table.predict("红绿灯", "物业说红绿灯不归他们管")
    assert [s.label for s in suggestions] == [TRAFFIC, HOUSING]


def test_english_keywords_match_whole_words_in_any_case() -> None:
    table = KeywordClassifier({TRAFFIC: ["bus", "traffic light"], HOUSING: ["rent"]})
    [best] = table.predict("Bus stop", "The TRAFFIC LIGHT near the stop is broken")
    assert best.label == TRAFFIC
    assert set(best.words) == {"bus", "traffic light"}
    assert table.predict("", "My business is in the current building") == []


def test_no_keyword_gives_no_suggestion() -> None:
    table = KeywordClassifier({HOUSING: ["公积金"]})
    assert table.predict("", "今天天气不错") == []


def test_combine_serves_labels_without_training_data_from_keywords_alone() -> None:
    machine = [Suggestion(TRAFFIC, 0.9)]
    table = [Suggestion(HOUSING, 0.5, ("公积金",))]
    blended = combine(machine, table, label_counts={TRAFFIC: 0})
    assert blended == [Suggestion(HOUSING, 0.5, ("公积金",))]


def test_combine_hands_a_label_over_to_the_model_as_its_examples_grow() -> None:
    machine = [Suggestion(HOUSING, 0.9, ("贷款",))]
    table = [Suggestion(HOUSING, 0.3, ("公积金",))]
    probability = {
        count: combine(machine, table, {HOUSING: count}, full_trust_at=50)[0].probability
        for count in (0, 25, 50, 500)
    }
    assert probability[0] == pytest.approx(0.3)
    assert probability[25] == pytest.approx(0.6)
    assert probability[50] == pytest.approx(0.9)
    assert probability[500] == pytest.approx(0.9)
    assert combine(machine, table, {HOUSING: 25})[0].words == ("贷款", "公积金")


def test_combine_ranks_best_first_and_keeps_the_top() -> None:
    machine = [Suggestion(HOUSING, 0.2), Suggestion(TRAFFIC, 0.7), Suggestion(SCHOOLS, 0.1)]
    counts = {HOUSING: 100, TRAFFIC: 100, SCHOOLS: 100}
    blended = combine(machine, [], counts, top=2)
    assert [s.label for s in blended] == [TRAFFIC, HOUSING]


# Real data (a floor, not the benchmark: bench/classifier.py measures the target)


@pytest.mark.realdata
def test_on_real_messages_it_reaches_a_macro_f1_of_085_on_held_out_data() -> None:
    if not TIPDM.exists():
        pytest.skip(f"the TIPDM 2020 messages are not at {TIPDM}")
    from sklearn.metrics import f1_score

    with TIPDM.open(encoding="utf-8") as file:
        rows = [Example(r["title"], r["text"], (r["label"],)) for r in csv.DictReader(file)]
    random.Random(0).shuffle(rows)
    train, held_out = rows[:3000], rows[3000:4000]  # half the file keeps the test quick
    trained = TextClassifier.train(train, Config(calibration_folds=0))
    predictions = trained.predict([(row.title, row.text) for row in held_out], top=1)
    predicted = [p.suggestions[0].label if p.suggestions else ("",) for p in predictions]
    truth = [row.label for row in held_out]
    assert f1_score(truth, predicted, average="macro") >= 0.85
