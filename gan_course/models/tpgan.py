"""TP-GAN (Huang, Zhang, Li & He 2017, "Beyond face rotation: global and local perception GAN for photorealistic and
identity preserving frontal view synthesis"): a face seen at any yaw goes in, the same face seen from the front out.

The generator G has a global pathway, an encoder-decoder with U-Net skips and residual blocks at each scale, and four
local ones, each turning the patch around one landmark into its frontal patch. The local outputs are pasted at a fixed
template, the training set's mean frontal landmarks (a person's own would leak their geometry), fused by their
maximum and fed to the global decoder's last convolutions. The discriminator D tells true frontal faces from
syntheses. G minimises the paper's Eq. 8, with λ1..λ4 = 0.3, 1e-3, 3e-3, 1e-4:

    L_syn = L_pixel + λ1 L_sym + λ2 L_adv + λ3 L_ip + λ4 L_tv

* L_pixel = |G(x) - y|, also on each local patch (weighted by ``lambda_local``);
* L_sym = |G(x) - flip G(x)| (see below);
* L_adv = -log D(G(x));
* L_ip = Σ_i |F_i(G(x)) - F_i(y)| over the last two layers of a frozen face recogniser F (the paper's Light CNN;
  here :class:`~gan_course.models.face_identity.IdentityNet`);
* L_tv = |differences between neighbouring pixels|.

Each term is a mean per pixel (or feature), and so, judging by the authors' code, are the paper's λ: the code sums
the pixel terms over 128x128 pixels and weights the adversarial and identity terms 20 and 40, i.e. 1.2e-3 and 2.4e-3
per pixel (on sums at 32x32, λ2 and λ3 would be ~1e-6: no effect). Two weights differ, both untuned:
``lambda_adversarial`` = 1e-2, pix2pix's balance (L1 x 100) and 10x the paper's, for short runs; ``lambda_identity``
= 0.1, as our features are batch-normalised to unit scale, like the map the authors' code weights ~0.1 per position.
Left out: the multi-scale outputs and the noise input.

Symmetry: the targets keep the view's light. Lit from 15, 30 or 60 degrees aside, a frontal face's |y - flip y| is
0.07, 0.12 or 0.17, as much as that of a face turned 15-45 degrees (0.06-0.09). In Laplacian space, which the paper
suggests against illumination (``symmetry_on="laplacian"``, the default: :func:`high_pass`), it is 0.017, 0.029 or
0.039 against a turned face's 0.036-0.041: 4x less pull away from the target, while pose errors are still seen.
``symmetry_on="pixels"`` is the paper's Eq. 4.

Taught in: lesson 15
"""

from __future__ import annotations

import dataclasses
import math
import shutil

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import checkpoints, distributed, losses, runtime, train
from ..data.digits import DeviceBatches
from ..data.faces import LANDMARKS, identities, landmarks as face_landmarks
from ..train import Step
from .cyclegan import PatchDiscriminator, ResidualBlock
from .dcgan import init_weights
from .face_identity import YAW_BINS, IdentityNet, by_yaw, faces_on, in_batches, load_identity, predict_identity

#: (h, w) per landmark: the paper's 40x40, 40x40, 32x40, 32x48 at 128 (authors' code), x0.155 by face size (its eyes ~51
#: px above the mouth, ours 7.9), rounded up to even sides; our eyes are 7.3 px apart: eye patches touch, as theirs do.
PATCH_SIZES = ((6, 6), (6, 6), (6, 6), (6, 8))
SYMMETRY_ON, TERMS = ("pixels", "laplacian"), ("pixel", "local", "symmetry", "adversarial", "identity", "tv")


