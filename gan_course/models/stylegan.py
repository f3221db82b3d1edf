"""StyleGAN (Karras, Laine & Aila 2019, "A style-based generator architecture for generative adversarial networks"):
a mapping network turns z into an intermediate latent w, and w steers every layer of the synthesis network through
adaptive instance normalisation, starting from a learned constant instead of from z.

    w = f(z)                                    f: 8 fully connected layers (learning-rate multiplier 0.01)
    y = (y_s, y_b) = A_i(w)                     a learned affine map per layer i
    AdaIN(x_i, y) = y_s · (x_i - μ(x_i)) / σ(x_i) + y_b          (Eq. 1)
    x_i <- x_i + B_i · noise_i,  noise_i ~ N(0, 1), one (H, W) image broadcast to every channel, before AdaIN
    x_0 = a learned constant 4 x 4 tensor

Training regularises the styles with **style mixing** (probability 0.9: a second w from another z drives the layers
from a random crossover layer on) and tracks the mean w̄ of w (β = 0.995) for the **truncation trick**,
w' = w̄ + ψ (w - w̄) at sampling time. The loss is the non-saturating logistic loss with the R1 penalty on real
images, (γ / 2) E[‖∇_x D(x)‖²] (Mescheder et al. 2018), and the images shown are those of an exponential moving
average of G's weights.

Differences from the paper, on purpose: the networks train at one resolution (32 x 32) instead of growing,
because lesson 18 measured that at this scale a fixed-resolution PGGAN reached a better FID than the grown one in
the same time; R1's γ follows the heuristic of Karras et al. 2020 (ADA, Appendix B.1), γ = 0.0002 · N² / batch,
for N x N images (the paper's γ = 10 was for 1024 x 1024); widths and latent sizes are small (64 instead of 512).
The discriminator is PGGAN's (lesson 18), as in the paper.

Taught in: lessons 19 (StyleGAN) and 20 (its latent space)
"""

from __future__ import annotations

import copy
import dataclasses
import shutil

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import checkpoints, distributed, evaluation, losses, metrics, runtime, speed, train
from ..data.digits import DeviceBatches
from ..layers import AdaIN, EqualizedConv2d, EqualizedLinear, NoiseInput, PixelNorm
from ..train import History, Step
from . import face_factors, face_identity, pggan

NOISE_MODES = ("all", "none", "coarse", "fine")


