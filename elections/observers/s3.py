"""Scans in an S3-compatible object store: MinIO is the reference, and the tests run SeaweedFS
(tests/observers/test_s3_store.py). Objects are named ``scans/ab/abcdef...`` by their SHA-256,
as in the folder store, so either store can be copied into the other.

A store that does not answer within its timeouts is a 503 to the client, never a worker held
for as long as the store takes."""

from __future__ import annotations

import io
import time

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
        max_bytes: int = 16 * 1024 * 1024,
    ):
        scheme, _, host = endpoint.partition("://")
        # A connection refused is tried again twice; a store that answers slowly, or answers
        # an error (with or without Retry-After), is not: the worst case stays near 3 connect
        # attempts and one ``timeout`` per request, inside gunicorn's 30 s.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(3, timeout), read=timeout),
            retries=urllib3.Retry(
                total=2,
                connect=2,
                read=0,
                status=0,
                other=0,
                backoff_factor=0.2,
                respect_retry_after_header=False,
            ),
            maxsize=8,
        )
        self.bucket, self.timeout, self.max_bytes = bucket, timeout, max_bytes
        self.client = Minio(
            host.rstrip("/"),
            access_key=access_key,
            secret_key=secret_key,
            secure=scheme == "https",
            region=region,
            http_client=http,
        )

    def store(self, sha256: str, content: bytes) -> None:
        """Keep the bytes under their digest. Written every time: the same bytes again change
        nothing, and a damaged or replaced object under that name is mended (an ETag cannot
        tell: a multipart upload's is not the MD5 of the bytes). The bucket must exist."""
        try:
            self.client.put_object(
                self.bucket,
                _key(sha256),
                io.BytesIO(content),
                len(content),
                content_type="application/octet-stream",
                part_size=max(len(content), 5 * 1024 * 1024),  # one PUT for a scan
            )
        except (MinioException, urllib3.exceptions.HTTPError) as error:
            raise StoreUnavailable(str(error)) from error

    def read(self, sha256: str) -> bytes | None:
        """The object's bytes, None when there is none under that name; StoreUnavailable when
        the store fails, the bucket is missing, or the object is larger than any scan or
        takes longer than ``timeout`` in all to arrive (a store that trickles holds no one)."""
        response = None
        try:
            response = self.client.get_object(self.bucket, _key(sha256))
            return self._body(response)
        except S3Error as error:
            if error.code in MISSING:
                return None
            raise StoreUnavailable(str(error)) from error
        except (MinioException, urllib3.exceptions.HTTPError) as error:
            raise StoreUnavailable(str(error)) from error
        finally:
            if response is not None:
                response.close()
                response.release_conn()

    def _body(self, response) -> bytes:
        deadline = time.monotonic() + self.timeout
        chunks, size = [], 0
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes or time.monotonic() > deadline:
                raise StoreUnavailable("the object is too large, or arrives too slowly")
            chunks.append(chunk)
        return b"".join(chunks)