@dataclasses.dataclass(frozen=True)
class TPGANConfig:
    """The paper's loss weights as per-pixel means (module docstring), networks for 32x32 grey faces."""

    image_size: int = 32
    channels: int = 1
    width: int = 16                   # global: w, 2w, 4w, 4w channels at S..S/8 (paper: 64); 1.6 MB per stored G
    n_residual: int = 2               # residual blocks at each encoder scale, in both pathways
    local_width: int = 16             # each local pathway's feature maps (the paper: 64, as its global width)
    d_width: int = 32
    local: bool = True                # the local pathway on / off
    patch_sizes: tuple = PATCH_SIZES  # (h, w) per landmark, in LANDMARKS' order
    lambda_pixel: float = 1.0
    lambda_local: float = 1.0         # on the mean over the four parts
    lambda_symmetry: float = 0.3      # λ1
    symmetry_on: str = "laplacian"    # "pixels": the paper's Eq. 4
    lambda_adversarial: float = 1e-2  # λ2: 10x the paper's 1e-3
    lambda_identity: float = 0.1      # λ3: the paper's 3e-3 was on Light CNN's features
    lambda_tv: float = 1e-4           # λ4
    lr: float = 2e-4                  # not stated in the paper; the authors' code: Adam 1e-4, beta1 0.9, batch 10
    betas: tuple = (0.5, 0.999)
    batch_size: int = 32
    steps: int = 2000

    def __post_init__(self):
        whole = lambda v, low=1: not isinstance(v, bool) and isinstance(v, int) and v >= low  # noqa: E731
        weights, sizes, s = {t: getattr(self, f"lambda_{t}") for t in TERMS}, self.patch_sizes, self.image_size
        wrong = [what for bad, what in [
            (not whole(s, 16) or s % 8 or self.channels not in (1, 3), f"image_size a multiple of 8 >= 16 and "
             f"channels 1 or 3: {s!r}, {self.channels!r}"),
            (not all(map(whole, (self.width, self.local_width, self.d_width, self.batch_size, self.steps)))
             or not whole(self.n_residual, 0), "width, local_width, d_width, batch_size, steps >= 1, n_residual >= 0"),
            (len(sizes) != len(LANDMARKS) or not all(len(p) == 2 and all(whole(v, 4) and v % 2 == 0 and v <= s
             for v in p) for p in sizes), f"patch_sizes 4 (h, w) of even sides in [4, image_size]: {sizes!r}"),
            (self.symmetry_on not in SYMMETRY_ON, f"symmetry_on one of {SYMMETRY_ON}: {self.symmetry_on!r}"),
            (not all(math.isfinite(v) and v >= 0 for v in weights.values()), f"weights finite, >= 0: {weights}"),
            (not any(v for t, v in weights.items() if t != "local" or self.local), "a positive weight on some term")]
            if bad]  # lr and betas: checked by Adam
        if wrong:
            raise ValueError(f"TPGANConfig needs {'; '.join(wrong)}")


# --------------------------------------------------------------------------- patches: cut, and pasted at a template


def _corners(centres: Tensor, sizes, image_size: int) -> Tensor:
    """Top-left corners (..., K, 2) of patches of ``sizes`` (K (h, w)) centred nearest ``centres``, kept inside."""
    size = torch.tensor([list(s) for s in sizes], device=centres.device)                # (K, 2)
    return torch.minimum(torch.floor(centres - (size - 1) / 2 + 0.5).long().clamp(min=0), image_size - size)


def cut_patches(images: Tensor, landmarks: Tensor, sizes) -> list[Tensor]:
    """The patch (N, C, h, w) around each landmark: ``images`` (N, C, S, S), ``landmarks`` (N, K, 2) (row, column),
    ``sizes`` K (h, w); each centred nearest its landmark (odd sides: on its rounded pixel), clamped inside."""
    if images.dim() != 4 or landmarks.shape != (len(images), len(sizes), 2):
        raise ValueError(f"cut_patches expects images (N, C, S, S) and landmarks (N, {len(sizes)}, 2), got "
                         f"{tuple(images.shape)} and {tuple(landmarks.shape)}")
    corners, n = _corners(landmarks, sizes, images.shape[-1]), torch.arange(len(images), device=images.device)
    span = lambda k, i: corners[:, k, i, None] + torch.arange(sizes[k][i], device=images.device)  # noqa: E731 (N, h|w)
    return [images[n[:, None, None], :, span(k, 0)[:, :, None], span(k, 1)[:, None, :]].permute(0, 3, 1, 2)
            for k in range(len(sizes))]                                                  # (N, h, w, C) -> (N, C, h, w)


