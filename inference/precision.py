"""Which numeric precision to score in.

bf16 roughly triples CPU throughput where the processor has bf16 matrix instructions (AMX or
AVX512-BF16) and keeps labels and scores within the bounds measured by `benchmarks/speed.py`;
elsewhere bf16 is emulated and slower than fp32, so "auto" falls back to fp32.
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["choose_precision", "cpu_has_bf16"]

PRECISIONS = ("auto", "fp32", "bf16")


@functools.lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """True when /proc/cpuinfo lists AMX-BF16 or AVX512-BF16 (Linux); False elsewhere."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = set()
    for line in info.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return bool({"amx_bf16", "avx512_bf16"} & flags)


def choose_precision(requested: str, device_type: str) -> str:
    if requested not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested != "auto":
        return requested
    if device_type == "cuda":
        return "bf16"
    return "bf16" if cpu_has_bf16() else "fp32"
