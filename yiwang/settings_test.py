"""Test settings: the same file, with fast hashing, immediate tasks and isolated storage."""

import tempfile
from pathlib import Path

from yiwang.settings import *  # noqa: F403
from yiwang.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
YIWANG_SMS_BACKEND = "yiwang.notify.sms.MemorySmsBackend"
YIWANG_GATEWAY_BACKEND = "yiwang.notify.sms.MemoryGatewayBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
PRIVATE_STORAGE_DIR = Path(tempfile.mkdtemp(prefix="yiwang-test-private-"))
STORAGES = {
    "default": {
        "BACKEND": "yiwang.storage.PrivateStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_DIR, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
YIWANG_PII_KEYS = (
    "test2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,"
    "test1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
)
YIWANG_TRACKING_BLOCK = 1  # tests roll the counter back; a cached block would outlive it
YIWANG_HASH_KEY = "test-hash-key-0123456789abcdef"
YIWANG_QUERY_CODE_KEY = "test-query-code-key-0123456789"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that threads in the concurrency tests share the database with
    # SQLite's real locking (shared-cache memory databases fail with "table is locked").
    _test_db = Path(tempfile.mkdtemp(prefix="yiwang-test-db-")) / "test.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}