def fuse(maps: list[Tensor], template: Tensor, size: int) -> Tensor:
    """K maps (B, C, h_k, w_k) pasted into a (B, C, size, size) canvas where :func:`cut_patches` would cut them at
    ``template`` (K, 2); the maximum where they overlap (the paper's max-out fusion), 0 where none lies."""
    corners = _corners(template, [m.shape[-2:] for m in maps], size).tolist()
    fused = torch.stack([F.pad(m, (c, size - c - m.shape[-1], r, size - r - m.shape[-2]), value=-math.inf)
                         for m, (r, c) in zip(maps, corners)]).amax(0)
    return torch.where(torch.isinf(fused), torch.zeros_like(fused), fused)


def default_template(image_size: int = 32) -> Tensor:
    """(K, 2): the mean frontal landmarks of the 200 people of :func:`~gan_course.data.faces.load_faces`."""
    return (face_landmarks(identities(200))[0].mean(0) - 15.5) * image_size / 32 + (image_size - 1) / 2


# --------------------------------------------------------------------------- the networks


def stage(c_in: int, c_out: int, how: str = "same", n_residual: int = 0) -> nn.Sequential:
    """Conv 3x3 ("same"), 4x4 stride 2 ("down": H/2) or transposed ("up": 2H), BN, LeakyReLU(0.2), residual blocks."""
    conv = (nn.ConvTranspose2d if how == "up" else nn.Conv2d)(c_in, c_out, *((3, 1) if how == "same" else (4, 2)), 1)
    return nn.Sequential(conv, nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2, inplace=True),
                         *[ResidualBlock(c_out, nn.BatchNorm2d) for _ in range(n_residual)])


class GlobalPathway(nn.Module):
    """View (B, C, S, S) [+ fused local maps (B, extra, S, S)] -> frontal view (B, C, S, S) in [-1, 1]."""

    def __init__(self, channels: int = 1, width: int = 16, n_residual: int = 2, extra: int = 0):
        super().__init__()
        w = [width, 2 * width, 4 * width, 4 * width]                                      # at S, S/2, S/4, S/8
        self.encoder = nn.ModuleList([stage(channels, w[0], "same", n_residual)]
                                     + [stage(w[i], w[i + 1], "down", n_residual) for i in range(3)])
        self.decoder = nn.ModuleList([stage(w[3], w[2], "up")] + [stage(2 * w[i], w[i - 1], "up") for i in (2, 1)])
        self.head = nn.Sequential(stage(2 * w[0] + extra, w[0]), nn.Conv2d(w[0], channels, 3, 1, 1), nn.Tanh())

    def forward(self, x: Tensor, local: Tensor | None = None) -> Tensor:
        *skips, h = [x := block(x) for block in self.encoder]  # (B, w, S, S), (B, 2w, S/2, S/2) ... (B, 4w, S/8, S/8)
        for block in self.decoder:                       # up one scale, then the encoder's map of it
            h = torch.cat([block(h), skips.pop()], 1)    # ... (B, 2w, S, S)
        return self.head(h if local is None else torch.cat([h, local], 1))  # + the fused local pathway


class LocalNet(nn.Module):
    """Patch (B, C, h, w) -> (frontal patch in [-1, 1], features (B, lw, h, w)), via (B, 2lw, h/2, w/2) and a skip."""

    def __init__(self, channels: int = 1, width: int = 16, n_residual: int = 2):
        super().__init__()
        self.stem, self.features = stage(channels, width), stage(2 * width, width)
        self.middle = nn.Sequential(stage(width, 2 * width, "down", n_residual), stage(2 * width, width, "up"))
        self.to_patch = nn.Sequential(nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh())

    def forward(self, patch: Tensor) -> tuple[Tensor, Tensor]:
        features = self.features(torch.cat([self.middle(skip := self.stem(patch)), skip], 1))
        return self.to_patch(features), features


class LocalPathway(nn.Module):
    """A :class:`LocalNet` per landmark, pasted at the buffer ``template`` (K, 2) -> ({name: patch}, fused maps)."""

    def __init__(self, channels: int, width: int, n_residual: int, sizes, template):
        super().__init__()
        self.sizes = tuple(map(tuple, sizes))
        self.nets = nn.ModuleDict({k: LocalNet(channels, width, n_residual) for k in LANDMARKS})
        self.register_buffer("template", torch.as_tensor(template, dtype=torch.float32).reshape(-1, 2).clone())

    def forward(self, images: Tensor, landmarks: Tensor) -> tuple[dict[str, Tensor], Tensor]:
        out = {k: net(cut) for (k, net), cut in zip(self.nets.items(), cut_patches(images, landmarks, self.sizes))}
        fused = fuse([torch.cat([f, p], 1) for p, f in out.values()], self.template, images.shape[-1])  # (B, lw+C, S,S)
        return {k: patch for k, (patch, _) in out.items()}, fused


