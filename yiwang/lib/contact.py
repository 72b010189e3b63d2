"""Validation, normalisation and masking of the contact data citizens type.

Values are normalised before storage so that lookups (duplicates, rate limits) see one form per
person, and masked before display so that staff screens and receipts reveal as little as needed.
Error messages are English; the Django side translates them by ``code``.
"""

import re
import unicodedata
from datetime import date

from yiwang.lib.text import to_halfwidth

_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")
_MOBILE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")

_EMAIL_MAX = 254
_LOCAL_MAX = 64
_LABEL_MAX = 63
_LOCAL_FORBIDDEN = frozenset('()<>[]\\,;:"@')

_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


class InvalidContact(ValueError):
    """A contact value the citizen has to correct; ``code`` is stable for translation."""

    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize_mobile(raw: str) -> str:
    """Return the bare 11-digit mainland mobile number, however the citizen wrote it.

    Accepts a +86/0086/86 prefix, spaces, dashes and full-width digits, because all of these
    are common when copying a number from a contact card or typing with a Chinese IME.
    """
    compact = _MOBILE_SEPARATORS.sub("", to_halfwidth(raw))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise InvalidContact(
            code="invalid_mobile",
            message="Enter a mainland China mobile number of 11 digits starting with 1.",
        )
    return match.group(1)


def normalize_email(raw: str) -> str:
    """Return the address trimmed and with a lower-case domain, or reject it.

    Only the domain is case-insensitive by standard, so the local part is kept as typed. The
    checks are deliberately basic (no quoted local parts): they catch typos, not every RFC form.
    """
    address = to_halfwidth(raw).strip()
    local, separator, domain = address.rpartition("@")
    if not separator or not _is_valid_local_part(local) or not _is_valid_domain(domain):
        raise _invalid_email()
    normalized = f"{local}@{domain.lower()}"
    if len(normalized) > _EMAIL_MAX:
        raise _invalid_email()
    return normalized


def _invalid_email() -> InvalidContact:
    """Build the single error used for every e-mail problem, so the form shows one message."""
    return InvalidContact(code="invalid_email", message="Enter a valid e-mail address.")


def _has_invisible_or_space(value: str) -> bool:
    """Tell whether the value holds whitespace or control/format characters.

    Such characters are never valid in an address and are a sign of a paste accident or of an
    attempt to make two addresses look the same.
    """
    return any(char.isspace() or unicodedata.category(char).startswith("C") for char in value)


def _is_valid_local_part(local: str) -> bool:
    """Check the part before the @ with the dot-atom rules most mail systems accept."""
    if not 0 < len(local) <= _LOCAL_MAX or _has_invisible_or_space(local):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    return not any(char in _LOCAL_FORBIDDEN for char in local)


def _is_valid_domain(domain: str) -> bool:
    """Check for at least two dot-separated labels of letters, digits and inner hyphens.

    Letters may be non-ASCII so internationalised domains (例子.中国) are accepted.
    """
    labels = domain.split(".")
    if len(labels) < 2 or _has_invisible_or_space(domain):
        return False
    if labels[-1].isdigit():
        return False
    return all(_is_valid_label(label) for label in labels)


def _is_valid_label(label: str) -> bool:
    """Check one domain label: 1-63 characters, alphanumeric or hyphen, no edge hyphen."""
    if not 0 < len(label) <= _LABEL_MAX or label.startswith("-") or label.endswith("-"):
        return False
    return all(char.isalnum() or char == "-" for char in label)


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the 18-character resident ID number (GB 11643) in upper case, or reject it.

    The birth date must exist and not lie after ``today`` (default: the current date), and the
    check character must match. Region codes are not checked against a list because people
    keep numbers issued under region codes that have since been retired.
    """
    candidate = re.sub(r"\s", "", to_halfwidth(raw)).upper()
    if not _ID_NUMBER.fullmatch(candidate):
        raise _invalid_id_number()
    birth = _birth_date(candidate)
    if birth is None or birth > (today or date.today()):
        raise _invalid_id_number()
    if id_number_check_char(candidate[:17]) != candidate[17]:
        raise _invalid_id_number()
    return candidate


def _invalid_id_number() -> InvalidContact:
    """Build the single error used for every ID number problem."""
    return InvalidContact(
        code="invalid_id_number",
        message="Enter a valid 18-character resident identity card number.",
    )


def _birth_date(id_number: str) -> date | None:
    """Read the YYYYMMDD birth date at positions 7-14; None when it is not a real date."""
    digits = id_number[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_number_check_char(first_17_digits: str) -> str:
    """Compute the GB 11643 (ISO 7064 MOD 11-2) check character for 17 digits.

    Public so that tests and fixtures can build valid numbers instead of hard-coding real ones.
    """
    if not re.fullmatch(r"[0-9]{17}", first_17_digits):
        raise ValueError("The check character is computed from exactly 17 digits.")
    pairs = zip(first_17_digits, _ID_WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in pairs)
    return _ID_CHECK_CHARS[total % 11]


def mask_mobile(mobile: str) -> str:
    """Show the first 3 and last 4 digits (138****5678), the usual form on Chinese receipts.

    Anything that is not a normalised mobile is masked completely: masking runs on display
    paths, where showing too much is worse than showing too little.
    """
    if not re.fullmatch(r"1[0-9]{10}", mobile):
        return "****"
    return f"{mobile[:3]}****{mobile[7:]}"


def mask_email(email: str) -> str:
    """Show the first character of the local part and the domain (a***@example.com).

    The domain stays visible because it helps staff spot a mistyped provider without revealing
    who the citizen is.
    """
    local, separator, domain = email.rpartition("@")
    if not separator or not local or not domain:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_id_number(id_number: str) -> str:
    """Keep the first 2 and last 3 characters (35*************123) and star the rest.

    Two leading digits only name the province; the birth date and region in the middle stay
    hidden. Values too short to keep anything safely are starred completely.
    """
    if len(id_number) < 6:
        return "*" * len(id_number)
    return id_number[:2] + "*" * (len(id_number) - 5) + id_number[-3:]


def mask_name(name: str) -> str:
    """Keep the first character of the name and replace the rest with two stars (张**).

    A fixed number of stars hides the length of the given name as well.
    """
    stripped = unicodedata.normalize("NFC", name.strip())
    return f"{stripped[0]}**" if stripped else ""
