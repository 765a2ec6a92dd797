"""What the reference comparisons (astropy, pyarrow, asdf) share: a fresh
demo archive served by `s3scope demo --serve`, and the archive's manifest
mapping each object to the blob file that holds its bytes."""

import json
import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def load_manifest(root):
    objects = {}
    for line in (root / "manifest.ndjson").read_text().splitlines():
        entry = json.loads(line)
        if entry["kind"] == "object":
            objects[(entry["bucket"], entry["key"])] = root / entry["blob"]
    return objects


@contextmanager
def demo_archive(binary):
    """Yields (endpoint, objects, env): the server's URL, {(bucket, key): blob path}
    and an environment without AWS settings for running s3scope."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        server = subprocess.Popen([binary, "demo", "--serve", "--port", "0", "--archive-dir", str(archive)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        try:
            endpoint = server.stdout.readline().strip()
            yield endpoint, load_manifest(archive), env
        finally:
            server.terminate()
            server.wait()


def report(uri, problems):
    """Prints `ok` or `FAIL` with the first problems; True when there were none."""
    if problems:
        print(f"FAIL {uri}")
        for problem in problems[:10]:
            print(f"     {problem}")
        return False
    print(f"ok   {uri}")
    return True
