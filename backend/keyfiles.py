"""A deployment's own keys, when settings give none: made once in the data dir (mode 0600)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def made_once(path: Path) -> bytes:
    """The key in ``path``: 32 random bytes as hex, written the first time (by whichever
    process gets there first) and read back ever after."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it just now
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