def check_views(images, landmarks, config: TPGANConfig, who: str, n: int | None = None) -> None:
    """Refuse anything but ``n`` (default: any number of) views of ``config``'s size with finite landmarks."""
    s, c, k, n = config.image_size, config.channels, len(LANDMARKS), len(images) if n is None else n
    if not isinstance(images, Tensor) or tuple(images.shape) != (n, c, s, s) or not isinstance(landmarks, Tensor) \
            or landmarks.shape != (n, k, 2) or not torch.isfinite(landmarks).all():
        raise ValueError(f"{who}: expected images ({n}, {c}, {s}, {s}) and finite landmarks ({n}, {k}, 2) (row, col),"
                         f" got {getattr(images, 'shape', images)} and {getattr(landmarks, 'shape', landmarks)}")


class Generator(nn.Module):
    """G: views (B, C, S, S), landmarks (B, 4, 2) -> (frontal views, {landmark: frontal patch} or None)."""

    def __init__(self, config: TPGANConfig = TPGANConfig(), template=None):
        super().__init__()
        c = self.config = config
        self.global_pathway = GlobalPathway(c.channels, c.width, c.n_residual, (c.local_width + c.channels) * c.local)
        self.local_pathway = LocalPathway(c.channels, c.local_width, c.n_residual, c.patch_sizes, default_template(
            c.image_size) if template is None else template) if c.local else None

    def forward(self, images: Tensor, landmarks: Tensor) -> tuple[Tensor, dict[str, Tensor] | None]:
        check_views(images, landmarks, self.config, "G")
        if self.local_pathway is None:
            return self.global_pathway(images), None
        patches, fused = self.local_pathway(images, landmarks.float())
        return self.global_pathway(images, fused), patches


def build(config: TPGANConfig = TPGANConfig(), template=None) -> dict[str, nn.Module]:
    """Fresh G (pasting at ``template``) and D (CycleGAN's PatchGAN: (B, 1, S/4, S/4)); weights ~ N(0, 0.02²)."""
    D = PatchDiscriminator(config.channels, config.d_width, config.image_size)
    return {k: net.apply(init_weights) for k, net in {"G": Generator(config, template), "D": D}.items()}


# --------------------------------------------------------------------------- the loss terms


def high_pass(images: Tensor) -> Tensor:
    """Images minus their 5x5 binomial blur (≈ Gaussian, 1 px): a Laplacian pyramid's finest level."""
    k = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], device=images.device, dtype=images.dtype) / 16
    kernel = (k[:, None] * k[None, :]).expand(images.shape[1], 1, 5, 5)
    return images - F.conv2d(F.pad(images, (2, 2, 2, 2), mode="replicate"), kernel, groups=images.shape[1])


def symmetry_loss(images: Tensor, on: str = "pixels") -> Tensor:
    """L_sym: mean |I - flip(I)| per pixel (Eq. 4 over both halves); of :func:`high_pass` (I) for ``"laplacian"``."""
    if on not in SYMMETRY_ON:
        raise ValueError(f"on must be one of {SYMMETRY_ON}, got {on!r}")
    return ((x := high_pass(images) if on == "laplacian" else images) - x.flip(-1)).abs().mean()


def tv_loss(images: Tensor) -> Tensor:
    """L_tv: mean |difference| of horizontal neighbours + that of vertical neighbours."""
    return (images[..., 1:] - images[..., :-1]).abs().mean() + (images[..., 1:, :] - images[..., :-1, :]).abs().mean()


def identity_loss(identity_net: IdentityNet, fake: Tensor, real: Tensor) -> Tensor:
    """L_ip: Σ over the two layers of :meth:`IdentityNet.features` of mean |F_i(fake) - F_i(real)|."""
    return sum((a - b.detach()).abs().mean() for a, b in zip(identity_net.features(fake), identity_net.features(real)))


