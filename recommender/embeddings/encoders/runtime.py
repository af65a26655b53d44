"""Process-wide inference settings: CPU threads, whether bf16 is native here, a calibration sample.

In: nothing (reads the CPU, ``os.sched_getaffinity`` and ``OMP_NUM_THREADS``).
Out: ``configure_threads()`` -> the thread count in use; ``native_bf16()`` -> bool;
``calibration_images()`` -> a fixed list of synthetic product-like PIL images for precision checks.
"""

from __future__ import annotations

import os
import threading

import numpy as np
from PIL import Image

_lock = threading.Lock()
_threads: int | None = None


def usable_cpus() -> int:
    # sched_getaffinity honours the container's cpuset; os.cpu_count() reports the host's cores, and
    # running more compute threads than cores makes every batch slower, not faster.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def configure_threads() -> int:
    """Set torch's intra-op threads once per process to the usable CPUs, unless OMP_NUM_THREADS says otherwise.

    An explicit OMP_NUM_THREADS is an operator's decision (e.g. several worker processes sharing the
    cores) and wins. Otherwise one encoding process should use every core: the convolutions scale well
    to the 2-4 cores we run on, and a worker encodes one batch at a time.
    """
    global _threads
    with _lock:
        if _threads is None:
            import torch

            if "OMP_NUM_THREADS" not in os.environ:
                torch.set_num_threads(usable_cpus())
            _threads = torch.get_num_threads()
        return _threads


def native_bf16() -> bool:
    """True where the CPU computes bf16 in hardware (AVX512-BF16 or AMX). Elsewhere bf16 is emulated and
    slower than fp32, so 'auto' never picks it."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    try:
        return any(getattr(cpu, check, lambda: False)() for check in checks)
    except Exception:  # a private API: absent or failing means "don't know", i.e. no
        return False


def calibration_images(*, count: int = 8, size: int = 256, seed: int = 7) -> list[Image.Image]:
    """Deterministic stand-ins for product photos: a textured, shaded object on a light studio background.

    Used by precision='auto' to check bf16 against fp32 without shipping photos. Pure noise would be a
    poor proxy: its activations are atypical and exaggerate (or hide) rounding differences.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    images = []
    for _ in range(count):
        background = 235 + 20 * rng.random(3)
        colour = rng.uniform(20, 230, 3)
        cx, cy = rng.uniform(0.35, 0.65, 2)
        rx, ry = rng.uniform(0.15, 0.35, 2)
        inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0
        shading = 0.6 + 0.4 * (1 - yy)[..., None]
        stripes = 1 + 0.15 * np.sin(2 * np.pi * rng.uniform(4, 20) * (xx + yy))[..., None]
        pixels = np.where(inside[..., None], colour * shading * stripes, background)
        pixels += rng.normal(0, 4, pixels.shape)
        images.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
    return images
