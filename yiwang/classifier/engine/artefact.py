"""The model file: one zip of JSON and ``.npy`` arrays, safe to open whatever its origin.

Layout (format ``yiwang-text-classifier``, version ``FORMAT_VERSION``)::

    manifest.json        format, version, labels, config, softmax scale, feature blocks,
                         metrics, training description
    words.json           the word list {word: id} the word blocks refer to
    block<i>_keys.npy    uint64, sorted: the feature keys of block i
    block<i>_idf.npy     float64: their idf
    coef.npy             float32, labels × features: the linear weights
    intercept.npy        float64, one per label

Nothing is unpickled (``np.load(..., allow_pickle=False)``), nothing is executed, every array's
dtype and shape is checked against the manifest, the unpacked size is capped, and every
failure (corrupt, truncated, foreign, wrong version, sha256 mismatch) is a ``ModelFileError``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .learn import Linear
from .model import Config, Fitted, TextClassifier
from .vectorizer import FIELDS, KINDS, Block, BlockSpec, Vectorizer

FORMAT = "yiwang-text-classifier"
FORMAT_VERSION = 2  # 2: config.separate_blocks (an NB-SVM per block)
MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB: far above a real model, far below a zip bomb's aim
MANIFEST = "manifest.json"
WORDS = "words.json"


class ModelFileError(ValueError):
    """The bytes are not a model this engine can load (the message says why)."""


def dumps(model: TextClassifier) -> bytes:
    fitted = model.fitted
    vectorizer = fitted.vectorizer
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(MANIFEST, json.dumps(_manifest(fitted), ensure_ascii=False, indent=1))
        zf.writestr(WORDS, json.dumps(vectorizer.vocabulary, ensure_ascii=False))
        for number, block in enumerate(vectorizer.blocks):
            _write_array(zf, f"block{number}_keys.npy", block.keys)
            _write_array(zf, f"block{number}_idf.npy", block.idf)
        _write_array(zf, "coef.npy", fitted.linear.coef)
        _write_array(zf, "intercept.npy", fitted.linear.intercept)
    return buffer.getvalue()


def loads(data: bytes, sha256: str | None = None) -> TextClassifier:
    """The model in ``data``; with ``sha256``, only if the bytes have that digest."""
    if sha256 is not None:
        if not isinstance(data, bytes | bytearray):
            raise ModelFileError(f"a model file is bytes, not {type(data).__name__}")
        actual = hashlib.sha256(data).hexdigest()
        if not hmac.compare_digest(actual, sha256.strip().lower()):
            raise ModelFileError(f"sha256 mismatch: expected {sha256}, the file has {actual}")
    try:
        with _open(data) as zf:
            return TextClassifier(_fitted(zf))
    except ModelFileError:
        raise
    except Exception as error:  # anything else a hostile or broken file can provoke
        raise ModelFileError(f"not a readable {FORMAT} file: {error}") from error


def save(model: TextClassifier, path: str | os.PathLike[str]) -> str:
    """Write the model atomically to ``path``; returns the file's sha256 (hex)."""
    data = dumps(model)
    target = Path(path)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as tmp:
        tmp.write(data)
    os.replace(tmp.name, target)
    return hashlib.sha256(data).hexdigest()


def load(path: str | os.PathLike[str], sha256: str | None = None) -> TextClassifier:
    return loads(_read(path), sha256)


def read_manifest(source: str | os.PathLike[str] | bytes) -> dict[str, Any]:
    """The manifest of a model file (path or bytes), checked for format and version."""
    data = source if isinstance(source, bytes) else _read(source)
    try:
        with _open(data) as zf:
            return _checked_manifest(zf)
    except ModelFileError:
        raise
    except Exception as error:
        raise ModelFileError(f"not a readable {FORMAT} file: {error}") from error


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read(path: str | os.PathLike[str]) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ModelFileError(f"cannot read the model file {path}: {error}") from error


def _manifest(fitted: Fitted) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "labels": [list(label) for label in fitted.labels],
        "scale": fitted.scale,
        "features": fitted.vectorizer.width,
        "blocks": [
            {
                "field": block.spec.field,
                "kind": block.spec.kind,
                "sizes": list(block.spec.sizes),
                "weight": block.spec.weight,
                "min_df": block.spec.min_df,
                "features": len(block.keys),
            }
            for block in fitted.vectorizer.blocks
        ],
        "config": fitted.config.as_dict(),
        "metrics": fitted.metrics,
        "training": fitted.training,
    }