# --------------------------------------------------------------------------- the step and training


class TPGANStep(Step):
    """Algorithm 1 on (views, landmarks, frontal, frontal_landmarks); G never sees the last (they place the local
    targets). D descends -log D(y) - log(1 - D(G(x))) per patch score; G, L_syn through a frozen D and identity_net."""

    networks, optimizers = ("G", "D"), ("g_opt", "d_opt")

    def __init__(self, nets: dict[str, nn.Module], config: TPGANConfig, identity_net: IdentityNet | None = None):
        if config.lambda_identity > 0 and identity_net is None:
            raise ValueError("lambda_identity > 0 needs an identity_net (e.g. load_identity())")
        self.G, self.D, self.config = nets["G"], nets["D"], config
        self.identity_net = None if identity_net is None else identity_net.eval().requires_grad_(False).to(
            next(self.G.parameters()).device)                                             # frozen, on G's device
        self.g_opt, self.d_opt = (torch.optim.Adam(n.parameters(), config.lr, config.betas) for n in (self.G, self.D))
        self.weights = {t: getattr(config, f"lambda_{t}") * (config.local or t != "local") for t in TERMS}

    def check(self, batch) -> None:
        if not isinstance(batch, (tuple, list)) or len(batch) != 4:
            raise ValueError(f"TP-GAN trains on (views, landmarks, frontal, frontal_landmarks), not {batch!r:.60}")
        check_views(batch[0], batch[1], self.config, "the views")
        check_views(batch[2], batch[3], self.config, "the frontal targets (one per view)", len(batch[0]))

    def d_step(self, batch) -> dict[str, Tensor]:
        with torch.no_grad():
            fake, _ = self.G(batch[0], batch[1])
        loss = losses.minimax_d_loss(self.D(batch[2]).flatten(), self.D(fake).flatten())  # -log D(y) - log(1 - D(G(x)))
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"D": loss.detach()}

    def g_step(self, batch) -> dict[str, Tensor]:
        (views, landmarks, frontal, frontal_landmarks), c, w = batch, self.config, self.weights
        self.D.requires_grad_(False)
        try:
            fake, patches = self.G(views, landmarks)
            terms = {"pixel": lambda: (fake - frontal).abs().mean(),                                  # L_pixel
                     "local": lambda: torch.stack([(patches[n] - t).abs().mean() for n, t in zip(  # at true landmarks
                         LANDMARKS, cut_patches(frontal, frontal_landmarks, c.patch_sizes))]).mean(),
                     "symmetry": lambda: symmetry_loss(fake, c.symmetry_on),                          # L_sym
                     "adversarial": lambda: losses.nonsaturating_g_loss(self.D(fake).flatten()),     # -log D(G(x))
                     "identity": lambda: identity_loss(self.identity_net, fake, frontal),             # L_ip
                     "tv": lambda: tv_loss(fake)}                                                     # L_tv
            terms = {t: term() for t, term in terms.items() if w[t]}
            self.g_opt.zero_grad(set_to_none=True)
            sum(w[t] * value for t, value in terms.items()).backward()                                # L_syn
            self.g_opt.step()
        finally:
            self.D.requires_grad_(True)
        return {t: terms[t].detach() if t in terms else fake.new_zeros(()) for t in TERMS}


def fit(config: TPGANConfig, faces, identity_net: IdentityNet | None = None, *, seed: int = 0,
        start: Generator | None = None, **train_options) -> tuple[dict[str, nn.Module], train.History]:
    """Train on a :class:`~gan_course.data.faces.Faces` (on the device), pasting at its mean frontal landmarks; from
    a copy of the generator ``start`` (of ``config``'s architecture, e.g. a committed one) instead of a fresh G."""
    runtime.seed_everything(seed)
    nets = {k: net.to(faces.images.device) for k, net in build(config, faces.frontal_landmarks.mean(0).cpu()).items()}
    if start is not None:
        nets["G"].load_state_dict(start.state_dict())  # its template too: it pastes where it learned to
    batches = DeviceBatches(faces.images, faces.landmarks, faces.frontal, faces.frontal_landmarks,
                            batch_size=config.batch_size, seed=seed)
    history = train.train(TPGANStep(nets, config, identity_net), batches, config.steps, **train_options)
    return {k: net.eval() for k, net in nets.items()}, history


