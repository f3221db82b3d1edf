"""Procedural faces: a 3-D head with known factors of variation, rendered at any pose and light, with landmarks.

* **identity**: the :class:`FaceParams` of one person (head, jaw, eyes, brows, nose, mouth, hair, skin), drawn
  uniformly in the ranges of :data:`FACTORS` from the person's index alone; left and right share every one;
* **pose**: yaw (degrees, 0 = frontal, positive turns the face to the image's right), pitch (positive: face up);
* **light**: the azimuth of a directional light (degrees, 0 = from the camera, positive: from the image's right).

The head, a union of ellipsoids (:data:`SHAPES`), is ray-cast orthographically (the nearest hit: exact
self-occlusion), shaded (Lambert) and painted at :data:`SUPERSAMPLE` times the size, then average-pooled; a
frontal face under a frontal light equals its mirror image exactly. :func:`landmarks` gives :data:`LANDMARKS`.

    faces = load_faces("train")    # 200 identities x 20 views: images, frontal targets, landmarks, factors
    sweep = render(identities(1, 7), yaw=torch.arange(-75.0, 76.0, 15.0))   # (11, 1, 32, 32)

Both splits show the same 200 identities, in poses and lights from different seeds; ``first_identity=200``
gives new people. Images: float32 in [-1, 1] (background -1), 8-bit, cached under ``cache_dir() / "faces"``.

Taught in: lesson 15
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ..runtime import cache_dir, torch_threads
from .domains import _check, _check_seed, _quantise
from .toys import _positive_int

SIZES, SPLITS = (32, 64), ("train", "test")
SEEDS, IDENTITY_SEED = {"train": 0, "test": 1}, 2024  # seed each split's poses and lights; each identity's factors
VERSION = "v1"                      # part of the cache file names: change it when the rendering changes
SUPERSAMPLE = 3                     # rendered at 3x the size, then average-pooled
VIEW_CENTRE, VIEW_HALF = 0.04, 0.76  # the image shows x and y within VIEW_HALF of (0, VIEW_CENTRE)
MAX_YAW, MAX_PITCH, MAX_LIGHT = 90.0, 30.0, 90.0  # what render accepts, in degrees either side of 0
LIGHT_ELEVATION = 25.0              # degrees above the horizon
AMBIENT, DIFFUSE = 0.35, 0.65       # intensity = albedo * (AMBIENT + DIFFUSE * max(n . l, 0))
BLEND = 0.04                        # how far apart (head units) two parts' normals blend
LANDMARKS = ("left_eye", "right_eye", "nose_tip", "mouth")  # left = the image's left in a frontal view
SHAPES = ("cranium", "jaw", "nose", "neck", "left_ear", "right_ear")  # the ellipsoids of a head


_factor = lambda low, high, what: field(metadata={"range": (low, high, what)})  # noqa: E731


@dataclass(repr=False)
class FaceParams:
    """N faces, one (N,) float tensor per factor, in the ranges of :data:`FACTORS`. Lengths are in head units
    (x right, y up, z towards the camera; the eyes are near y = 0; the image spans 2 VIEW_HALF)."""

    head_width: Tensor = _factor(0.38, 0.50, "half-width of the cranium")
    head_height: Tensor = _factor(0.46, 0.60, "half-height of the cranium")
    jaw_width: Tensor = _factor(0.24, 0.42, "half-width of the jaw")
    jaw_height: Tensor = _factor(0.28, 0.44, "half-height of the jaw: a short or a long chin")
    eye_size: Tensor = _factor(0.05, 0.09, "half-width of an eye")
    eye_spacing: Tensor = _factor(0.14, 0.21, "distance of each eye from the middle")
    eye_height: Tensor = _factor(0.00, 0.10, "height of the eyes")
    brow_thickness: Tensor = _factor(0.014, 0.034, "half-thickness of a brow")
    brow_height: Tensor = _factor(0.07, 0.12, "height of a brow above its eye")
    brow_angle: Tensor = _factor(-20.0, 20.0, "slope of a brow in degrees; positive: the outer end up")
    nose_length: Tensor = _factor(0.10, 0.17, "half-length of the nose")
    nose_width: Tensor = _factor(0.040, 0.075, "half-width of the nose")
    mouth_width: Tensor = _factor(0.07, 0.16, "half-width of the mouth")
    mouth_thickness: Tensor = _factor(0.015, 0.035, "half-thickness of the lips")
    mouth_height: Tensor = _factor(-0.38, -0.28, "height of the mouth")
    smile: Tensor = _factor(-1.0, 1.0, "curve of the mouth: corners up (1) or down (-1)")
    hairline: Tensor = _factor(0.22, 0.48, "height of the hair line on the forehead")
    hair_length: Tensor = _factor(0.05, 0.50, "how far the hair line drops from the forehead to the back")
    hair_darkness: Tensor = _factor(0.35, 0.95, "1 - the hair's grey level")
    skin_tone: Tensor = _factor(0.50, 0.90, "the skin's grey level (albedo)")

    def __len__(self) -> int:
        return len(self.head_width)

    def __repr__(self) -> str:  # the default would print every value
        return f"FaceParams({len(self)} faces of {len(FACTORS)} factors)"

    def __getitem__(self, index) -> "FaceParams":  # an int keeps a batch of 1; slices, indices, masks
        index = [int(index)] if isinstance(index, (int, np.integer)) else index
        return FaceParams(*(getattr(self, name)[index] for name in FACTORS))

    def to_tensor(self) -> Tensor:  # (N, F), in the order of FACTORS
        return torch.stack([getattr(self, name) for name in FACTORS], 1)


#: The known factors of variation of an identity: name -> (low, high, meaning); each drawn uniformly.
FACTORS = {f.name: f.metadata["range"] for f in fields(FaceParams)}


def identities(n: int, first_identity: int = 0) -> FaceParams:
    """The faces of identities ``first_identity`` .. ``first_identity + n - 1``, each drawn from its index alone."""
    n, first = _positive_int("n", n), first_identity
    if isinstance(first, bool) or not isinstance(first, (int, np.integer)) or first < 0:
        raise ValueError(f"first_identity must be a non-negative integer, got {first!r}")
    u = np.stack([np.random.default_rng([IDENTITY_SEED, int(first) + k]).random(len(FACTORS)) for k in range(n)])
    low, high = (torch.tensor([r[i] for r in FACTORS.values()]) for i in (0, 1))
    return FaceParams(*(low + (high - low) * torch.from_numpy(u).float()).unbind(1))


# --------------------------------------------------------------------------- geometry


def _rotation(yaw: Tensor, pitch: Tensor) -> Tensor:
    """(N, 3, 3) from head to camera coordinates: pitch about x, then yaw about y."""
    a, b, one, zero = torch.deg2rad(yaw), torch.deg2rad(pitch), torch.ones_like(yaw), torch.zeros_like(yaw)
    R_yaw = torch.stack([a.cos(), zero, a.sin(), zero, one, zero, -a.sin(), zero, a.cos()], 1).view(-1, 3, 3)
    R_pitch = torch.stack([one, zero, zero, zero, b.cos(), b.sin(), zero, -b.sin(), b.cos()], 1).view(-1, 3, 3)
    return R_yaw @ R_pitch


def _ellipsoids(p: FaceParams) -> tuple[Tensor, Tensor]:
    """Centres and radii (N, K, 3) of the K ellipsoids of :data:`SHAPES`, in head coordinates."""
    zero = torch.zeros_like(p.head_width)
    vector = lambda x, y, z: torch.stack([zero + x, zero + y, zero + z], 1)  # noqa: E731
    depth = 1.1 * p.head_width                                      # the cranium: a little deeper than wide
    nose_y = p.eye_height - 0.02 - p.nose_length                    # the nose hangs from between the eyes
    nose_z = depth * (1 - ((nose_y - 0.15) / p.head_height) ** 2).sqrt() - 0.04  # its centre under the skin
    centres = torch.stack([vector(0, 0.15, 0), vector(0, -0.12, 0), vector(0, nose_y, nose_z),
                           vector(0, -0.72, -0.06), vector(-0.96 * p.head_width, 0, -0.04),
                           vector(0.96 * p.head_width, 0, -0.04)], 1)
    radii = torch.stack([vector(p.head_width, p.head_height, depth),
                         vector(p.jaw_width, p.jaw_height, 0.95 * p.head_width),
                         vector(p.nose_width, p.nose_length, 0.1 + 0.6 * p.nose_length),
                         vector(0.4 * p.jaw_width + 0.06, 0.4, 0.2), *[vector(0.045, 0.1, 0.065)] * 2], 1)
    return centres, radii


def _nearest(a: Tensor, b: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """Rays o + s d meet K ellipsoids where a s^2 + 2 b s + c = 0, (N, K, ...): the largest s over the K (the camera
    looks down -z: the nearest hit; -inf for a miss) and its ellipsoid (-1 for a miss)."""
    disc = b * b - a * c
    s = torch.where(disc >= 0, (disc.clamp(min=0).sqrt() - b) / a, -math.inf)
    best, which = s.max(1)
    return best, which.masked_fill(best == -math.inf, -1)


def _cast(origin: Tensor, direction: Tensor, centres: Tensor, radii: Tensor) -> tuple[Tensor, Tensor]:
    """:func:`_nearest` for rays from ``origin`` (N, P, 3) along ``direction`` (N, 3), head coordinates."""
    u = (origin[:, None] - centres[:, :, None]) / radii[:, :, None]  # (N, K, P, 3)
    v = (direction[:, None] / radii)[:, :, None]                     # (N, K, 1, 3)
    return _nearest((v * v).sum(3), (u * v).sum(3), (u * u).sum(3) - 1)


def _cast_grid(R: Tensor, x: Tensor, y: Tensor, centres: Tensor, radii: Tensor) -> tuple[Tensor, Tensor]:
    """:func:`_cast` for the rays through image points (y[i], x[j]), (N, rows, columns), in a third of the time:
    in head coordinates o = x R0 + y R1 and d = R2 (R's rows), so b is linear and c quadratic in x and y."""
    q0, q1, v = (R[:, i, None] / radii for i in range(3))           # (N, K, 3)
    m = centres / radii
    dot = lambda e, f: (e * f).sum(2)[..., None, None]  # noqa: E731  (N, K, 1, 1)
    x, y = x[None, None, None, :], y[None, None, :, None]
    b = x * dot(q0, v) + (y * dot(q1, v) - dot(m, v))                # u . v, u = x q0 + y q1 - m
    c = (x * x * dot(q0, q0) - 2 * x * dot(q0, m)) + (y * y * dot(q1, q1) - 2 * y * dot(q1, m) + dot(m, m) - 1)
    return _nearest(dot(v, v), b, c + 2 * (x * y) * dot(q0, q1))     # c = |u|^2 - 1


def _normals(point: list[Tensor], centres: Tensor, radii: Tensor) -> list[Tensor]:
    """Unit normals (3 tensors (N, P)) at hit points (x, y, z): the ellipsoids' normals, each weighted by
    exp(-distance / BLEND) to it (the gradient of a smooth union), so that the creases where two parts meet
    shade smoothly. Distances to first order: f r / 2 for f = |(p - c) / r|^2 - 1 and r the mean radius."""
    part = []
    for k in range(centres.shape[1]):
        offset = [point[j] - centres[:, k, j, None] for j in range(3)]
        g = [offset[j] / radii[:, k, j, None] ** 2 for j in range(3)]  # half the gradient of f
        r = radii[:, k].mean(1, keepdim=True)
        f = sum(e * o for e, o in zip(g, offset)) - 1
        weight = torch.exp(f.clamp(min=0) * (-r / (2 * BLEND))) * r   # r g: about a unit normal
        part.append([weight * e for e in g])
    # the two ears added first: in a mirrored view they swap, and a + b == b + a exactly (unlike (c + a) + b)
    blend = [sum(p[j] for p in part[:-2]) + (part[-2][j] + part[-1][j]) for j in range(3)]
    length = sum(b * b for b in blend).sqrt().clamp(min=1e-12)
    return [b / length for b in blend]


def _albedo(p: FaceParams, x: Tensor, y: Tensor, z: Tensor, which: Tensor) -> Tensor:
    """Grey level (N, P) at hit points (x, y, z): skin, hair on the cranium, and eyes, brows and a mouth on the
    front of the cranium and jaw. It reads |x| only: the two halves are mirror images."""
    x, col = x.abs(), lambda t: t[:, None]  # noqa: E731  col: (N,) -> (N, 1), against (N, P)
    soft = lambda d, width: torch.sigmoid((1 - d) / width)  # noqa: E731  a feature's coverage: 1 where d < 1
    face = (((which == 0) | (which == 1)) & (z > 0)).float()
    drop = col(p.hair_length) * (1 - z / col(1.1 * p.head_width))  # 0 at the front, hair_length at the sides
    hair = torch.sigmoid((y - col(p.hairline) + drop) / 0.012) * (which == 0)
    w = col(p.eye_size)
    ex, ey = (x - col(p.eye_spacing)) / w, (y - col(p.eye_height)) / w  # in eye sizes from an eye's centre
    socket = soft((ex * ex / 2.6 + ey * ey / 1.4).sqrt(), 0.3)
    eye = soft((ex * ex + ey * ey / 0.3).sqrt(), 0.1)              # a white almond ...
    iris = soft((ex * ex + ey * ey).sqrt() / 0.62, 0.1) * eye      # ... around a dark iris
    angle, by = col(torch.deg2rad(p.brow_angle)), ey - col(p.brow_height) / w
    along, across = ex * angle.cos() + by * angle.sin(), -ex * angle.sin() + by * angle.cos()
    brow = soft(((along / 1.35) ** 4 + (across * w / col(p.brow_thickness)) ** 2).sqrt(), 0.15)
    mx = x / col(p.mouth_width)
    my = (y - col(p.mouth_height)) / col(p.mouth_thickness) - col(0.8 * p.smile) * mx * mx
    lips = soft((mx ** 4 + my * my).sqrt(), 0.15)
    line = soft((mx ** 4 + (my / 0.3) ** 2).sqrt(), 0.3) * lips    # where the lips meet
    grey = col(p.skin_tone) * (1 - (0.3 * socket + 0.45 * lips) * face)
    grey = torch.lerp(grey, col(1 - p.hair_darkness).expand_as(x), hair)
    grey = torch.lerp(grey, torch.full_like(x, 0.05), (line + iris + brow).clamp(max=1) * face)
    grey = torch.lerp(grey, torch.full_like(x, 0.95), (eye - iris) * face)
    return torch.where(which == 3, 0.85 * grey, grey)               # the neck, in the jaw's shadow


# --------------------------------------------------------------------------- rendering


def _angles(what: str, value, limit: float) -> Tensor:
    """Degrees (a number, list or tensor) as a 1-D float tensor within +-limit."""
    try:
        out = torch.as_tensor(value, dtype=torch.float32).reshape(-1)
    except (TypeError, ValueError, RuntimeError):
        out = torch.tensor([math.nan])
    if len(out) == 0 or not torch.isfinite(out).all() or out.abs().max() > limit:
        raise ValueError(f"{what} must be degrees, a number or a 1-D sequence, within +-{limit:g}; got {value!r}")
    return out


def _views(params, yaw, pitch, light, size) -> tuple[FaceParams, Tensor, Tensor, Tensor, int]:
    """The arguments checked; the first four broadcast to one length N (each has 1 or N entries)."""
    if not isinstance(params, FaceParams):
        raise ValueError(f"params must be FaceParams (see identities()), got {type(params).__name__}")
    angles = [_angles("yaw", yaw, MAX_YAW), _angles("pitch", pitch, MAX_PITCH), _angles("light", light, MAX_LIGHT)]
    n = max(lengths := [len(params), *map(len, angles)])
    if any(length not in (1, n) for length in lengths):
        raise ValueError(f"params, yaw, pitch and light must have 1 or the same number N of entries, got {lengths}")
    params = params[torch.zeros(n, dtype=torch.long)] if len(params) < n else params
    return (params, *(a.expand(n) for a in angles), _check_size(size))


def _check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    return int(size)


def _render_chunk(p: FaceParams, yaw: Tensor, pitch: Tensor, light: Tensor, size: int) -> Tensor:
    """(N, size, size) intensities in [0, 1]."""
    n, k = size * SUPERSAMPLE, SUPERSAMPLE
    grid = (2 * torch.arange(n, dtype=torch.float32) + 1 - n) / n   # (n,) in (-1, 1), exactly symmetric
    x, y = VIEW_HALF * grid, VIEW_CENTRE - VIEW_HALF * grid         # head units; rows from the top down
    R = _rotation(yaw, pitch)                                       # (N, 3, 3) head -> camera
    centres, radii = _ellipsoids(p)
    s, which = (t.flatten(1) for t in _cast_grid(R, x, y, centres, radii))  # (N, P)
    s = s.masked_fill(which < 0, 0)
    x, y = x.repeat(n)[None], y.repeat_interleave(n)[None]          # (1, P)
    point = [x * R[:, 0, j, None] + y * R[:, 1, j, None] + s * R[:, 2, j, None] for j in range(3)]  # head coords
    a, e = torch.deg2rad(light), math.radians(LIGHT_ELEVATION)
    to_light = torch.stack([a.sin() * math.cos(e), torch.full_like(a, math.sin(e)), a.cos() * math.cos(e)], 1)
    to_light = (R.transpose(1, 2) @ to_light[..., None])[..., 0]    # (N, 3) camera -> head coordinates
    lambert = sum(n_j * to_light[:, j, None] for j, n_j in enumerate(_normals(point, centres, radii)))
    intensity = _albedo(p, *point, which) * (AMBIENT + DIFFUSE * lambert.clamp(min=0)) * (which >= 0)
    blocks = intensity.view(-1, size, k, size, k)                   # average-pool k x k blocks ...
    pairs = blocks + blocks.flip(4)     # ... adding mirrored columns first (a + d, b + c, c + b, d + a): a block
    return sum(pairs[:, :, i, :, j] for i in range(k) for j in range(k)) / (2 * k * k)  # and its mirror agree


def render(params: FaceParams, yaw=0.0, pitch=0.0, light=0.0, size: int = 32) -> Tensor:
    """Grey images (N, 1, size, size) float32 in [-1, 1], background -1, not quantised, of ``params``: N faces
    (:func:`identities`), or 1 face shown in every pose given. ``yaw``, ``pitch`` and ``light`` (azimuth):
    degrees, one or N of each, within +-:data:`MAX_YAW`, :data:`MAX_PITCH` and :data:`MAX_LIGHT`."""
    params, yaw, pitch, light, size = _views(params, yaw, pitch, light, size)
    step = max(1, 65536 // (size * SUPERSAMPLE) ** 2)  # chunks fit in caches
    with torch_threads(1):  # small ops gain little from threads and lose much on busy cores (0.16 s against 22 s)
        out = [_render_chunk(params[i:i + step], yaw[i:i + step], pitch[i:i + step], light[i:i + step], size)
               for i in range(0, len(params), step)]
    return (torch.cat(out) * 2 - 1).unsqueeze(1)


def landmarks(params: FaceParams, yaw=0.0, pitch=0.0, size: int = 32) -> tuple[Tensor, Tensor]:
    """Where :data:`LANDMARKS` are in :func:`render`'s images: (N, 4, 2) float (row, column), in pixels (pixel
    centres at whole numbers), and (N, 4) bool, False where the head hides the landmark."""
    params, yaw, pitch, _, size = _views(params, yaw, pitch, 0.0, size)
    centres, radii = _ellipsoids(params)
    e, zero = params.eye_spacing, torch.zeros_like(params.eye_spacing)
    x = torch.stack([-e, e, zero, zero], 1)                         # (N, 4) left eye, right eye, nose, mouth
    y = torch.stack([params.eye_height, params.eye_height, centres[:, 2, 1], params.mouth_height], 1)
    front = torch.stack([x, y, torch.zeros_like(x)], 2)             # (N, 4, 3) on the plane z = 0
    ahead = torch.tensor([0.0, 0.0, 1.0]).expand(len(params), 3)
    point = front + _cast(front, ahead, centres, radii)[0][..., None] * ahead[:, None]  # on the surface
    R = _rotation(yaw, pitch)
    seen = point @ R.transpose(1, 2)                                # (N, 4, 3) camera coordinates
    ray = torch.cat([seen[..., :2], torch.zeros_like(seen[..., :1])], 2) @ R  # its pixel's ray, head coordinates
    visible = _cast(ray, R[:, 2], centres, radii)[0] <= seen[..., 2] + 1e-4  # nothing nearer on that ray
    rows = (VIEW_CENTRE - seen[..., 1]) / (2 * VIEW_HALF) * size + (size - 1) / 2
    return torch.stack([rows, seen[..., 0] / (2 * VIEW_HALF) * size + (size - 1) / 2], 2), visible


# --------------------------------------------------------------------------- the data set


@dataclass(repr=False)
class Faces:
    """N views and what made them. ``images`` (N, 1, S, S) in [-1, 1]; ``frontal`` the same identity under the
    same light at yaw 0, pitch 0; ``identity`` (N,) long; ``yaw``, ``pitch``, ``light`` (N,) degrees;
    ``landmarks`` and ``frontal_landmarks`` (N, 4, 2) (row, column) of :data:`LANDMARKS`; ``visible`` (N, 4)
    bool, in ``images``; ``params`` each view's :class:`FaceParams`; ``source`` what it is, in words."""

    images: Tensor
    frontal: Tensor
    identity: Tensor
    yaw: Tensor
    pitch: Tensor
    light: Tensor
    landmarks: Tensor
    frontal_landmarks: Tensor
    visible: Tensor
    params: FaceParams
    source: str

    def __len__(self) -> int:
        return len(self.images)

    def __repr__(self) -> str:  # the default would print every pixel
        return f"Faces({len(self)} views of {tuple(self.images.shape[1:])}: {self.source})"


_TENSORS = tuple(f.name for f in fields(Faces))[:-2]  # all but params and source


def _generate(people: FaceParams, first: int, views: int, size: int, seed: int, limits: list[float]) -> dict:
    identity = first + torch.arange(len(people)).repeat_interleave(views)  # (N,) identity by identity
    params, gen = people[identity - first], torch.Generator().manual_seed(seed)
    yaw, pitch, light = ((torch.rand(len(identity), generator=gen) * 2 - 1) * most for most in limits)
    out = {"identity": identity, "yaw": yaw, "pitch": pitch, "light": light,
           "images": _quantise((render(params, yaw, pitch, light, size) + 1) / 2),
           "frontal": _quantise((render(params, 0.0, 0.0, light, size) + 1) / 2)}
    out["landmarks"], out["visible"] = landmarks(params, yaw, pitch, size)
    out["frontal_landmarks"] = landmarks(params, 0.0, 0.0, size)[0]
    out["source"] = (f"procedural faces {VERSION}: identities {first}..{first + len(people) - 1} x {views} views, "
                     f"{size}x{size}, |yaw| <= {limits[0]:g}, |pitch| <= {limits[1]:g}, |light| <= {limits[2]:g} deg "
                     f"(uniform), seed {seed}")
    return out


def _read(path: Path, n: int, size: int) -> dict | None:
    """The cached set at ``path``; None when missing, unreadable or malformed (then it is generated again)."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        ok = (isinstance(saved["source"], str) and all(len(saved[name]) == n for name in _TENSORS)
              and saved["images"].shape == saved["frontal"].shape == (n, 1, size, size)
              and saved["images"].dtype == saved["frontal"].dtype == torch.uint8)
    except Exception:  # missing, truncated, garbage or not a dict of tensors
        ok = False
    return {**saved, **{k: saved[k].float() / 255 * 2 - 1 for k in ("images", "frontal")}} if ok else None


def _write(path: Path, data: dict) -> None:
    """Save atomically: a temporary file in the same folder, then one rename (readers never see half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.tmp")
    try:  # the images as 8 bits: exact, they are quantised
        torch.save({**data, **{k: ((data[k] + 1) * 127.5).round().to(torch.uint8) for k in ("images", "frontal")}}, tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # left only when the save failed


def load_faces(split: str = "train", n_identities: int = 200, views_per_identity: int = 20, size: int = 32,
               seed: int | None = None, first_identity: int = 0, max_yaw: float = 75.0, max_pitch: float = 10.0,
               max_light: float = 60.0, verbose: bool = False) -> Faces:
    """``views_per_identity`` views of each of identities ``first_identity`` .. ``+ n_identities - 1``, in order.

    Each view draws its yaw, pitch and light azimuth uniformly within +-``max_yaw``, +-``max_pitch`` and
    +-``max_light`` degrees from a generator seeded with ``seed`` (default: one per ``split``, so both splits
    show the same identities in new poses and lights). Cached under ``cache_dir() / "faces"``."""
    _check("split", split, SPLITS)
    n, views = _positive_int("n_identities", n_identities), _positive_int("views_per_identity", views_per_identity)
    people, size = identities(n, first_identity), _check_size(size)  # identities() checks first_identity
    seed, first = _check_seed(SEEDS[split] if seed is None else seed), int(first_identity)
    limits = [_angles(name, value, most) for name, value, most in
              (("max_yaw", max_yaw, MAX_YAW), ("max_pitch", max_pitch, MAX_PITCH), ("max_light", max_light, MAX_LIGHT))]
    if any(len(a) != 1 or a.item() < 0 for a in limits):
        raise ValueError(f"max_yaw, max_pitch and max_light must be one non-negative number of degrees each, got "
                         f"{max_yaw!r}, {max_pitch!r} and {max_light!r}")
    limits = [a.item() for a in limits]
    path = cache_dir() / "faces" / (f"faces-{VERSION}-{size}px-id{first}-{first + n}-x{views}-seed{seed}"
                                    f"-yaw{limits[0]:g}-pitch{limits[1]:g}-light{limits[2]:g}.pt")
    data, how = _read(path, n * views, size), f"the cache {path}"
    if data is None:
        start = time.perf_counter()
        data = _generate(people, first, views, size, seed, limits)
        how = f"generated in {time.perf_counter() - start:.1f} s"
        try:
            _write(path, data)
        except OSError as err:
            warnings.warn(f"could not cache the faces in {path} ({err}); they will be generated again")
    if verbose:
        print(f"faces ({split}): {n * views:,} images of (1, {size}, {size}), {how}; {data['source']}")
    return Faces(*(data[k] for k in _TENSORS), people[data["identity"] - first], data["source"])
