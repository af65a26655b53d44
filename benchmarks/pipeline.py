"""Throughput benchmark for the image pipeline: ``python -m benchmarks.pipeline [--images DIR]``.

In: a folder of JPEG/PNG/WebP/GIF files (default: ../shared/data/fashion-5k/images if present, else
synthetic 1600x1200 JPEGs made in memory), how many to use, and the configurations to try.
Out: one line per configuration on stdout: images/s for model only, embed (preprocess + model) and end to
end (bytes -> load_image -> embed), and the worst cosine against PyTorch fp32 on the same images.
Development tool only: nothing imports it.
"""

from __future__ import annotations

import argparse
import io
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from recommender.embeddings.encoders import lite0, min_cosine
from recommender.embeddings.encoders.preprocess import to_uint8_batch
from recommender.embeddings.encoders.runtime import calibration_images
from recommender.embeddings.loading import load_image

DEFAULT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fashion-5k" / "images"


def _files(*, folder: Path | None, count: int) -> list[bytes]:
    if folder is not None and folder.is_dir():
        return [path.read_bytes() for path in sorted(folder.iterdir())[:count]]
    out = []
    for image in calibration_images(count=min(count, 16)):
        buffer = io.BytesIO()
        image.resize((1600, 1200), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return (out * (count // len(out) + 1))[:count]


def _rate(*, count: int, run, repeats: int = 3) -> float:
    run()  # warm-up: first calls allocate and pick kernels
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = max(best, count / (time.perf_counter() - start))
    return best


def _end_to_end(*, encoder, files: list[bytes], pipelined: bool) -> np.ndarray:
    def decode(chunk):
        return [load_image(data, draft_size=encoder.spec.draft_size) for data in chunk]

    chunks = [files[i : i + encoder.batch_size] for i in range(0, len(files), encoder.batch_size)]
    if not pipelined:
        return np.concatenate([encoder.embed(decode(chunk)) for chunk in chunks])
    # Decode batch k+1 on a second thread while batch k runs: Pillow and the backends release the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(decode, chunks[0])
        out = []
        for nxt in chunks[1:] + [None]:
            images = pending.result()
            if nxt is not None:
                pending = pool.submit(decode, nxt)
            out.append(encoder.embed(images))
    return np.concatenate(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--count", type=int, default=256)
    parser.add_argument("--configs", default="torch:fp32:1,torch:fp32:8,torch:bf16:8,openvino:fp32:8,openvino:bf16:8")
    args = parser.parse_args()

    files = _files(folder=args.images, count=args.count)
    images = [load_image(data, draft_size=lite0.SPEC.draft_size) for data in files]
    sizes = sorted({image.size for image in images})
    print(f"{len(files)} files, decoded sizes {sizes[:3]}{'...' if len(sizes) > 3 else ''}")
    reference = lite0.build(precision="fp32", backend="torch").embed(images)
    for config in args.configs.split(","):
        backend, precision, batch = config.split(":")
        encoder = lite0.build(precision=precision, backend=backend, batch_size=int(batch))
        rates = _measure(encoder=encoder, images=images, files=files)
        cosine = min_cosine(encoder.embed(images), reference)
        print(
            f"{backend:8} {precision} batch {batch:>2}: model {rates[0]:6.1f}  embed {rates[1]:6.1f}  "
            f"end-to-end {rates[2]:6.1f}  pipelined {rates[3]:6.1f} img/s  min cosine vs fp32 {cosine:.4f}"
        )


def _measure(*, encoder, images: list[Image.Image], files: list[bytes]) -> tuple[float, float, float, float]:
    """img/s for: model only, embed (preprocess + model), end to end, end to end with decode on a thread."""
    batch = to_uint8_batch(images, spec=encoder.spec)
    chunks = [batch[i : i + encoder.batch_size] for i in range(0, len(batch), encoder.batch_size)]
    return (
        _rate(count=len(images), run=lambda: [encoder._runner(chunk) for chunk in chunks]),
        _rate(count=len(images), run=lambda: encoder.embed(images)),
        _rate(count=len(files), run=lambda: _end_to_end(encoder=encoder, files=files, pipelined=False)),
        _rate(count=len(files), run=lambda: _end_to_end(encoder=encoder, files=files, pipelined=True)),
    )


if __name__ == "__main__":
    main()
