"""trunk post-build hook: write `.br` and `.gz` beside each text or wasm file of the build.

The local server hands these to browsers that accept them (tower-http's ServeDir
precompressed support), so the embedded default sends the `.wasm` brotli'd at quality 11
without compressing on each request. CloudFront compresses on its own, so
scripts/publish-site.sh leaves these files out of the bucket. Runs after
externalize_boot_script.py, in trunk's staging directory (TRUNK_STAGING_DIR).
"""

import gzip
import os
import subprocess
import sys
from pathlib import Path

COMPRESSIBLE = {".wasm", ".js", ".css", ".html", ".svg"}


def main() -> int:
    staging = Path(os.environ["TRUNK_STAGING_DIR"])
    for path in sorted(staging.iterdir()):
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        raw = path.read_bytes()
        brotli = subprocess.run(["brotli", "-q", "11", "-c", str(path)], check=True,
                                capture_output=True).stdout
        gzipped = gzip.compress(raw, compresslevel=9, mtime=0)
        for suffix, packed in ((".br", brotli), (".gz", gzipped)):
            if len(packed) < len(raw):
                Path(f"{path}{suffix}").write_bytes(packed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