def _write_array(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    zf.writestr(name, buffer.getvalue())


def _open(data: bytes) -> zipfile.ZipFile:
    if not isinstance(data, bytes | bytearray):
        raise ModelFileError(f"a model file is bytes, not {type(data).__name__}")
    if not data.startswith(b"PK\x03\x04"):
        raise ModelFileError(f"not a {FORMAT} file (not a zip archive)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ModelFileError(f"corrupt or truncated model file: {error}") from error
    if sum(info.file_size for info in zf.infolist()) > MAX_UNPACKED_BYTES:
        raise ModelFileError("the model file unpacks to more than 1 GiB")
    return zf


def _checked_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    if MANIFEST not in zf.namelist():
        raise ModelFileError(f"not a {FORMAT} file: no {MANIFEST}")
    manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"not a {FORMAT} file: the manifest names another format")
    if manifest.get("version") != FORMAT_VERSION:
        raise ModelFileError(
            f"model file version {manifest.get('version')!r} is not supported "
            f"(this engine reads version {FORMAT_VERSION}); train the model again"
        )
    return manifest


def _fitted(zf: zipfile.ZipFile) -> Fitted:
    manifest = _checked_manifest(zf)
    labels = tuple(tuple(_strings(label)) for label in manifest["labels"])
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise ModelFileError("the manifest's labels are missing or repeated")
    blocks = [_block(zf, number, entry) for number, entry in enumerate(manifest["blocks"])]
    width = sum(len(block.keys) for block in blocks)
    coef = _array(zf, "coef.npy", np.float32, (len(labels), width))
    intercept = _array(zf, "intercept.npy", np.float64, (len(labels),))
    config = Config.from_dict(dict(manifest["config"]))
    scale = float(manifest["scale"])
    if not (np.isfinite(scale) and scale > 0):
        raise ModelFileError("the manifest's softmax scale is not a positive number")
    return Fitted(
        labels=labels,
        vectorizer=Vectorizer(blocks, _words(zf), config.text_chars, config.title_in_text),
        linear=Linear(coef, intercept),
        scale=scale,
        config=config,
        metrics=dict(manifest["metrics"]),
        training=dict(manifest["training"]),
    )


def _block(zf: zipfile.ZipFile, number: int, entry: dict[str, Any]) -> Block:
    sizes = (int(entry["sizes"][0]), int(entry["sizes"][1]))
    if entry["field"] not in FIELDS or entry["kind"] not in KINDS or not 1 <= sizes[0] <= sizes[1]:
        raise ModelFileError(f"feature block {number} is not one this engine knows")
    if entry["kind"] == "char" and sizes[1] > 4:
        raise ModelFileError(f"feature block {number}: character n-grams go up to 4")
    spec = BlockSpec(
        entry["field"], entry["kind"], sizes, float(entry["weight"]), int(entry["min_df"])
    )
    count = int(entry["features"])
    keys = _array(zf, f"block{number}_keys.npy", np.uint64, (count,))
    if count > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        raise ModelFileError(f"feature block {number}: the keys are not sorted")
    return Block(spec, keys, _array(zf, f"block{number}_idf.npy", np.float64, (count,)))


def _array(zf: zipfile.ZipFile, name: str, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    array = np.load(io.BytesIO(zf.read(name)), allow_pickle=False)
    if array.dtype != np.dtype(dtype) or array.shape != shape:
        raise ModelFileError(
            f"{name}: expected {np.dtype(dtype)} {shape}, found {array.dtype} {array.shape}"
        )
    return np.ascontiguousarray(array)


def _words(zf: zipfile.ZipFile) -> dict[str, int]:
    words = json.loads(zf.read(WORDS).decode("utf-8"))
    if not isinstance(words, dict) or not all(
        isinstance(word, str) and type(number) is int and number > 0
        for word, number in words.items()
    ):
        raise ModelFileError(f"{WORDS} is not a word list")
    return words


def _strings(value: object) -> list[str]:
    if not (isinstance(value, list) and value and all(isinstance(part, str) for part in value)):
        raise ModelFileError("a label in the manifest is not a list of codes")
    return value