@dataclasses.dataclass(frozen=True)
class StyleGANConfig:
    z_dim: int = 64                                  # latent sizes (the paper: 512)
    w_dim: int = 64
    mapping_layers: int = 8                          # f's depth (0: w is z, normalised; then z_dim must be w_dim)
    mapping_lr_multiplier: float = 0.01              # f learns 100 times slower than the rest
    channels: int = 1                                # image channels
    widths: tuple[int, ...] = (64, 64, 32, 16)       # feature maps at 4, 8, 16, 32 pixels
    noise: str = "all"                               # noise inputs: every layer, none, coarse (4-8 px) or fine only
    style_mixing: float = 0.9                        # probability of a second w after a random crossover layer
    w_avg_beta: float = 0.995                        # w̄ <- lerp(batch mean of w, w̄, β) at every G step
    lr: float = 2e-3                                 # Adam for G, f and D (StyleGAN2's 0.002), betas (0, 0.99)
    betas: tuple[float, float] = (0.0, 0.99)
    r1_gamma: float | None = None                    # None: 0.0002 · N² / batch (ADA's heuristic)
    ema_kimg: float = 10.0                           # half-life of G's moving average, in thousands of images
    mbstd_group: int = 4                             # D's minibatch standard deviation (PGGAN's D)

    def __post_init__(self):
        for name in ("z_dim", "w_dim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.mapping_layers, bool) or not isinstance(self.mapping_layers, int) or self.mapping_layers < 0:
            raise ValueError(f"mapping_layers must be an integer >= 0, got {self.mapping_layers!r}")
        if self.mapping_layers == 0 and self.z_dim != self.w_dim:
            raise ValueError(f"without mapping layers w is z: z_dim ({self.z_dim}) must equal w_dim ({self.w_dim})")
        if self.noise not in NOISE_MODES:
            raise ValueError(f"noise must be one of {NOISE_MODES}, got {self.noise!r}")
        if not 0 <= self.style_mixing <= 1:
            raise ValueError(f"style_mixing is a probability from 0 to 1, got {self.style_mixing!r}")
        pggan.check_lr_and_widths(self.lr, self.widths)

    @property
    def resolution(self) -> int:
        return 4 * 2 ** (len(self.widths) - 1)

    @property
    def num_ws(self) -> int:
        """How many w's the synthesis network takes: two layers (two AdaINs) per resolution."""
        return 2 * len(self.widths)

    def layer_resolution(self, layer: int) -> int:
        return 4 * 2 ** (layer // 2)

    def gamma(self, batch_size: int) -> float:
        return self.r1_gamma if self.r1_gamma is not None else 0.0002 * self.resolution ** 2 / batch_size

    def ema_beta(self, batch_size: int) -> float:
        """The moving average's factor per step: its weight halves every ``ema_kimg`` thousand images."""
        return 0.5 ** (batch_size / (1000 * self.ema_kimg))


def layer_groups(config: StyleGANConfig) -> dict[str, list[int]]:
    """The synthesis layers (indices of the w's) by the scale they work at: coarse (4-8 px), middle (16 px) and
    fine (32 px and above), as the paper's Figure 3 splits its 4-1024 px (coarse up to 8², middle 16²-32²)."""
    groups = {"coarse": [], "middle": [], "fine": []}
    for layer in range(config.num_ws):
        size = config.layer_resolution(layer)
        groups["coarse" if size <= 8 else "middle" if size <= 16 else "fine"].append(layer)
    return groups


class MappingNetwork(nn.Module):
    """f: z -> w, z normalised to unit root mean square, then ``mapping_layers`` equalised linear layers with
    LeakyReLU and the learning-rate multiplier."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        layers: list[nn.Module] = [PixelNorm()]
        for k in range(config.mapping_layers):
            layers += [EqualizedLinear(config.z_dim if k == 0 else config.w_dim, config.w_dim,
                                       lr_multiplier=config.mapping_lr_multiplier), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class StyledLayer(nn.Module):
    """One synthesis layer: (upsample, 3 x 3 convolution,) noise, bias, LeakyReLU, AdaIN with its w."""

    def __init__(self, c_in: int, c_out: int, w_dim: int, conv: bool = True, upsample: bool = False,
                 noise: bool = True):
        super().__init__()
        self.upsample = upsample
        self.conv = EqualizedConv2d(c_in, c_out, 3, bias=False) if conv else None
        self.noise = NoiseInput(c_out, enabled=noise)
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.adain = AdaIN(w_dim, c_out)

    def unstyled(self, x: Tensor, noise: Tensor | None = None) -> Tensor:
        """The features before AdaIN: (upsampled, convolved,) noise added, bias, LeakyReLU."""
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)   # (B, C, 2H, 2W)
        if self.conv is not None:
            x = self.conv(x)
        x = self.noise(x, noise)                                   # x + B · noise, one noise image per sample
        return F.leaky_relu(x + self.bias[None, :, None, None], 0.2)

    def forward(self, x: Tensor, w: Tensor, noise: Tensor | None = None) -> Tensor:
        return self.adain(self.unstyled(x, noise), w)              # the style y = A(w) sets each map's statistics


class SynthesisNetwork(nn.Module):
    """g: (one w per layer) -> image, from the learned constant 4 x 4 input; two styled layers per resolution."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        self.config, widths = config, config.widths
        self.const = nn.Parameter(torch.ones(1, widths[0], 4, 4))  # the learned constant input
        layers = []
        for layer in range(config.num_ws):
            res_index, second = divmod(layer, 2)
            c_in = widths[res_index] if second else widths[max(res_index - 1, 0)]
            size = config.layer_resolution(layer)
            noisy = {"all": True, "none": False, "coarse": size <= 8, "fine": size > 8}[config.noise]
            layers.append(StyledLayer(c_in, widths[res_index], config.w_dim, conv=layer > 0,
                                      upsample=layer > 0 and not second, noise=noisy))
        self.layers = nn.ModuleList(layers)
        self.to_rgb = EqualizedConv2d(widths[-1], config.channels, 1, gain=1.0)

    def forward(self, ws: Tensor, noise: list[Tensor | None] | None = None) -> Tensor:
        if ws.dim() != 3 or ws.shape[1:] != (self.config.num_ws, self.config.w_dim):
            raise ValueError(f"ws must be (B, {self.config.num_ws}, {self.config.w_dim}): one w per layer, got "
                             f"{tuple(ws.shape)}")
        if noise is not None and len(noise) != self.config.num_ws:
            raise ValueError(f"noise must list one image (or None) per layer, {self.config.num_ws}, got {len(noise)}")
        x = self.const.expand(len(ws), -1, -1, -1)
        for i, layer in enumerate(self.layers):
            x = layer(x, ws[:, i], None if noise is None else noise[i])
        return self.to_rgb(x)


class Generator(nn.Module):
    """The style-based generator: ``mapping`` (f), ``synthesis`` (g) and the tracked mean ``w_avg`` (w̄)."""

    def __init__(self, config: StyleGANConfig = StyleGANConfig()):
        super().__init__()
        self.config = config
        self.mapping = MappingNetwork(config)
        self.synthesis = SynthesisNetwork(config)
        self.register_buffer("w_avg", torch.zeros(config.w_dim))

    @property
    def z_dim(self) -> int:
        return self.config.z_dim

    def broadcast(self, w: Tensor) -> Tensor:
        """(B, w_dim) -> (B, num_ws, w_dim): the same w for every layer."""
        return w[:, None, :].expand(-1, self.config.num_ws, -1)

    def truncate(self, ws: Tensor, psi: float, layers: int | None = None) -> Tensor:
        """The truncation trick, w' = w̄ + ψ (w - w̄), on the first ``layers`` w's (default: all)."""
        if isinstance(psi, bool) or not isinstance(psi, (int, float)):
            raise ValueError(f"psi must be a number, got {psi!r}")
        if psi == 1:
            return ws
        cut = self.config.num_ws if layers is None else layers
        out = ws.clone()
        out[:, :cut] = torch.lerp(self.w_avg.to(ws.dtype), ws[:, :cut], float(psi))
        return out

    def mix(self, ws: Tensor, other: Tensor, crossover: int) -> Tensor:
        """Style mixing: the layers from ``crossover`` on take their w from ``other`` (both (B, num_ws, w_dim))."""
        if isinstance(crossover, bool) or not isinstance(crossover, int) or not 0 <= crossover <= self.config.num_ws:
            raise ValueError(f"crossover must be an integer from 0 to {self.config.num_ws}, got {crossover!r}")
        out = ws.clone()
        out[:, crossover:] = other[:, crossover:]
        return out

    def forward(self, z: Tensor, psi: float = 1.0, noise: list[Tensor | None] | None = None,
                mix: tuple[Tensor, int] | None = None) -> Tensor:
        """Images from ``z`` (B, z_dim): w = f(z) for every layer, with ``mix = (z2, crossover)`` f(z2) from layer
        ``crossover`` on (style mixing), truncated by ``psi``, then g(w)."""
        if z.dim() != 2 or z.shape[1] != self.config.z_dim:
            raise ValueError(f"z must be (B, {self.config.z_dim}), got {tuple(z.shape)}")
        ws = self.broadcast(self.mapping(z))
        if mix is not None:
            other, crossover = mix
            ws = self.mix(ws, self.broadcast(self.mapping(other)), crossover)
        return self.synthesis(self.truncate(ws, psi), noise)


def discriminator(config: StyleGANConfig) -> pggan.Discriminator:
    """PGGAN's discriminator (lesson 18) at the full resolution, with minibatch standard deviation, as the paper's."""
    D = pggan.Discriminator(pggan.PGGANConfig(channels=config.channels, widths=config.widths,
                                              mbstd_group=config.mbstd_group))
    for layer in D.from_rgb[:-1]:  # the from-RGB layers of the lower resolutions: never used at the full one
        layer.requires_grad_(False)
    return D


class StyleGANStep(Step):
    """One StyleGAN update pair: D by the logistic loss plus R1 on the real images; G (mapping and synthesis) by
    the non-saturating loss, with style mixing; then w̄ and the moving average ``G_ema`` follow G."""

    networks = ("G", "D", "G_ema")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, G: Generator, D: nn.Module, config: StyleGANConfig, batch_size: int):
        self.G, self.D, self.config = G, D, config
        self.G_ema = copy.deepcopy(G).eval().requires_grad_(False)
        self.d_opt = torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas)
        self.g_opt = torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas)
        self.gamma, self.ema_beta = config.gamma(batch_size), config.ema_beta(batch_size)

    def latents(self, n: int, device) -> tuple[Tensor, tuple[Tensor, int] | None]:
        """Training latents: z (n, z_dim), and with probability ``style_mixing`` a second ``(z2, crossover)``
        whose w = f(z2) takes over from a random layer on (one crossover per batch, as in the paper's code).
        ``G(z, mix=...)`` turns them into images: one call of G's forward, which data-parallel training needs."""
        z = torch.randn(n, self.config.z_dim, device=device)
        num_ws = self.config.num_ws
        if num_ws > 1 and float(torch.rand(())) < self.config.style_mixing:
            crossover = int(torch.randint(1, num_ws, ()))
            return z, (torch.randn(n, self.config.z_dim, device=device), crossover)
        return z, None

    def d_step(self, real: Tensor) -> dict[str, Tensor]:
        with torch.no_grad():
            z, mix = self.latents(len(real), real.device)
            fake = self.G(z, mix=mix)
        real = real.detach().requires_grad_(True)
        real_logits, fake_logits = self.D(real), self.D(fake)
        logistic = losses.minimax_d_loss(real_logits, fake_logits)
        grad, = torch.autograd.grad(real_logits.sum(), real, create_graph=True)  # ∇_x D(x) on real images
        r1 = grad.pow(2).flatten(1).sum(1).mean()                                # E‖∇_x D(x)‖²
        loss = logistic + self.gamma / 2 * r1
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"d_loss": logistic.detach(), "r1": r1.detach()}

    def g_step(self, real: Tensor) -> dict[str, Tensor]:
        z, mix = self.latents(len(real), real.device)
        loss = losses.nonsaturating_g_loss(self.D(self.G(z, mix=mix)))
        with torch.no_grad():
            w = self.G.mapping(z)                                              # the batch's w = f(z), before the update
        self.g_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.g_opt.step()
        with torch.no_grad():
            self.G.w_avg.lerp_(w.mean(0), 1 - self.config.w_avg_beta)          # w̄ follows the batch mean of w
            for ema, live in zip(self.G_ema.parameters(), self.G.parameters()):
                ema.lerp_(live, 1 - self.ema_beta)
            self.G_ema.w_avg.copy_(self.G.w_avg)
        return {"g_loss": loss.detach()}


