"""An S3-compatible store on loopback: moto's standalone server (`python -m moto.server`), a separate process
speaking the S3 protocol as our fake Telegram speaks Telegram's. The gateway, the action server's check,
the console and backup/restore reach it through boto3 exactly as they would reach MinIO or a cloud bucket.
Moto accepts any key pair; `S3Server.env` gives the settings a process needs (MEDIA_URL and the S3_* keys).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ops.stack import APP_BIN

ACCESS_KEY_ID = "musrenbang-test-key"
SECRET_ACCESS_KEY = "s3-secret-never-logged-7f3a9c"


@dataclass
class S3Server:
    url: str

    def env(self, bucket: str, prefix: str = "photos") -> dict[str, str]:
        return {"MEDIA_URL": f"s3://{bucket}/{prefix}", "S3_ENDPOINT_URL": self.url,
                "S3_ACCESS_KEY_ID": ACCESS_KEY_ID, "S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY}

    def settings(self, bucket: str, prefix: str = "photos") -> dict[str, str]:
        """The same as Settings(...) keyword arguments."""
        return {"media_url": f"s3://{bucket}/{prefix}", "s3_endpoint_url": self.url,
                "s3_access_key_id": ACCESS_KEY_ID, "s3_secret_access_key": SECRET_ACCESS_KEY}

    def client(self):  # a boto3 S3 client, to look into the bucket as the test
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=ACCESS_KEY_ID,
                            aws_secret_access_key=SECRET_ACCESS_KEY)

    def make_bucket(self, bucket: str) -> str:
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def keys(self, bucket: str) -> list[str]:
        return sorted(item["Key"] for item in self.client().list_objects_v2(Bucket=bucket).get("Contents", []))


@contextmanager
def s3_server(log: Path) -> Iterator[S3Server]:
    """moto's S3 server on a free loopback port (from the app environment, where moto is installed, so the
    Rasa environment's tests use it too), stopped by its id at the end."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with log.open("wb") as output:
        process = subprocess.Popen([str(APP_BIN / "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
