import hashlib
import io
import random
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from yiwang.lib.uploads import (
    ALLOWED_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    RejectedUpload,
    clean_upload,
    safe_file_name,
    sniff_type,
)

GPS_INFO = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _spy_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "SpyCam Industries"
    exif[ORIENTATION] = orientation
    exif[GPS_INFO] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    return exif


def _image_bytes(fmt: str, size: tuple[int, int] = (40, 20), **options: object) -> bytes:
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    image = Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _reject_code(data: bytes, name: str = "upload") -> str:
    with pytest.raises(RejectedUpload) as caught:
        clean_upload(data, name)
    assert caught.value.message
    return caught.value.code


def _png_claiming_size(width: int, height: int) -> bytes:
    """A small PNG whose header claims other dimensions: a decompression bomb's shape."""
    data = bytearray(_image_bytes("PNG", (1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


# --- sniffing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"MZ\x90\x00\x03\x00", None),
        (b"<!DOCTYPE html>", None),
        (b"PK\x03\x04\x14\x00", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_it_sniffs_the_type_from_magic_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_type(head) == expected


def test_exactly_the_sniffable_types_are_allowed() -> None:
    heads = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\0\0\0\0WEBP", b"%PDF-"]
    assert {sniff_type(head) for head in heads} == ALLOWED_TYPES


def test_the_limits_are_ten_megabytes_and_five_files() -> None:
    assert MAX_ATTACHMENT_BYTES == 10 * 1024 * 1024
    assert MAX_ATTACHMENTS == 5


# --- rejections ---------------------------------------------------------------------------


def test_it_rejects_an_empty_file() -> None:
    assert _reject_code(b"", "photo.jpg") == "empty_file"


def test_it_rejects_an_eleven_megabyte_file() -> None:
    assert _reject_code(b"\xff\xd8\xff" + bytes(11 * 1024 * 1024), "photo.jpg") == "too_large"


def test_it_rejects_a_windows_executable_named_like_a_photo() -> None:
    assert _reject_code(b"MZ\x90\x00" + bytes(200), "photo.jpg") == "unsupported_type"


def test_it_rejects_html_named_like_a_pdf() -> None:
    assert _reject_code(b"<html><script>alert(1)</script></html>", "a.pdf") == "unsupported_type"


def test_it_rejects_a_truncated_jpeg() -> None:
    rng = random.Random(7)
    noise = Image.frombytes("RGB", (120, 120), rng.randbytes(120 * 120 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG")
    data = buffer.getvalue()
    assert _reject_code(data[: len(data) // 2], "photo.jpg") == "corrupt_image"


def test_it_rejects_a_png_with_a_broken_checksum() -> None:
    data = bytearray(_image_bytes("PNG"))
    data[-20] ^= 0xFF
    assert _reject_code(bytes(data), "a.png") == "corrupt_image"


def test_it_rejects_a_gif_header_followed_by_garbage_as_corrupt() -> None:
    polyglot = b"GIF89a/*" + b"*/=1;<script>alert(document.cookie)</script>" * 10
    assert _reject_code(polyglot, "avatar.gif") == "corrupt_image"


def test_it_rejects_an_image_with_more_than_forty_megapixels() -> None:
    assert _reject_code(_png_claiming_size(8000, 6000), "bomb.png") == "too_large"


def test_it_rejects_an_image_big_enough_to_trip_pillows_own_bomb_check() -> None:
    assert _reject_code(_png_claiming_size(20000, 20000), "bomb.png") == "too_large"


def test_it_rejects_a_pdf_without_an_end_of_file_marker() -> None:
    assert _reject_code(PDF.replace(b"%%EOF", b""), "a.pdf") == "corrupt_pdf"


def test_it_rejects_a_pdf_whose_end_marker_is_not_near_the_end() -> None:
    assert _reject_code(PDF + bytes(2048), "a.pdf") == "corrupt_pdf"


# --- PDFs ---------------------------------------------------------------------------------


def test_it_keeps_a_pdf_byte_for_byte() -> None:
    clean = clean_upload(PDF, "投诉材料.PDF")
    assert clean.content == PDF
    assert clean.content_type == "application/pdf"
    assert clean.extension == "pdf"
    assert clean.size == len(PDF)
    assert clean.sha256 == hashlib.sha256(PDF).hexdigest()
    assert clean.safe_name == "投诉材料.pdf"


# --- images -------------------------------------------------------------------------------


def test_it_strips_gps_and_camera_data_from_a_jpeg() -> None:
    original = _image_bytes("JPEG", exif=_spy_exif(), comment=b"taken at home")
    assert _open(original).getexif().get_ifd(GPS_INFO)
    assert b"taken at home" in original
    clean = clean_upload(original, "photo.jpg")
    cleaned = _open(clean.content)
    assert dict(cleaned.getexif()) == {}
    assert "exif" not in cleaned.info
    assert "comment" not in cleaned.info
    assert b"SpyCam" not in clean.content
    assert b"taken at home" not in clean.content
    assert (clean.content_type, clean.extension) == ("image/jpeg", "jpg")


def test_it_strips_xmp_and_icc_profiles_from_a_jpeg() -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">CreatorTool=SpyApp</x:xmpmeta>'
    original = _image_bytes("JPEG", xmp=xmp, icc_profile=b"fake-icc-profile-SpyDevice")
    assert b"SpyApp" in original
    assert b"SpyDevice" in original
    clean = clean_upload(original, "photo.jpg")
    assert b"SpyApp" not in clean.content
    assert b"SpyDevice" not in clean.content
    assert "icc_profile" not in _open(clean.content).info


def test_it_applies_the_exif_orientation_before_dropping_it() -> None:
    original = _image_bytes("JPEG", size=(40, 20), exif=_spy_exif(orientation=6))
    assert _open(clean_upload(original, "photo.jpg").content).size == (20, 40)


def test_it_strips_exif_and_text_chunks_from_a_png_and_keeps_its_mode() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 Example Road")
    original = _image_bytes("PNG", exif=_spy_exif(), pnginfo=info)
    clean = clean_upload(original, "screenshot.png")
    cleaned = _open(clean.content)
    assert cleaned.mode == "RGBA"
    assert dict(cleaned.getexif()) == {}
    assert b"SpyCam" not in clean.content
    assert b"Example Road" not in clean.content
    assert (clean.content_type, clean.extension) == ("image/png", "png")


def test_it_keeps_the_palette_and_transparency_of_a_palette_png() -> None:
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    cleaned = _open(clean_upload(buffer.getvalue(), "icon.png").content)
    assert cleaned.mode == "P"
    assert cleaned.convert("RGB").getpixel((0, 0)) == (255, 0, 0)
    assert cleaned.info.get("transparency") == 0


def test_it_strips_exif_from_a_webp() -> None:
    original = _image_bytes("WEBP", exif=_spy_exif())
    assert b"SpyCam" in original
    clean = clean_upload(original, "photo.webp")
    assert b"SpyCam" not in clean.content
    assert dict(_open(clean.content).getexif()) == {}
    assert (clean.content_type, clean.extension) == ("image/webp", "webp")


def test_it_turns_an_animated_gif_into_a_png_of_its_first_frame() -> None:
    frames = [Image.new("RGB", (10, 10), color) for color in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"secret")
    assert b"secret" in buffer.getvalue()
    clean = clean_upload(buffer.getvalue(), "animation.gif")
    cleaned = _open(clean.content)
    assert (clean.content_type, clean.extension) == ("image/png", "png")
    assert cleaned.format == "PNG"
    assert cleaned.convert("RGB").getpixel((0, 0)) == (255, 0, 0)
    assert b"secret" not in clean.content


def test_the_extension_comes_from_the_content_not_the_name() -> None:
    clean = clean_upload(_image_bytes("PNG"), "photo.jpg")
    assert clean.extension == "png"
    assert clean.safe_name == "photo.png"


def test_the_hash_and_size_describe_the_cleaned_content() -> None:
    clean = clean_upload(_image_bytes("JPEG", exif=_spy_exif()), "photo.jpg")
    assert clean.size == len(clean.content)
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("路面塌陷.jpg", "路面塌陷.png"),
        ("../../etc/passwd", "passwd.png"),
        ("C:\\Users\\张三\\照片.JPG", "照片.png"),
        ("invoice\u202egpj.exe", "invoicegpj.png"),
        ('a<b>:"c"|?*.jpg', "abc.png"),
        (".jpg", "attachment.png"),
        ("", "attachment.png"),
        ("  ...  ", "attachment.png"),
        ("x" * 200 + ".jpg", "x" * 80 + ".png"),
    ],
)
def test_it_makes_the_declared_name_safe_for_display(declared: str, expected: str) -> None:
    assert safe_file_name(declared, "png") == expected