def build(config: StyleGANConfig) -> tuple[Generator, pggan.Discriminator]:
    return Generator(config), discriminator(config)


def fit(config: StyleGANConfig, images: Tensor, steps: int, *, seed: int = 0, batch_size: int = 32, device=None,
        **train_options) -> tuple[StyleGANStep, History]:
    """Train StyleGAN on ``images`` (N, C, 32, 32) in [-1, 1] for ``steps`` generator steps, seeded by ``seed``.
    ``train_options`` go to :func:`gan_course.train.train`. Returns the step (``step.G_ema`` is the generator to
    show) and the history."""
    size = config.resolution
    if images.dim() != 4 or tuple(images.shape[1:]) != (config.channels, size, size):
        raise ValueError(f"expected images (N, {config.channels}, {size}, {size}), got {tuple(images.shape)}")
    runtime.seed_everything(seed)
    device = device or images.device
    G, D = (net.to(device) for net in build(config))
    step = StyleGANStep(G, D, config, batch_size)
    history = train.train(step, DeviceBatches(images.to(device), batch_size=batch_size, seed=seed), steps,
                          **train_options)
    G.eval(), D.eval()
    return step, history


# --------------------------------------------------------------------------- the runs: variants, measures, recipe

BATCH_SIZE = 32
STEPS = 3000              # generator steps of a committed run (96,000 images; the paper: 25 million)
EVAL_SAMPLES = 4000       # FID, precision and recall, as lesson 18's
LATENT_SAMPLES = 2000     # paths of the PPL and samples of the separability (the paper: 100,000 and 200,000)

