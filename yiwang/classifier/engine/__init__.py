"""yiwang's classification engine: no Django here (see README.md in this folder).

Texts and label paths in, ranked labels with calibrated probabilities out; models are saved
and loaded as one versioned, pickle-free file.
"""

from .artefact import (
    FORMAT,
    FORMAT_VERSION,
    ModelFileError,
    dumps,
    file_sha256,
    load,
    loads,
    read_manifest,
    save,
)
from .keywords import KeywordClassifier, combine
from .model import Config, TextClassifier, TrainingError
from .text import han_share, normalize
from .tokens import tokenize
from .types import (
    ABSTAIN_EMPTY,
    ABSTAIN_LOW_CONFIDENCE,
    ABSTAIN_NO_ALLOWED_LABEL,
    ABSTAIN_NOT_CHINESE,
    Example,
    Label,
    Prediction,
    Suggestion,
)

__all__ = [
    "ABSTAIN_EMPTY",
    "ABSTAIN_LOW_CONFIDENCE",
    "ABSTAIN_NOT_CHINESE",
    "ABSTAIN_NO_ALLOWED_LABEL",
    "FORMAT",
    "FORMAT_VERSION",
    "Config",
    "Example",
    "KeywordClassifier",
    "Label",
    "ModelFileError",
    "Prediction",
    "Suggestion",
    "TextClassifier",
    "TrainingError",
    "combine",
    "dumps",
    "file_sha256",
    "han_share",
    "load",
    "loads",
    "normalize",
    "read_manifest",
    "save",
    "tokenize",
]
