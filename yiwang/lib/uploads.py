"""Checking citizens' attachments by their content, never by their name.

Images are decoded and re-encoded from pixels only, which removes EXIF (GPS position, camera
serial numbers), XMP, comments and text chunks a citizen may not know they are sending, and
turns any polyglot trailer into nothing. PDFs cannot be rebuilt safely here and are kept
byte-for-byte after a structural sanity check; serve them as downloads, never inline.

Choices: GIFs become a PNG of their first frame and animated WebPs keep only their first frame
(attachments are evidence, not animations). ICC colour profiles are dropped with the rest of
the metadata, which may make wide-gamut phone photos look slightly less saturated.
"""

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps

MAX_ATTACHMENT_BYTES: Final = 10 * 1024 * 1024
MAX_ATTACHMENTS: Final = 5
MAX_IMAGE_PIXELS: Final = 40_000_000
JPEG_QUALITY: Final = 90
WEBP_QUALITY: Final = 90
SNIFF_BYTES: Final = 16

ALLOWED_TYPES: Final = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}
)
REJECTION_CODES: Final = (
    "empty_file",
    "too_large",
    "unsupported_type",
    "corrupt_image",
    "corrupt_pdf",
)
EXTENSIONS: Final = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}

_PILLOW_FORMATS: Final = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
_OUTPUT_TYPES: Final = {"image/gif": "image/png"}
_PDF_EOF_WINDOW: Final = 1024
_NAME_MAX: Final = 80
_UNSAFE_NAME_CHARS: Final = re.compile(r'[<>:"/\\|?*]')


class RejectedUpload(Exception):
    """An attachment that cannot be accepted; ``code`` is stable for translation."""

    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CleanFile:
    """What is stored: the cleaned bytes and facts derived from them, not from the upload.

    ``sha256`` and ``size`` describe ``content`` (after re-encoding), so they match the stored
    file. ``safe_name`` is the declared name's stem made harmless, with the sniffed extension.
    """

    content: bytes
    content_type: str
    extension: str
    sha256: str
    size: int
    safe_name: str


def sniff_type(head: bytes) -> str | None:
    """Identify an allowed type from its magic bytes; None for anything else.

    Browsers' declared types and file names are chosen by the sender, so they prove nothing.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_upload(data: bytes, declared_name: str) -> CleanFile:
    """Accept an attachment only as what its content is, re-encoding images without metadata.

    Raises RejectedUpload with code ``empty_file``, ``too_large``, ``unsupported_type``,
    ``corrupt_image`` or ``corrupt_pdf``.
    """
    _check_size(data)
    sniffed = sniff_type(data[:SNIFF_BYTES])
    if sniffed is None:
        raise RejectedUpload(
            code="unsupported_type",
            message="Only JPEG, PNG, GIF and WebP images and PDF documents can be attached.",
        )
    if sniffed == "application/pdf":
        content, content_type = _check_pdf(data), sniffed
    else:
        content_type = _OUTPUT_TYPES.get(sniffed, sniffed)
        content = _encode(_decode_image(data, _PILLOW_FORMATS[sniffed]), content_type)
    extension = EXTENSIONS[content_type]
    return CleanFile(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        safe_name=safe_file_name(declared_name, extension),
    )


def _check_size(data: bytes) -> None:
    """Reject empty and oversized files before any parsing work is spent on them."""
    if not data:
        raise RejectedUpload(code="empty_file", message="The file is empty.")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise RejectedUpload(
            code="too_large",
            message=f"A file may be at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
        )


def _check_pdf(data: bytes) -> bytes:
    """Require the header and an end-of-file marker in the last 1 KB, as PDF readers do.

    This catches truncated uploads and files that only borrowed a PDF header.
    """
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise RejectedUpload(code="corrupt_pdf", message="The PDF file is damaged or incomplete.")
    return data


def _decode_image(data: bytes, pillow_format: str) -> Image.Image:
    """Decode fully and return an upright image carrying pixels and nothing else.

    Pillow raises many exception types on malformed input (OSError, SyntaxError, ValueError,
    struct.error ...), so everything except our own rejection means the image is corrupt.
    """
    try:
        return _load_upright(data, pillow_format)
    except RejectedUpload:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except Exception as error:
        raise RejectedUpload(
            code="corrupt_image", message="The image is damaged or not really an image."
        ) from error


def _load_upright(data: bytes, pillow_format: str) -> Image.Image:
    """Open with only the sniffed decoder, verify, then decode the first frame for real.

    ``verify`` checks structure (PNG checksums) but leaves the image unusable, hence the second
    open; the pixel limit is checked from the header before anything is decompressed. Rotating
    in place and closing the decoded file keeps at most two copies of the pixels in memory.
    """
    with Image.open(io.BytesIO(data), formats=[pillow_format]) as probe:
        _check_pixels(probe.size)
        probe.verify()
    with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
        _check_pixels(image.size)
        image.load()
        _apply_orientation(image)
        return _without_metadata(image)


def _check_pixels(size: tuple[int, int]) -> None:
    """Refuse images whose pixel count would exhaust memory once decompressed.

    The limit is below Pillow's own warning threshold, so no decompression bomb warning (which
    would need process-wide warning filters to turn into an error) is ever reached.
    """
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> RejectedUpload:
    """The rejection for images whose dimensions, not bytes, are too large."""
    return RejectedUpload(
        code="too_large",
        message=f"An image may have at most {MAX_IMAGE_PIXELS // 1_000_000} million pixels.",
    )


def _apply_orientation(image: Image.Image) -> None:
    """Rotate as the EXIF orientation says, since that tag is about to be discarded.

    A broken EXIF block is not worth rejecting a photo for; it is then used as stored.
    """
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        return


def _without_metadata(image: Image.Image) -> Image.Image:
    """Return a new image object holding the pixels, palette and transparency only.

    A copy is a plain image detached from the decoder's file-specific state; its ``info`` (EXIF,
    XMP, ICC profile, comments, text chunks) is then replaced, because some encoders write parts
    of ``info`` back by default. Transparency is pixel data and is kept.
    """
    fresh = image.copy()
    transparency = image.info.get("transparency")
    fresh.info = {} if transparency is None else {"transparency": transparency}
    return fresh


def _encode(image: Image.Image, content_type: str) -> bytes:
    """Encode with explicit options only; nothing is taken from the source file."""
    buffer = io.BytesIO()
    if content_type == "image/jpeg":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    elif content_type == "image/webp":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def safe_file_name(declared_name: str, extension: str) -> str:
    """Keep the citizen's chosen name for display, minus anything that could mislead or break.

    Path parts, control and bidi-override characters (which can make ``gpj.exe`` read as
    ``exe.jpg``) and reserved characters are removed, and the extension is always the sniffed one.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", declared_name))[-1]
    stem, dot, _ = base.rpartition(".")
    if not dot:
        stem = base
    visible = "".join(c for c in stem if not unicodedata.category(c).startswith("C"))
    cleaned = _UNSAFE_NAME_CHARS.sub("", visible).strip(" .")[:_NAME_MAX].strip(" .")
    return f"{cleaned or 'attachment'}.{extension}"