# --------------------------------------------------------------------------- measuring


def synthesize(G: Generator, images: Tensor, landmarks: Tensor, batch_size: int = 500) -> Tensor:
    """G(x) for each view, in batches, on the CPU."""
    return in_batches(G, lambda g, x, p: g(x, p)[0], images, landmarks, batch_size=batch_size)


def measure(G: Generator, faces, identity_net: IdentityNet, batch_size: int = 500) -> dict:
    """``l1`` (|G(x) - y|), ``identity_accuracy`` (read by ``identity_net``), ``asymmetry`` (|G(x) - flip G(x)|) and
    baselines (``_views``: of the inputs as they are, ``_frontal``: of the truth), overall and ``_by_yaw``."""
    fake, frontal = synthesize(G, faces.images, faces.landmarks, batch_size), faces.frontal.cpu()
    asymmetry = lambda x: (x - x.flip(-1)).abs().mean((1, 2, 3))  # noqa: E731
    known = lambda x: (predict_identity(identity_net, x, batch_size) == faces.identity.cpu()).double()  # noqa: E731
    per_view = {"l1": (fake - frontal).abs().mean((1, 2, 3)), "identity_accuracy": known(fake),
                "l1_views": (faces.images.cpu() - frontal).abs().mean((1, 2, 3)),
                "asymmetry": asymmetry(fake), "identity_accuracy_views": known(faces.images),
                "identity_accuracy_frontal": known(frontal), "asymmetry_frontal": asymmetry(frontal)}
    return {**{k: v.double().mean().item() for k, v in per_view.items()},
            **{f"{k}_by_yaw": by_yaw(v, faces.yaw) for k, v in per_view.items()},
            "yaw_bins": [f"{a}-{b}" for a, b in zip(YAW_BINS, YAW_BINS[1:])]}


# --------------------------------------------------------------------------- the lesson's variants and their recipe


#: The ablation ladder of lesson 15: each adds one piece of TP-GAN to the one before.
VARIANTS: dict[str, TPGANConfig] = {"tpgan-global": TPGANConfig(local=False, lambda_symmetry=0.0, lambda_identity=0.0),
    "tpgan-local": TPGANConfig(lambda_symmetry=0.0, lambda_identity=0.0),    # + the local pathway
    "tpgan-symmetry": TPGANConfig(lambda_identity=0.0),                       # + the symmetry loss
    "tpgan": TPGANConfig()}                                                   # + the identity loss: the full model


def variant(name: str) -> TPGANConfig:
    """The configuration of the TP-GAN called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown TP-GAN {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def load(name: str, device=None, root=checkpoints.ROOT) -> Generator:
    """The committed G of ``name`` (:func:`train_recipe`), in eval mode."""
    return checkpoints.load_into(Generator(variant(name)), name, device, root)


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT, limit: int | None = None,
                 verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: :func:`fit` a :data:`VARIANTS` on the training faces (``epochs`` passes;
    default: ``steps``), store G in half precision, :func:`measure` what is stored on the test faces. Resumable."""
    config = variant(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    faces = faces_on("train", limit, runtime.device(), verbose)
    per_epoch = max(1, len(faces) // config.batch_size)
    config = config if epochs is None else dataclasses.replace(config, steps=epochs * per_epoch)
    epochs, identity_net = config.steps // per_epoch, load_identity(faces.images.device, root)
    run_dir = checkpoints.cache_root(cache) / "train" / f"{name}-seed{seed}-epochs{epochs}-limit{limit}"
    nets, history = fit(config, faces, identity_net, seed=seed, checkpoint_dir=run_dir, checkpoint_every=500,
                        progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    shutil.rmtree(run_dir)
    scores = lambda G: {**measure(G, faces_on("test"), identity_net.cpu()), "steps": config.steps,  # noqa: E731
                        "train_views": len(faces)}
    return checkpoints.save_half(name, nets["G"], scores, history.seconds, faces.source, seed, epochs, limit, root,
                                 register, verbose, cache, keep_full="template")  # the template: pixel positions
