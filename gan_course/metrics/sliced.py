"""PGGAN's sliced Wasserstein distance (Karras et al. 2018, Section 5 and Appendix D): how close two sets of images
are in their local structure, level by level of a Laplacian pyramid.

1. Each image is split into a Laplacian pyramid (the 5 x 5 binomial filter, as ``cv2.pyrDown``/``pyrUp``): one band
   per resolution from the full size down to 16 x 16, the finest details in the first.
2. From each band, 128 random 7 x 7 patches per image (all channels) are the descriptors of that resolution.
   Each set of descriptors is normalised by its own mean and standard deviation per channel.
3. The sliced Wasserstein distance of two descriptor sets: project both on random unit directions (4 repeats of
   128), sort each projection, and average the absolute differences of the sorted values: the mean, over
   directions, of the 1-D Wasserstein-1 distance between the projections.

The paper reports it times 10³, per resolution and averaged. A small distance at a resolution means that patches
of that scale look alike in both sets, as a distribution. Because each set is normalised by its own statistics, a
global change of brightness or contrast is invisible to it (tested); FID sees that, and SWD sees local texture.

Taught in: lesson 18 (SWD beside FID, section 5)
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
KERNEL = torch.outer(_BINOMIAL, _BINOMIAL) / 256.0   # the 5 x 5 Gaussian of cv2.pyrDown
PATCH = 7                                             # descriptor size, pixels
PATCHES_PER_IMAGE = 128
DIRECTIONS = (4, 128)                                 # repeats x directions per repeat
MIN_RESOLUTION = 16


def _check_images(images: Tensor, name: str) -> None:
    if not isinstance(images, Tensor) or images.dim() != 4 or not images.is_floating_point():
        raise ValueError(f"{name} must be a float tensor (N, C, H, W), got "
                         f"{tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__}")


def _blur(x: Tensor, kernel: Tensor) -> Tensor:
    c = x.shape[1]
    weight = kernel.to(x).expand(c, 1, 5, 5)
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode="reflect"), weight, groups=c)  # reflect = scipy's "mirror"


def pyr_down(x: Tensor) -> Tensor:
    """Blur, then keep every second row and column: (N, C, H, W) -> (N, C, H/2, W/2)."""
    return _blur(x, KERNEL)[:, :, ::2, ::2]


def pyr_up(x: Tensor) -> Tensor:
    """Zeros between the pixels, then the blur times 4: (N, C, H, W) -> (N, C, 2H, 2W)."""
    n, c, h, w = x.shape
    spread = x.new_zeros(n, c, 2 * h, 2 * w)
    spread[:, :, ::2, ::2] = x
    return _blur(spread, 4 * KERNEL)


def laplacian_pyramid(images: Tensor, levels: int) -> list[Tensor]:
    """``levels`` bands, finest first: each band is an image minus the upsampled next coarser one; the last band
    is the coarsest image itself. The first band plus ``pyr_up`` of the rest, recursively, gives back the images."""
    _check_images(images, "images")
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"levels must be a positive integer, got {levels!r}")
    if images.shape[2] % 2 ** (levels - 1) or images.shape[3] % 2 ** (levels - 1):
        raise ValueError(f"images of {tuple(images.shape[2:])} pixels do not halve {levels - 1} times")
    bands = [images.float()]
    for _ in range(levels - 1):
        coarser = pyr_down(bands[-1])
        bands[-1] = bands[-1] - pyr_up(coarser)
        bands.append(coarser)
    return bands


def patch_descriptors(band: Tensor, per_image: int = PATCHES_PER_IMAGE, size: int = PATCH,
                      generator: torch.Generator | None = None) -> Tensor:
    """``per_image`` random ``size`` x ``size`` patches of every image, all channels: (N * per_image, C, size, size).
    A patch's centre is at least ``size // 2`` pixels from every border."""
    n, c, h, w = band.shape
    half = size // 2
    if h < size or w < size:
        raise ValueError(f"patches of {size} x {size} need images of at least that size, got {h} x {w}")
    count = n * per_image
    ys = torch.randint(half, h - half, (count,), generator=generator)
    xs = torch.randint(half, w - half, (count,), generator=generator)
    offsets = torch.arange(-half, half + 1)
    image = torch.arange(count) // per_image
    rows = (ys[:, None] + offsets)[:, :, None].expand(count, size, size)      # (count, size, size)
    cols = (xs[:, None] + offsets)[:, None, :].expand(count, size, size)
    return band[image[:, None, None], :, rows, cols].permute(0, 3, 1, 2)       # (count, C, size, size)


def normalize_descriptors(descriptors: Tensor) -> Tensor:
    """Each channel to mean 0 and standard deviation 1 over all patches and pixels; then one row per patch."""
    d = descriptors - descriptors.mean(dim=(0, 2, 3), keepdim=True)
    d = d / d.std(dim=(0, 2, 3), keepdim=True, unbiased=False).clamp_min(1e-12)
    return d.flatten(1)


def sliced_wasserstein(a: Tensor, b: Tensor, repeats: int = DIRECTIONS[0], per_repeat: int = DIRECTIONS[1],
                       generator: torch.Generator | None = None) -> float:
    """The mean over ``repeats * per_repeat`` random unit directions of the 1-D Wasserstein-1 distance between the
    projections of the rows of ``a`` and ``b`` (two sets of as many vectors): sort both, average |difference|."""
    if a.dim() != 2 or a.shape != b.shape:
        raise ValueError(f"a and b must be (N, D) of one shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    total = 0.0
    for _ in range(repeats):
        directions = torch.randn(a.shape[1], per_repeat, generator=generator).to(a)
        directions = directions / directions.norm(dim=0, keepdim=True)
        # (directions, N), each row sorted; NumPy's sort of contiguous rows is several times torch's on the CPU
        pa = np.sort((directions.T @ a.T).detach().cpu().numpy(), axis=1)
        pb = np.sort((directions.T @ b.T).detach().cpu().numpy(), axis=1)
        total += float(np.abs(pa - pb).mean())
    return total / repeats


def swd(real: Tensor, fake: Tensor, min_resolution: int = MIN_RESOLUTION, seed: int = 0) -> dict[str, float]:
    """PGGAN's SWD x 10³ between two equally large image sets (N, C, H, W): one value per pyramid resolution (keys
    ``"32"``, ``"16"`` for 32 x 32 images) and their mean (``"avg"``). Patch positions and directions come from
    ``seed``, the same for both sets."""
    _check_images(real, "real")
    _check_images(fake, "fake")
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must be image sets of one shape, got {tuple(real.shape)} and "
                         f"{tuple(fake.shape)}")
    resolutions, size = [], real.shape[2]
    while size >= min_resolution:
        resolutions.append(size)
        size //= 2
    if not resolutions:
        raise ValueError(f"images of {real.shape[2]} pixels are smaller than min_resolution {min_resolution}")
    sets = []
    for images in (real, fake):
        generator = torch.Generator().manual_seed(seed)
        sets.append([normalize_descriptors(patch_descriptors(band, generator=generator))
                     for band in laplacian_pyramid(images.detach().cpu().float(), len(resolutions))])
    generator = torch.Generator().manual_seed(seed + 1)
    out = {str(res): 1e3 * sliced_wasserstein(a, b, generator=generator)
           for res, a, b in zip(resolutions, *sets)}
    out["avg"] = sum(out.values()) / len(resolutions)
    return out
