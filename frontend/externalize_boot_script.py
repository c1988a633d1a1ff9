"""trunk post-build hook: move trunk's inline bootstrap <script> into a hashed file.

The site's Content-Security-Policy allows scripts from 'self' only (no 'unsafe-inline'), so
the module script trunk writes inline into index.html would be blocked. This rewrites it as
`<script type="module" src="/boot-<hash>.js" integrity=…>`, cacheable like every other
hashed asset. Runs in trunk's staging directory (TRUNK_STAGING_DIR).
"""

import base64
import hashlib
import os
import re
import sys
from pathlib import Path

INLINE_MODULE = re.compile(r'<script type="module">(.*?)</script>', re.DOTALL)


def main() -> int:
    staging = Path(os.environ["TRUNK_STAGING_DIR"])
    index = staging / "index.html"
    html = index.read_text(encoding="utf-8")
    scripts = INLINE_MODULE.findall(html)
    if len(scripts) != 1:
        print(f"expected one inline module script in index.html, found {len(scripts)}", file=sys.stderr)
        return 1
    code = scripts[0].strip() + "\n"
    data = code.encode("utf-8")
    name = f"boot-{hashlib.sha256(data).hexdigest()[:16]}.js"
    (staging / name).write_bytes(data)
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    tag = f'<script type="module" src="/{name}" integrity="{integrity}" crossorigin="anonymous"></script>'
    index.write_text(INLINE_MODULE.sub(lambda _: tag, html), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
