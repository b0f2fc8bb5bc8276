"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, a cloud's object store).

Chosen with ZHICHAN_FILE_STORE=s3; the bucket, endpoint, region and key prefix come from the
ZHICHAN_S3_* settings, the credentials from the environment (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or whatever else boto3 finds: a profile, an instance role). Imported only
when chosen: boto3 is slow to load.
"""

from __future__ import annotations

import threading

from botocore.exceptions import ClientError
from django.conf import settings
from storages.backends.s3 import S3Storage

from zhichan.core.files import TrackedStorageMixin, s3_location


class TrackedS3Storage(TrackedStorageMixin, S3Storage):
    """An S3 storage for private files that follows atomic_with_files() like the disk one.

    Objects are written with the private ACL and never overwritten (a name in use gets a
    suffix, as on disk). url() is unsigned: the app streams every download itself after checking
    access, so it never hands out a link that opens a private object.
    """

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "bucket_name": settings.ZHICHAN_S3_BUCKET,
            "endpoint_url": settings.ZHICHAN_S3_ENDPOINT_URL or None,
            "region_name": settings.ZHICHAN_S3_REGION or None,
            "addressing_style": settings.ZHICHAN_S3_ADDRESSING_STYLE or None,
            "location": s3_location("MEDIA_ROOT"),
            "default_acl": "private",
            "querystring_auth": False,
            "file_overwrite": False,
            "custom_domain": None,
            # An object read (a download, an import file) spills to a temporary file past this.
            "max_memory_size": 8 << 20,
        }

    def get_modified_time(self, name):
        try:
            return super().get_modified_time(name)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(name) from exc
            raise


_stores: dict[tuple, TrackedS3Storage] = {}
_stores_lock = threading.Lock()


def s3_store(location: str) -> TrackedS3Storage:
    """One storage per area and configuration: each holds boto3 clients (one per thread), which
    are slow to make, so they are not made again for every upload or download."""
    key = (
        location,
        settings.ZHICHAN_S3_BUCKET,
        settings.ZHICHAN_S3_ENDPOINT_URL,
        settings.ZHICHAN_S3_REGION,
        settings.ZHICHAN_S3_ADDRESSING_STYLE,
    )
    with _stores_lock:
        if key not in _stores:
            _stores[key] = TrackedS3Storage(location=location)
        return _stores[key]
