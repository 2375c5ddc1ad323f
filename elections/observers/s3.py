"""Scans in an S3-compatible object store: MinIO is the reference, and the tests run SeaweedFS
(tests/observers/test_s3_store.py). Objects are named ``scans/ab/abcdef...`` by their SHA-256,
as in the folder store, so either store can be copied into the other.

A store that does not answer within its timeouts is a 503 to the client, never a worker held
for as long as the store takes."""

from __future__ import annotations

import hashlib
import io

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

MISSING = {"NoSuchKey", "NoSuchObject"}


class StoreUnavailable(Exception):
    """The object store did not answer, or refused the service's keys."""


def _key(sha256: str) -> str:
    return f"scans/{sha256[:2]}/{sha256}"


class S3Store:
    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str,
        timeout: float = 10,
    ):
        scheme, _, host = endpoint.partition("://")
        # A connection refused is tried again twice, a store that stops answering never: the
        # worst case (3 connects, then one read of ``timeout``) stays inside gunicorn's 30 s.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(3, timeout), read=timeout),
            retries=urllib3.Retry(
                total=2, read=0, backoff_factor=0.2, status_forcelist=(502, 503, 504)
            ),
            maxsize=8,
        )
        self.bucket = bucket
        self.client = Minio(
            host.rstrip("/"),
            access_key=access_key,
            secret_key=secret_key,
            secure=scheme == "https",
            region=region,
            http_client=http,
        )

    def store(self, sha256: str, content: bytes) -> None:
        """Keep the bytes under their digest, once: the same bytes already stored are left as
        they are, and a damaged or replaced object under that name is written again."""
        try:
            try:
                kept = self.client.stat_object(self.bucket, _key(sha256))
                if kept.etag == hashlib.md5(content, usedforsecurity=False).hexdigest():
                    return  # the same bytes (a single-part object's ETag is their MD5)
            except S3Error as error:
                if error.code not in MISSING | {"NoSuchBucket"}:
                    raise
                if error.code == "NoSuchBucket":
                    self.client.make_bucket(self.bucket)
            self.client.put_object(
                self.bucket,
                _key(sha256),
                io.BytesIO(content),
                len(content),
                content_type="application/octet-stream",
            )
        except (MinioException, urllib3.exceptions.HTTPError) as error:
            raise StoreUnavailable(str(error)) from error

    def read(self, sha256: str) -> bytes | None:
        response = None
        try:
            response = self.client.get_object(self.bucket, _key(sha256))
            return response.read()
        except S3Error as error:
            if error.code in MISSING | {"NoSuchBucket"}:
                return None
            raise StoreUnavailable(str(error)) from error
        except (MinioException, urllib3.exceptions.HTTPError) as error:
            raise StoreUnavailable(str(error)) from error
        finally:
            if response is not None:
                response.close()
                response.release_conn()