#: name -> config; names ending in ``-faces`` train on the procedural faces, the others on MNIST padded to 32 x 32.
VARIANTS: dict[str, StyleGANConfig] = {
    "stylegan-faces": StyleGANConfig(),
    "stylegan": StyleGANConfig(),
    **{f"stylegan-faces-map{depth}": StyleGANConfig(mapping_layers=depth) for depth in (0, 1, 2)},
    "stylegan-faces-no-noise": StyleGANConfig(noise="none"),
    "stylegan-faces-no-mixing": StyleGANConfig(style_mixing=0.0),
}


def variant(name: str) -> StyleGANConfig:
    if name not in VARIANTS:
        raise ValueError(f"unknown StyleGAN variant {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def dataset_of(name: str) -> str:
    """``"faces"`` for the variants trained on the procedural faces, ``"mnist"`` for the others."""
    variant(name)
    return "faces" if "-faces" in name else "mnist"


def shared_noise(config: StyleGANConfig, n: int, repeat: int = 1, generator: torch.Generator | None = None,
                 device=None) -> list[Tensor]:
    """One noise image per layer for ``n`` samples, each repeated ``repeat`` times in a row block ((repeat · n, 1,
    H, W)): the two images of a path-length pair, or 100 draws of w, see the same noise."""
    out = []
    for layer in range(config.num_ws):
        size = config.layer_resolution(layer)
        noise = torch.randn(n, 1, size, size, generator=generator)
        out.append(noise.repeat(repeat, 1, 1, 1).to(device or "cpu"))
    return out


@torch.no_grad()
def samples(G: Generator, n: int, seed: int = 0, psi: float = 1.0, batch_size: int = 500) -> Tensor:
    """``n`` images (N, C, 32, 32) of G from a fixed seed (latents and noise), truncated by ``psi``, on the CPU."""
    gen, device = torch.Generator().manual_seed(seed), next(G.parameters()).device
    out = []
    for start in range(0, n, batch_size):
        m = min(batch_size, n - start)
        z = torch.randn(m, G.config.z_dim, generator=gen).to(device)
        out.append(G(z, psi=psi, noise=shared_noise(G.config, m, generator=gen, device=device)).cpu())
    return torch.cat(out)


def judge_features(judge: evaluation.Scorer, dataset: str):
    """images at 32 x 32 -> the judge's features, the stand-in for LPIPS's network in the path length."""
    return _features_of(judge.classifier, dataset)


def perceptual_features(dataset: str = "faces", device=None):
    """The same features as :func:`judge_features` without a scorer's reference images: the committed faces'
    identity network (its embedding) or the MNIST classifier, as the path length's stand-in for LPIPS."""
    net = (face_identity.IdentityJudge(face_identity.load_identity(device)) if dataset == "faces"
           else evaluation.load_classifier(device))
    return _features_of(net.eval(), dataset)


def _features_of(classifier, dataset: str):
    crop = pggan.JUDGE_CROP[dataset]
    return lambda images: classifier.features(pggan.full_size(images, crop=crop))


@torch.no_grad()
def path_profile(G: Generator, features, z1: Tensor, z2: Tensor, steps: int = 24, seed: int = 0) -> dict:
    """The images along the paths from z₁ to z₂ ((N, z_dim) each) in Z (slerp, the whole generator) and between
    f(z₁) and f(z₂) in W (lerp), at ``steps`` + 1 evenly spaced t, with one noise draw per path; and the perceptual
    distance between neighbouring frames divided by the squared step, the path length's integrand along t.
    Returns {"z": {"images": (N, steps + 1, C, H, W), "d": (N, steps)}, "w": {...}}, on the CPU."""
    if z1.dim() != 2 or z1.shape != z2.shape or z1.shape[1] != G.config.z_dim:
        raise ValueError(f"z1 and z2 must be (N, {G.config.z_dim}) of one shape, got {tuple(z1.shape)} and "
                         f"{tuple(z2.shape)}")
    device, n = next(G.parameters()).device, len(z1)
    t = torch.linspace(0, 1, steps + 1, device=device).repeat(n)                       # (N · (steps + 1),)
    noise = [x.repeat_interleave(steps + 1, 0)                                         # one draw per path
             for x in shared_noise(G.config, n, generator=torch.Generator().manual_seed(seed), device=device)]
    z1, z2 = (z.to(device).repeat_interleave(steps + 1, 0) for z in (z1, z2))
    paths = {"z": G(metrics.latent.unit_slerp(z1, z2, t), noise=noise),
             "w": G.synthesis(G.broadcast(metrics.latent.lerp_rows(G.mapping(z1), G.mapping(z2), t)), noise)}
    out = {}
    for space, images in paths.items():
        images = images.clamp(-1, 1).view(n, steps + 1, *images.shape[1:])
        phi = features(images.flatten(0, 1)).view(n, steps + 1, -1)
        d = metrics.latent.unit_feature_distance(phi[:, :-1].flatten(0, 1), phi[:, 1:].flatten(0, 1))
        out[space] = {"images": images.cpu(), "d": (d.view(n, steps) * steps ** 2).cpu()}
    return out


@torch.no_grad()
def factor_samples(G: Generator, factors: face_factors.FactorNet, n: int = LATENT_SAMPLES, seed: int = 0) -> dict:
    """``n`` samples of G as the separability and the linear fits see them: z, w = f(z), the images of w at every
    layer (one noise draw each, clipped) and the factors the reader finds in them ((N, 7) in their units)."""
    gen, device, config = torch.Generator().manual_seed(seed), next(G.parameters()).device, G.config
    z = torch.randn(n, config.z_dim, generator=gen).to(device)
    w = G.mapping(z)
    images = torch.cat([G.synthesis(G.broadcast(w[i:i + 500]),
                                    shared_noise(config, len(w[i:i + 500]), generator=gen, device=device)).cpu()
                        for i in range(0, n, 500)]).clamp(-1, 1)
    return {"z": z.cpu(), "w": w.cpu(), "images": images, "factors": face_factors.predict_factors(factors, images)}


def linear_r2(latents: Tensor, values: Tensor) -> Tensor:
    """How much of each column of ``values`` (N, F) a linear map of ``latents`` (N, d) explains: R² of the least-squares
    fit with an intercept, (F,), on the same samples (with N much larger than d, close to held-out R²)."""
    X = torch.cat([latents, torch.ones(len(latents), 1)], 1).double()
    y = values.double()
    fit = X @ torch.linalg.lstsq(X, y).solution
    return (1 - (y - fit).pow(2).mean(0) / y.var(0, unbiased=False)).float()


@torch.no_grad()
def path_lengths(G: Generator, features, n: int = LATENT_SAMPLES, seed: int = 0, sampling: str = "full",
                 psi: float = 1.0, eps: float = 1e-4, spaces=("z", "w"),
                 batch_size: int = 250) -> dict[str, metrics.PathLength]:
    """The perceptual path length of G in Z (slerp, the whole generator) and in W (lerp, the synthesis network with
    one w at every layer), over the same ``n`` pairs z₁, z₂ and with one noise draw per pair; the images truncated
    by ``psi``, the step ``eps``; only the listed ``spaces``."""
    gen, device, config = torch.Generator().manual_seed(seed), next(G.parameters()).device, G.config
    z1, z2 = (torch.randn(n, config.z_dim, generator=gen).to(device) for _ in range(2))

    def paired(fn):
        noise_gen = torch.Generator().manual_seed(seed + 1)  # Z and W see the same noise, batch by batch

        def synthesise(pair: Tensor) -> Tensor:  # pair = [points at t; points at t + ε]: the same noise for both
            return fn(pair, shared_noise(config, len(pair) // 2, repeat=2, generator=noise_gen, device=device))
        return synthesise

    unknown = set(spaces) - {"z", "w"}
    if unknown or not spaces:
        raise ValueError(f"spaces must name 'z' and/or 'w', got {spaces!r}")
    out = {}
    if "z" in spaces:
        out["z"] = metrics.perceptual_path_length(z1, z2, paired(lambda z, noise: G(z, psi=psi, noise=noise)),
                                                  features, "slerp", sampling, eps, seed=seed, batch_size=batch_size)
    if "w" in spaces:
        w1, w2 = G.mapping(z1), G.mapping(z2)
        in_w = paired(lambda w, noise: G.synthesis(G.truncate(G.broadcast(w), psi), noise))
        out["w"] = metrics.perceptual_path_length(w1, w2, in_w, features, "lerp", sampling, eps, seed=seed,
                                                  batch_size=batch_size)
    return out


@torch.no_grad()
def separabilities(G: Generator, factors: face_factors.FactorNet, n: int = LATENT_SAMPLES,
                   seed: int = 0, drawn: dict | None = None) -> dict[str, dict]:
    """Linear separability of the faces' factor attributes (:func:`.face_factors.attributes`) in Z and in W, from
    ``n`` samples (:func:`factor_samples`, or those ``drawn`` already): per space, each attribute's H(Y | X) and the
    paper's score exp(Σ H)."""
    drawn = drawn if drawn is not None else factor_samples(G, factors, n, seed)
    found = face_factors.attributes(factors, drawn["factors"])
    out = {}
    for space in ("z", "w"):
        per = {name: metrics.separability(drawn[space], labels, confidence, seed=seed)
               for name, (labels, confidence) in found.items()}
        out[space] = {"entropy": {name: round(sep.entropy, 4) for name, sep in per.items()},
                      "score": round(float(torch.tensor([sep.entropy for sep in per.values()]).sum().exp()), 4)}
    return out


@torch.no_grad()
def noise_std(G: Generator, n_w: int = 8, draws: int = 100, seed: int = 0, psi: float = 1.0,
              layers: list[int] | None = None) -> Tensor:
    """Where stochastic variation lives: for each of ``n_w`` w's (fixed), the per-pixel standard deviation of G's
    image over ``draws`` noise draws, (n_w, C, H, W). ``layers``: draw noise in these layers only (the others get
    zero noise images, i.e. none); default every layer."""
    gen, device = torch.Generator().manual_seed(seed), next(G.parameters()).device
    ws = G.truncate(G.broadcast(G.mapping(torch.randn(n_w, G.config.z_dim, generator=gen).to(device))), psi)
    out = []
    for w in ws:
        noise = shared_noise(G.config, draws, generator=gen, device=device)
        if layers is not None:
            noise = [n if i in layers else torch.zeros_like(n) for i, n in enumerate(noise)]
        images = G.synthesis(w[None].expand(draws, -1, -1), noise)
        out.append(images.clamp(-1, 1).std(0, unbiased=False).cpu())
    return torch.stack(out)


@torch.no_grad()
def mixed(G: Generator, z_a: Tensor, z_b: Tensor, layers: list[int], seed: int = 0) -> Tensor:
    """Style mixing as in the paper's Figure 3: images of source A whose ``layers`` take their w from source B
    (the rest keep A's), one noise draw shared by all; (len(z_a), C, H, W) on the CPU."""
    if z_a.shape != z_b.shape:
        raise ValueError(f"z_a and z_b must have one shape, got {tuple(z_a.shape)} and {tuple(z_b.shape)}")
    device = next(G.parameters()).device
    ws_a, ws_b = G.broadcast(G.mapping(z_a.to(device))), G.broadcast(G.mapping(z_b.to(device)))
    ws = ws_a.clone()
    ws[:, layers] = ws_b[:, layers]
    noise = shared_noise(G.config, 1, repeat=len(z_a), generator=torch.Generator().manual_seed(seed), device=device)
    return G.synthesis(ws, noise).cpu()


def follows(read_mixed: Tensor, read_a: Tensor, read_b: Tensor) -> Tensor:
    """How much of each factor a mixed image takes from source B: the least-squares fit
    mixed = α·A + β·B + c per factor (columns of the (N, F) readings), and β / (α + β) (1: all from B)."""
    shares = []
    for k in range(read_mixed.shape[1]):
        X = torch.stack([read_a[:, k], read_b[:, k], torch.ones_like(read_a[:, k])], 1).double()
        coef = torch.linalg.lstsq(X, read_mixed[:, k:k + 1].double()).solution.flatten()
        total = coef[0] + coef[1]
        shares.append((coef[1] / total) if total.abs() > 1e-8 else torch.tensor(float("nan"), dtype=torch.float64))
    return torch.stack(shares).float()


def mixing_shares(G: Generator, read, n: int = 500, seed: int = 0) -> dict[str, Tensor]:
    """The style-mixing measurement: for ``n`` pairs of sources (A, B) and each group of :func:`layer_groups`, the
    images of A with that group's w from B, and for every factor ``read`` finds in an image ((N, C, H, W) ->
    (N, F)), the share that follows B (:func:`follows`); group -> (F,) shares."""
    gen = torch.Generator().manual_seed(seed)
    z_a, z_b = (torch.randn(n, G.config.z_dim, generator=gen) for _ in range(2))
    everything = list(range(G.config.num_ws))
    read_a, read_b = (read(mixed(G, z, z, everything, seed=seed).clamp(-1, 1)) for z in (z_a, z_b))
    return {group: follows(read(mixed(G, z_a, z_b, layers, seed=seed).clamp(-1, 1)), read_a, read_b)
            for group, layers in layer_groups(G.config).items()}


def digit_factors(images: Tensor, judge: evaluation.Scorer) -> dict[str, Tensor]:
    """The known factors of generated digits: the judge's class, and the slant (degrees) and stroke width (pixels)
    measured on the ink (lesson 10's captions), of images (N, 1, 32, 32)."""
    from ..data import captions

    digits = pggan.full_size(images, crop=28)
    net = judge.classifier
    classes = face_identity.in_batches(net, lambda n, x: n.head(n.features(x)).argmax(1), digits)
    return {"class": classes, "slant": captions.slant(digits), "thickness": captions.stroke_width(digits)}


@torch.no_grad()
def truncation_curve(G: Generator, judge: evaluation.Scorer, dataset: str, psis=(0.0, 0.25, 0.5, 0.75, 1.0),
                     n: int = 1000, seed: int = 0) -> list[dict]:
    """FID, precision and recall of ``n`` samples at each ψ (the same latents and noise at every ψ)."""
    rows = []
    for psi in psis:
        scores = judge.score(pggan.full_size(samples(G, n, seed=seed, psi=psi), crop=pggan.JUDGE_CROP[dataset]))
        rows.append({"psi": psi, "fid": round(scores.fid, 2), "precision": round(scores.precision, 4),
                     "recall": round(scores.recall, 4), "classes": scores.classes})
    return rows


def measure(G: Generator, judge: evaluation.Scorer, dataset: str, seed: int = 0,
            factors: face_factors.FactorNet | None = None) -> dict:
    """The scores of G: FID, precision, recall and classes of :data:`EVAL_SAMPLES` samples by ``dataset``'s judge;
    the perceptual path length in Z and in W (:func:`path_lengths`, the judge's features); on the faces, the linear
    separability of the factors in Z and in W (:func:`separabilities`)."""
    scores = judge.score(pggan.full_size(samples(G, EVAL_SAMPLES, seed=seed), crop=pggan.JUDGE_CROP[dataset]))
    ppl = path_lengths(G, judge_features(judge, dataset), seed=seed)
    out = {**scores.row(), "class_shares": scores.class_shares,
           "ppl_z": round(ppl["z"].mean, 4), "ppl_w": round(ppl["w"].mean, 4)}
    if factors is not None:
        found = separabilities(G, factors, seed=seed)
        out.update({"separability_z": found["z"]["score"], "separability_w": found["w"]["score"],
                    "separability_entropy": {space: found[space]["entropy"] for space in found}})
    return out


def load(name: str = "stylegan-faces", device=None, root=checkpoints.ROOT) -> Generator:
    """The committed (sha256-verified) moving-average generator of ``name``, in eval mode, its weights in
    channels_last: on a CPU its bilinear upsampling then runs about nine times faster and a batch of images about
    twice as fast (benchmarks/RESULTS.md), with the same outputs to float rounding."""
    G = checkpoints.load_into(Generator(variant(name)), name, device, root)
    speed.speed_up(G, channels_last=True)
    return G


def train_recipe(name: str = "stylegan-faces", seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train stylegan-faces`` (or another of :data:`VARIANTS`): :data:`STEPS` generator steps
    on the faces' training views (or MNIST's training digits padded to 32 x 32); the moving-average generator is
    stored in half precision (w̄ in full) and :func:`measure`-d as stored. ``epochs``: that many passes over the
    training images instead of :data:`STEPS` steps."""
    config, dataset = variant(name), dataset_of(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    device = runtime.device()
    images, source = pggan.training_images(dataset, device, verbose)
    images = images[:limit]
    steps = STEPS if epochs is None else epochs * max(1, len(images) // BATCH_SIZE)
    judge = pggan.scorer(device, dataset)
    factors = face_factors.load_factors(device) if dataset == "faces" else None
    run_dir = checkpoints.cache_root(cache) / "train" / f"{name}-seed{seed}-steps{steps}-limit{limit}"
    step, history = fit(config, images, steps, seed=seed, batch_size=BATCH_SIZE, checkpoint_dir=run_dir,
                        checkpoint_every=500, progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    shutil.rmtree(run_dir, ignore_errors=True)
    return checkpoints.save_half(name, step.G_ema,
                                 lambda G: {**measure(G, judge, dataset, seed, factors), "steps": steps,
                                            "train_images": len(images)},
                                 history.seconds, source, seed, epochs, limit, root, register, verbose, cache,
                                 keep_full="w_avg")
