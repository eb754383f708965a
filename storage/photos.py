"""Where citizens' photos live: one store, chosen by the settings, that every process reads and writes.

`store_of(config)` gives the store of MEDIA_URL (an S3-compatible bucket) or else MEDIA_DIR (a directory, a
shared volume across machines); bot/media.py (what counts as a photo, the gateway's writes, the console's
reads, the sweep), the action server's check (core/proposal_rules.photo_ref_ok) and ./musrenbang backup and
restore all go through it. Both backends have the same interface and both make a photo appear whole or not
at all. Here, not in bot/, because the action server uses it too (no Pillow there). boto3 is imported only
when MEDIA_URL is set; the keys come from S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY and never appear in a message.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from core import settings

STORED_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}\.(jpg|png|webp)\Z")  # a reference that may be read back
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class Unavailable(Exception):
    """The photo cannot be fetched or kept now (the platform, or the photo store, has trouble): the citizen
    is asked to send it again."""


def readable(name: str | None) -> bool:
    """Whether `name` has the shape of a photo reference (without looking at the store)."""
    return bool(name and STORED_RE.match(name))


class MediaStore(Protocol):
    """Where photos live; every method blocks (bot/media.py's async helpers run them off the event loop)."""

    where: str  # for messages and logs: the folder or s3://bucket/prefix, never a secret

    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes | None: ...
    def exists(self, name: str) -> bool: ...
    def listing(self) -> Iterator[tuple[str, float]]: ...  # every stored name and its time (epoch seconds)
    def delete(self, name: str) -> None: ...


class DirectoryStore:
    """Photos as files in one folder (MEDIA_DIR)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = str(folder)

    def put(self, name: str, data: bytes) -> None:
        """Write the file under a temporary name, then rename it: readers see all of it or nothing."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{name}.part"
        partial.write_bytes(data)
        partial.replace(self.folder / name)

    def _path(self, name: str) -> Path | None:
        """The file of a photo reference, never outside the folder."""
        if not readable(name):
            return None
        root = self.folder.resolve()
        path = (root / name).resolve()
        return path if path.parent == root else None

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return path.read_bytes() if path is not None else None
        except (FileNotFoundError, IsADirectoryError):
            return None

    def exists(self, name: str) -> bool:
        path = self._path(name)
        return path is not None and path.is_file()

    def listing(self) -> Iterator[tuple[str, float]]:
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            try:
                if path.is_file():
                    yield path.name, path.stat().st_mtime
            except FileNotFoundError:  # another gateway swept it meanwhile
                continue

    def delete(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)


class S3Store:
    """Photos as objects under a prefix of a bucket of an S3-compatible service (boto3)."""

    def __init__(self, bucket: str, prefix: str, client: object) -> None:
        self.bucket, self.prefix, self.client = bucket, prefix, client
        self.where = f"s3://{bucket}/{prefix}"

    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _call(self, method: str, **arguments: object) -> dict:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **arguments)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise KeyError(arguments.get("Key")) from None
            raise Unavailable(f"{self.where}: {method} answered {code or 'an error'}") from None
        except BotoCoreError as error:  # no connection, timeouts: the message names the endpoint, no secret
            raise Unavailable(f"{self.where}: {method} failed ({type(error).__name__})") from None

    def put(self, name: str, data: bytes) -> None:
        match = STORED_RE.match(name)
        content_type = CONTENT_TYPES[match.group(1)] if match else "application/octet-stream"
        self._call("put_object", Key=self._key(name), Body=data, ContentType=content_type)

    def get(self, name: str) -> bytes | None:
        if not readable(name):
            return None
        try:
            return self._call("get_object", Key=self._key(name))["Body"].read()
        except KeyError:
            return None

    def exists(self, name: str) -> bool:
        if not readable(name):
            return False
        try:
            self._call("head_object", Key=self._key(name))
            return True
        except KeyError:
            return False

    def listing(self) -> Iterator[tuple[str, float]]:
        token: str | None = None
        while True:
            page = self._call("list_objects_v2", Prefix=self.prefix,
                              **({"ContinuationToken": token} if token else {}))
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if name and "/" not in name:
                    yield name, item["LastModified"].timestamp()
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def delete(self, name: str) -> None:
        try:
            self._call("delete_object", Key=self._key(name))
        except KeyError:
            pass

    def check(self) -> None:
        """ConfigError when the bucket cannot be used (missing, refused keys, no service there)."""
        try:
            self._call("head_bucket")
        except (KeyError, Unavailable) as error:
            reason = "no such bucket" if isinstance(error, KeyError) else str(error)
            raise settings.ConfigError(f"MEDIA_URL: the photo store {self.where} cannot be used: {reason}") from None


@functools.lru_cache(maxsize=8)
def _s3_store(media_url: str, endpoint: str, region: str, key_id: str, secret: str) -> S3Store:
    """One client per process and configuration (boto3 clients are thread-safe; making one takes a while)."""
    import boto3
    from botocore.config import Config

    bucket, prefix = settings.s3_location(media_url)
    options = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"},
                     s3={"addressing_style": "path"} if endpoint else {})
    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint or None, region_name=region, aws_access_key_id=key_id or None,
        aws_secret_access_key=secret or None, config=options)
    return S3Store(bucket, prefix, client)


def store_of(where: settings.Settings | Path | MediaStore) -> MediaStore:
    """The store of these settings (MEDIA_URL, else MEDIA_DIR); a folder (tools, tests) or a store as given."""
    if isinstance(where, settings.Settings):
        if where.media_url:
            return _s3_store(where.media_url, where.s3_endpoint_url, where.s3_region, where.s3_access_key_id,
                             where.s3_secret_access_key)
        return DirectoryStore(where.media_dir)
    if isinstance(where, Path):
        return DirectoryStore(where)
    return where


def check_store(config: settings.Settings) -> None:
    """At a process's start: an S3 store it cannot use stops the start with the reason (ConfigError)."""
    store = store_of(config)
    if isinstance(store, S3Store):
        store.check()


