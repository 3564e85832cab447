"""Private files (the file system under var/, or S3) and upload limits."""

from registrasi.settings_parts.core import PRODUCTION, VAR_DIR, env

# Files are private: there is no MEDIA_URL; documents leave only through views that check
# permission. The default is the file system under var/, S3 when AWS_STORAGE_BUCKET_NAME is set.
PRIVATE_FILES_ROOT = VAR_DIR / "private"
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
# Files up to this size go to S3 in one PUT (every upload: MAX_UPLOAD_SIZE is far below).
S3_MULTIPART_THRESHOLD = 64 * 1024 * 1024
if AWS_STORAGE_BUCKET_NAME:
    from boto3.s3.transfer import TransferConfig

    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
            # One PUT read from the upload's temporary file, in the calling thread: boto3's
            # default sends a file over 8 MB in 8 MB parts buffered in memory, several at once
            # on threads (a 10 MB upload's save peaked at 17 MB of Python memory, now 2.2 MB).
            "transfer_config": TransferConfig(
                multipart_threshold=S3_MULTIPART_THRESHOLD, use_threads=False
            ),
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_ROOT), "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# An upload larger than this goes to a temporary file as it arrives (64 KiB at a time); only
# smaller ones are held in memory. With 2 MiB, a 2 MB PDF raised a gunicorn worker's peak by
# about 4 MB more than a 10 KB one (tests/bench/uploads.py; issue 14 wants under 1 MB).
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
