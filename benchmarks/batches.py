"""How fast real batches reach the training device: DeviceBatches vs a DataLoader.

Both serve the same shuffled MNIST batches; the reference is the usual PyTorch
recipe (a DataLoader over a TensorDataset on the CPU, each batch moved to the
device), the other indexes a tensor that already lives on the device. Both are
timed in the same run, alternating, and the script prints images per second
and the ratio.

    .venv/bin/python benchmarks/batches.py [--batches 300] [--batch-size 128]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

import gan_course
from gan_course import data


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_loader(batches, n: int, device: torch.device) -> float:
    """Seconds to draw ``n`` batches and touch them on the device."""
    it = iter(batches)
    sync(device)
    start = time.perf_counter()
    total = torch.zeros((), device=device)
    for _ in range(n):
        images = next(it)
        images = images[0] if isinstance(images, (list, tuple)) else images
        total += images.to(device, non_blocking=True).sum()  # use the batch, as a D step would
    total.item()
    sync(device)
    return time.perf_counter() - start


def endless(loader):
    while True:
        yield from loader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    device = gan_course.device()
    digits = data.load_mnist("train")
    reference = endless(DataLoader(TensorDataset(digits.images), batch_size=args.batch_size, shuffle=True, drop_last=True))
    resident = data.DeviceBatches(digits.images.to(device), batch_size=args.batch_size)

    rows = {"DataLoader (reference)": [], "DeviceBatches": []}
    for _ in range(args.repeats):  # alternate, so both see the same machine state
        rows["DataLoader (reference)"].append(time_loader(reference, args.batches, device))
        rows["DeviceBatches"].append(time_loader(resident, args.batches, device))

    images = args.batches * args.batch_size
    best = {name: images / min(times) for name, times in rows.items()}
    ratio = best["DeviceBatches"] / best["DataLoader (reference)"]
    hardware = torch.cuda.get_device_name(0) if device.type == "cuda" else f"{platform.processor() or 'CPU'} ({device.type})"
    print(f"device: {hardware}; data: {digits.source}")
    print(f"{'loader':<24}{'images/s (best of ' + str(args.repeats) + ')':>28}")
    for name, rate in best.items():
        print(f"{name:<24}{rate:>28,.0f}")
    print(f"ratio DeviceBatches / DataLoader: {ratio:.1f}x")
    out = Path(__file__).parent / "results" / "batches.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"device": hardware, "images_per_second": best, "ratio": ratio}, indent=2))


if __name__ == "__main__":
    main()
