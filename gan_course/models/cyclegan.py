"""CycleGAN (Zhu, Park, Isola & Efros 2017): translation between two domains A and B from unpaired examples.

Two generators, G_AB: A -> B and G_BA: B -> A, and two discriminators, D_B (is this a real B?) and D_A. The
adversarial terms alone ask only that G_AB(A) *look like* B: any mapping that carries the distribution of A onto
the distribution of B is optimal, a permutation of the digit classes included. The cycle terms pin it down: a
translation that loses what the image showed cannot be undone. The full objective (the paper's Eq. 3, and the
identity term of its Section 5.2):

    L(G_AB, G_BA, D_A, D_B) = L_GAN(G_AB, D_B) + L_GAN(G_BA, D_A)
                              + lambda_cyc (E_a ||G_BA(G_AB(a)) - a||_1 + E_b ||G_AB(G_BA(b)) - b||_1)
                              + lambda_id lambda_cyc (E_b ||G_AB(b) - b||_1 + E_a ||G_BA(a) - a||_1)

with least-squares adversarial terms (Mao et al. 2017): D minimises (D(b) - 1)^2 + D(G_AB(a))^2, G minimises
(D(G_AB(a)) - 1)^2. As in the paper: lambda_cyc = 10; the identity weight is relative to lambda_cyc (0.5, so
5), as in the authors' code, so lambda_cyc = 0 switches the identity term off too; D learns from a history
of 50 past fakes (Shrivastava et al. 2017), not only the latest; Adam 2e-4, beta1 0.5, the learning rate
constant for the first half of training and decayed linearly to 0 over the second.

The networks are the paper's, sized for 28x28: a residual generator (c7s1-w, d2w, d4w, residual blocks at
7x7, u2w, uw, c7s1-C) with instance normalisation, and a PatchGAN discriminator whose 7x7 output map scores
overlapping 18x18 patches (its convolutions see 18x18; instance normalisation adds the image's statistics).

Taught in: lesson 12
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn

from .. import checkpoints, distributed, losses, runtime, train
from ..data.digits import DeviceBatches, UnpairedBatches
from ..train import Step
from .dcgan import init_weights

IMAGE_SIZE = 28


@dataclass(frozen=True)
class CycleGANConfig:
    """The paper's settings (Zhu et al. 2017, Section 4 and Appendix 7), networks sized for 28x28 digits."""

    channels: int = 1                 # of both domains' images (1: grey digits, 3: colour)
    width: int = 16                   # G's first feature map (the paper: 64 at 256x256)
    n_residual: int = 3               # residual blocks at 7x7 (the paper: 6 at 128x128, 9 at 256x256)
    d_width: int = 32                 # D's first feature map (the paper: 64)
    lambda_cycle: float = 10.0        # lambda_cyc
    lambda_identity: float = 0.5      # relative to lambda_cyc: the identity term's weight is 0.5 * 10 = 5
    pool_size: int = 50               # fakes kept in each history buffer (0: D sees only the latest)
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 16              # the paper: 1
    steps: int = 2000                 # generator steps; the last half decays the learning rate to 0
    image_size: int = IMAGE_SIZE      # of the square images (32: the frames of Recycle-GAN's moving digits)

    def __post_init__(self):
        check_image_size(self.image_size)
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 (grey) or 3 (colour), got {self.channels!r}")
        if self.lambda_cycle < 0 or self.lambda_identity < 0 or self.pool_size < 0:
            raise ValueError("lambda_cycle, lambda_identity and pool_size must be >= 0, got "
                             f"{self.lambda_cycle}, {self.lambda_identity} and {self.pool_size}")


# --------------------------------------------------------------------------- the networks


def instance_norm(channels: int) -> nn.Module:
    """The paper's normalisation: per image and channel, no learned scale or shift."""
    return nn.InstanceNorm2d(channels, affine=False)


class ResidualBlock(nn.Module):
    """x + (pad, conv3x3, norm, ReLU, pad, conv3x3, norm)(x): the shape is kept (B, C, H, W)."""

    def __init__(self, channels: int, norm: Callable[[int], nn.Module] = instance_norm):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), norm(channels), nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), norm(channels))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


def encoder_layers(channels: int, width: int, norm: Callable[[int], nn.Module] = instance_norm) -> list[nn.Module]:
    """c7s1-w, d2w, d4w: image (B, C, 28, 28) -> features (B, 4w, 7, 7)."""
    return [nn.ReflectionPad2d(3), nn.Conv2d(channels, width, 7), norm(width), nn.ReLU(inplace=True),  # (B, w, 28, 28)
            nn.Conv2d(width, 2 * width, 3, 2, 1), norm(2 * width), nn.ReLU(inplace=True),             # (B, 2w, 14, 14)
            nn.Conv2d(2 * width, 4 * width, 3, 2, 1), norm(4 * width), nn.ReLU(inplace=True)]         # (B, 4w, 7, 7)


def decoder_layers(channels: int, width: int, norm: Callable[[int], nn.Module] = instance_norm) -> list[nn.Module]:
    """u2w, uw, c7s1-C: features (B, 4w, 7, 7) -> image (B, C, 28, 28) in [-1, 1]."""
    return [nn.ConvTranspose2d(4 * width, 2 * width, 3, 2, 1, output_padding=1), norm(2 * width),
            nn.ReLU(inplace=True),                                                                     # (B, 2w, 14, 14)
            nn.ConvTranspose2d(2 * width, width, 3, 2, 1, output_padding=1), norm(width), nn.ReLU(inplace=True),
            nn.ReflectionPad2d(3), nn.Conv2d(width, channels, 7), nn.Tanh()]                           # (B, C, 28, 28)


def check_image_size(size) -> int:
    """The networks halve the image twice: its side must be a multiple of 4, at least 16."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 16 or size % 4:
        raise ValueError(f"image_size must be a multiple of 4 of at least 16, got {size!r}")
    return size


def check_images(x: Tensor, channels: int, who: str, size: int = IMAGE_SIZE) -> None:
    if not isinstance(x, Tensor) or x.dim() != 4 or tuple(x.shape[1:]) != (channels, size, size):
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f"{who} expects images of shape (B, {channels}, {size}, {size}), got {shape}")


class ResnetGenerator(nn.Module):
    """A translator: image (B, C, 28, 28) -> image (B, C, 28, 28), through residual blocks at (B, 4w, 7, 7)
    (another ``image_size`` S: (B, C, S, S), through (B, 4w, S/4, S/4))."""

    def __init__(self, channels: int = 1, width: int = 16, n_residual: int = 3, image_size: int = IMAGE_SIZE):
        super().__init__()
        self.channels, self.image_size = channels, check_image_size(image_size)
        self.net = nn.Sequential(*encoder_layers(channels, width),
                                 *[ResidualBlock(4 * width) for _ in range(n_residual)],
                                 *decoder_layers(channels, width))

    def forward(self, x: Tensor) -> Tensor:
        check_images(x, self.channels, "G", self.image_size)
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """PatchGAN: image (B, C, 28, 28) -> a map of scores (B, 1, 7, 7), one per overlapping 18x18 patch (what
    its convolutions see; instance normalisation adds each channel's mean and spread over the image).

    C(w) 4x4 stride 2 without normalisation, C(2w) 4x4 stride 2, C(4w) 3x3, then a 1x1 convolution to one
    score; instance normalisation and LeakyReLU(0.2) as in the paper. No sigmoid: the least-squares loss
    reads the scores as they are.
    """

    def __init__(self, channels: int = 1, width: int = 32, image_size: int = IMAGE_SIZE):
        super().__init__()
        self.channels, self.image_size = channels, check_image_size(image_size)
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),                      # (B, w, 14, 14)
            nn.Conv2d(width, 2 * width, 4, 2, 1), instance_norm(2 * width), nn.LeakyReLU(0.2, inplace=True),  # 7x7
            nn.Conv2d(2 * width, 4 * width, 3, 1, 1), instance_norm(4 * width), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4 * width, 1, 1))                                                                # (B, 1, 7, 7)

    def forward(self, x: Tensor) -> Tensor:
        check_images(x, self.channels, "D", self.image_size)
        return self.net(x)


def build(config: CycleGANConfig = CycleGANConfig()) -> dict[str, nn.Module]:
    """Fresh G_AB, G_BA, D_A and D_B, initialised as the paper's code does: weights ~ N(0, 0.02²)."""
    nets = {"G_AB": ResnetGenerator(config.channels, config.width, config.n_residual, config.image_size),
            "G_BA": ResnetGenerator(config.channels, config.width, config.n_residual, config.image_size),
            "D_A": PatchDiscriminator(config.channels, config.d_width, config.image_size),
            "D_B": PatchDiscriminator(config.channels, config.d_width, config.image_size)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


# --------------------------------------------------------------------------- the history buffer


@torch.no_grad()
def history_query(stored: list[Tensor], size: int, fakes: Tensor, generator: torch.Generator) -> Tensor:
    """One query of a history buffer: ``stored`` (a list of past fakes, each (C, H, W)) is changed in place and the
    batch D should see is returned, without gradient (see :class:`HistoryBuffer`)."""
    if size == 0:
        return fakes
    out = []
    for fake in fakes.detach():
        if len(stored) < size:                        # still filling: keep it and pass it on
            stored.append(fake.clone())
            out.append(fake)
        elif torch.rand((), generator=generator) < 0.5:
            slot = int(torch.randint(size, (), generator=generator))
            out.append(stored[slot])                  # an older fake goes to D ...
            stored[slot] = fake.clone()               # ... and the new one takes its place
        else:
            out.append(fake)
    return torch.stack(out)


class HistoryBuffer:
    """D's memory of past fakes (Shrivastava et al. 2017): D is shown a mix of new and older fakes, so it
    cannot chase only G's latest mistakes, and G cannot win by oscillating between them.

    Until it holds ``size`` images, every new fake is stored and passed on. Once full, each new fake is, with
    probability 1/2, passed on as it is; otherwise a random stored fake is passed on in its place and the new
    one takes its slot. ``size = 0``: no buffer, the new fakes pass unchanged.
    """

    def __init__(self, size: int = 50, seed: int = 0):
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"size must be an integer >= 0, got {size!r}")
        self.size, self.images = size, []
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return len(self.images)

    def query(self, fakes: Tensor) -> Tensor:
        """The batch D should see instead of ``fakes`` (B, C, H, W); the buffer is updated."""
        return history_query(self.images, self.size, fakes, self.generator)

    def state_dict(self) -> dict:
        return {"size": self.size, "generator": self.generator.get_state(),
                "images": torch.stack(self.images).cpu() if self.images else None}

    def load_state_dict(self, state: dict, device=None) -> None:
        if state["size"] != self.size:
            raise ValueError(f"the saved buffer holds {state['size']} images, this one {self.size}")
        self.generator.set_state(state["generator"])
        self.images = [] if state["images"] is None else list(state["images"].to(device or "cpu"))


# --------------------------------------------------------------------------- the step


def linear_decay(steps: int) -> Callable[[int], float]:
    """The paper's schedule as a factor on the learning rate: 1 for the first half, then down to 0 linearly."""
    half = steps // 2
    return lambda i: 1.0 if i < half else max(0.0, (steps - i) / max(1, steps - half))


class CycleGANStep(Step):
    """Algorithm 1 for CycleGAN on unpaired batches ``(a, b)`` (two batches of the same size, one per domain).

    ``d_step``: D_A and D_B descend their least-squares losses on real images and on fakes drawn through
    their history buffers (one optimizer for both). ``g_step``: G_AB and G_BA descend the adversarial, cycle
    and identity terms together through frozen discriminators (one optimizer for both). Each update moves its
    learning rate along :func:`linear_decay`.
    """

    networks = ("G_AB", "G_BA", "D_A", "D_B")
    optimizers = ("g_opt", "d_opt")

    def __init__(self, nets: dict[str, nn.Module], config: CycleGANConfig, seed: int = 0):
        self.G_AB, self.G_BA, self.D_A, self.D_B = (nets[name] for name in self.networks)
        self.config = config
        self.g_opt = torch.optim.Adam([*self.G_AB.parameters(), *self.G_BA.parameters()], lr=config.lr,
                                      betas=config.betas)
        self.d_opt = torch.optim.Adam([*self.D_A.parameters(), *self.D_B.parameters()], lr=config.lr,
                                      betas=config.betas)
        self.g_schedule, self.d_schedule = (torch.optim.lr_scheduler.LambdaLR(opt, linear_decay(config.steps))
                                            for opt in (self.g_opt, self.d_opt))
        self.pool_A, self.pool_B = HistoryBuffer(config.pool_size, seed), HistoryBuffer(config.pool_size, seed + 1)

    def check(self, batch) -> None:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise ValueError(f"CycleGAN trains on unpaired batches (a, b), got {type(batch).__name__}")
        check_images(batch[0], self.config.channels, "domain A's batch", self.config.image_size)
        check_images(batch[1], self.config.channels, "domain B's batch", self.config.image_size)

    def d_step(self, batch) -> dict[str, Tensor]:
        real_A, real_B = batch
        with torch.no_grad():
            fake_B, fake_A = self.G_AB(real_A), self.G_BA(real_B)
        fake_B, fake_A = self.pool_B.query(fake_B), self.pool_A.query(fake_A)       # older fakes mixed in
        loss_D_B = losses.least_squares_d_loss(self.D_B(real_B), self.D_B(fake_B))  # (D_B(b)-1)^2 + D_B(G_AB(a))^2
        loss_D_A = losses.least_squares_d_loss(self.D_A(real_A), self.D_A(fake_A))
        self.d_opt.zero_grad(set_to_none=True)
        (loss_D_A + loss_D_B).backward()
        self.d_opt.step()
        self.d_schedule.step()
        return {"D_A": loss_D_A.detach(), "D_B": loss_D_B.detach()}

    def g_step(self, batch) -> dict[str, Tensor]:
        real_A, real_B = batch
        c = self.config
        self.D_A.requires_grad_(False)
        self.D_B.requires_grad_(False)
        try:
            fake_B, fake_A = self.G_AB(real_A), self.G_BA(real_B)                     # a -> b, b -> a
            adversarial = (losses.least_squares_g_loss(self.D_B(fake_B))              # L_GAN(G_AB, D_B)
                           + losses.least_squares_g_loss(self.D_A(fake_A)))           # L_GAN(G_BA, D_A)
            cycle = (losses.cycle_consistency_loss(real_A, self.G_BA(fake_B))         # ||G_BA(G_AB(a)) - a||_1
                     + losses.cycle_consistency_loss(real_B, self.G_AB(fake_A)))      # ||G_AB(G_BA(b)) - b||_1
            identity = torch.zeros((), device=real_A.device)
            if c.lambda_identity * c.lambda_cycle > 0:
                identity = ((self.G_AB(real_B) - real_B).abs().mean()                # ||G_AB(b) - b||_1
                            + (self.G_BA(real_A) - real_A).abs().mean())             # ||G_BA(a) - a||_1
            loss = adversarial + c.lambda_cycle * cycle + c.lambda_identity * c.lambda_cycle * identity
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        finally:
            self.D_A.requires_grad_(True)
            self.D_B.requires_grad_(True)
        self.g_schedule.step()
        return {"G_adversarial": adversarial.detach(), "cycle": cycle.detach(), "identity": identity.detach()}

    def extra_state(self) -> dict:
        return {"pool_A": self.pool_A.state_dict(), "pool_B": self.pool_B.state_dict(),
                "g_schedule": self.g_schedule.state_dict(), "d_schedule": self.d_schedule.state_dict()}

    def load_extra_state(self, state: dict) -> None:
        device = next(self.G_AB.parameters()).device
        self.pool_A.load_state_dict(state["pool_A"], device)
        self.pool_B.load_state_dict(state["pool_B"], device)
        self.g_schedule.load_state_dict(state["g_schedule"])
        self.d_schedule.load_state_dict(state["d_schedule"])


def fit(config: CycleGANConfig, domain_A, domain_B, *, seed: int = 0, **train_options
        ) -> tuple[dict[str, nn.Module], train.History]:
    """Train a CycleGAN of ``config`` on the images of two :class:`~gan_course.data.DigitData` (their labels
    are never read) for ``config.steps`` generator steps, seeded with ``seed``. Returns the four networks in
    eval mode and the run's history."""
    runtime.seed_everything(seed)
    device = domain_A.images.device
    nets = {name: net.to(device) for name, net in build(config).items()}
    batches = UnpairedBatches(DeviceBatches(domain_A.images, batch_size=config.batch_size, seed=seed),
                              DeviceBatches(domain_B.images, batch_size=config.batch_size, seed=seed + 1))
    history = train.train(CycleGANStep(nets, config, seed), batches, config.steps, **train_options)
    return {name: net.eval() for name, net in nets.items()}, history


# --------------------------------------------------------------------------- measuring a translation


@torch.no_grad()
def translate(G: nn.Module, images: Tensor, batch_size: int = 500) -> Tensor:
    """G's translations of ``images`` (N, C, 28, 28), in eval mode, on the CPU."""
    device = next(G.parameters()).device
    was_training = G.training
    G.eval()
    out = torch.cat([G(images[i:i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)])
    G.train(was_training)
    return out


def label_preservation(G: nn.Module, source, judge: nn.Module) -> dict:
    """Does G keep the digit? ``source`` is a :class:`~gan_course.data.DigitData` of one domain (its labels
    are read here, to measure, and nowhere in training); ``judge`` classifies the other domain's digits.

    Returns:
        ``accuracy``: the share of translations that the judge reads as the source's digit;
        ``confusion``: (10, 10) counts, row = the source's digit, column = the judge's reading of G(x);
        ``permutation_accuracy`` and ``mapping``: the best one-to-one relabelling of the digits and the share
        it gets right (:func:`gan_course.evaluation.best_matching`). High with a low ``accuracy``: G maps
        digits to *other* digits, consistently (a permutation).
    """
    from ..evaluation import best_matching, classify, confusion

    predicted, _ = classify(judge, translate(G, source.images))
    counts = confusion(source.labels.cpu(), predicted)
    permutation_accuracy, mapping = best_matching(counts)
    return {"accuracy": counts.diag().sum().item() / len(predicted), "confusion": counts,
            "permutation_accuracy": permutation_accuracy, "mapping": mapping}


def label_lookup(labels: Tensor, target, permutation=None, seed: int = 0) -> Tensor:
    """A "translator" that cheats with the labels, for lesson 12's argument: for each source digit y (``labels``
    (N,)), a random image of ``target`` (a :class:`~gan_course.data.DigitData`) showing digit ``permutation[y]``
    (default: y itself). Drawn from a balanced target, its outputs are a sample of the target distribution for
    every permutation, so no adversarial loss can prefer the one that keeps the digit."""
    permutation = list(range(10)) if permutation is None else list(permutation)
    if sorted(permutation) != list(range(10)):
        raise ValueError(f"permutation must order the digits 0..9, each once, got {permutation!r}")
    gen = torch.Generator().manual_seed(seed)
    wanted = torch.tensor(permutation)[labels.cpu()]                                  # (N,) the digit to show
    pools = [torch.nonzero(target.labels.cpu() == digit).squeeze(1) for digit in range(10)]
    picks = [pools[d][torch.randint(len(pools[d]), (), generator=gen)] for d in wanted.tolist()]
    return target.images.cpu()[torch.stack(picks)]


def cycle_error(G_there: nn.Module, G_back: nn.Module, images: Tensor) -> float:
    """The mean absolute difference per pixel between ``images`` and their round trips G_back(G_there(x)),
    in the images' [-1, 1] units."""
    return (translate(G_back, translate(G_there, images)) - images.cpu()).abs().mean().item()


# --------------------------------------------------------------------------- the lesson's variants and their recipe

#: Domain pair (A, B) of each variant (:data:`gan_course.data.domains.PAIRS`) and its configuration: the full
#: model and the three ablations of lesson 12, on both pairs, at one budget.
VARIANTS: dict[str, tuple[str, CycleGANConfig]] = {
    f"cyclegan-{pair}{suffix}": (pair, CycleGANConfig(channels=channels, **change))
    for pair, channels in (("digits", 1), ("textures", 3))
    for suffix, change in (("", {}), ("-no-cycle", {"lambda_cycle": 0.0}), ("-no-identity", {"lambda_identity": 0.0}),
                           ("-no-buffer", {"pool_size": 0}))
} | {"cyclegan-digits-lambda1": ("digits", CycleGANConfig(lambda_cycle=1.0))}   # Twin-GAN's weight (lesson 13)


def variant(name: str) -> tuple[str, CycleGANConfig]:
    """The domain pair and configuration of the CycleGAN called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown CycleGAN {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def spread(images: Tensor, n: int) -> Tensor:
    """``n`` of ``images`` at even intervals (all of them when there are fewer): the held-out sets are sorted by
    class, so the first ``n`` would hold only the first digits."""
    if n >= len(images):
        return images
    return images[torch.linspace(0, len(images) - 1, n).round().long()]


def measure(G_AB: nn.Module, G_BA: nn.Module, pair: str, n: int = 1000) -> dict:
    """Everything lesson 12 reports on a trained pair of generators, on the held-out images of ``pair``: label
    preservation both ways (judged in the target domain), the cycle reconstruction error both ways, and
    FID, precision and recall of the translations against the target domain's held-out images (on its judge's
    features). ``n``: at most this many held-out images per domain, at even intervals (:func:`spread`). Keys end
    in ``_ab`` (A -> B) or ``_ba``."""
    from .. import evaluation
    from ..data import domains
    from .classifier import load_judge

    out = {}
    test = {key: type(d)(spread(d.images, n), spread(d.labels, n), d.source)
            for key, d in zip("ab", domains.load_pair(pair, "test"))}
    names = dict(zip("ab", domains.PAIRS[pair]))
    for source, target, G, G_back in (("a", "b", G_AB, G_BA), ("b", "a", G_BA, G_AB)):
        judge = load_judge(names[target])
        kept = label_preservation(G, test[source], judge)
        scores = evaluation.Scorer(judge, test[target].images).score(translate(G, test[source].images))
        tag = source + target
        out.update({f"label_preservation_{tag}": kept["accuracy"],
                    f"permutation_accuracy_{tag}": kept["permutation_accuracy"], f"mapping_{tag}": kept["mapping"],
                    f"confusion_{tag}": kept["confusion"].tolist(),
                    f"cycle_error_{tag}": cycle_error(G, G_back, test[source].images),
                    f"fid_{tag}": scores.fid, f"precision_{tag}": scores.precision, f"recall_{tag}": scores.recall})
    return out


def load(name: str, device=None, root=checkpoints.ROOT) -> dict[str, ResnetGenerator]:
    """The committed (sha256-verified) generators ``{"G_AB": ..., "G_BA": ...}`` of ``name``, in eval mode."""
    _, config = variant(name)
    state = checkpoints.load(name, root=root)
    out = {}
    for key in ("G_AB", "G_BA"):
        G = ResnetGenerator(config.channels, config.width, config.n_residual)
        G.load_state_dict({k: v.float() for k, v in state[key].items()})
        out[key] = G.to(device or "cpu").eval()
    return out


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: train one CycleGAN of :data:`VARIANTS` on its pair's training
    images, store both generators in half precision, and :func:`measure` what is stored. ``epochs``: passes
    over domain A's training images (default: the configuration's ``steps``, 8 passes of 4,000 at batch 16).
    Resumable: a checkpoint every 500 steps in ``<cache>/train/<run>/``.

    Raises:
        ValueError: for an unknown variant, or ``epochs`` or ``limit`` that are not integers >= 1.
    """
    from ..data import domains

    pair, config = variant(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    device = runtime.device()
    domain_A, domain_B = (d.to(device) for d in domains.load_pair(pair, "train", verbose=verbose))
    if limit is not None:
        domain_A, domain_B = (type(d)(d.images[:limit], d.labels[:limit], d.source) for d in (domain_A, domain_B))
    per_epoch = max(1, len(domain_A) // config.batch_size)
    if epochs is not None:
        config = dataclasses.replace(config, steps=epochs * per_epoch)
    epochs = config.steps // per_epoch
    run_name = f"{name}-seed{seed}-epochs{epochs}" + (f"-limit{limit}" if limit is not None else "")
    run_dir = checkpoints.cache_root(cache) / "train" / run_name
    nets, history = fit(config, domain_A, domain_B, seed=seed, checkpoint_dir=run_dir, checkpoint_every=500,
                        progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    state = {key: {k: v.detach().cpu().half() for k, v in nets[key].state_dict().items()} for key in ("G_AB", "G_BA")}
    for key in state:
        nets[key].load_state_dict({k: v.float() for k, v in state[key].items()})  # measure what is stored
    metrics = {**measure(nets["G_AB"].cpu(), nets["G_BA"].cpu(), pair), "steps": config.steps,
               "train_images": len(domain_A), "seconds": round(history.seconds, 1),
               "machine": runtime.describe_machine()}
    command = checkpoints.recipe_command(name, seed, epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, f"{domain_A.source} | {domain_B.source}", metrics, root,
                                     register, verbose, cache=cache)
    shutil.rmtree(run_dir)
    if verbose:
        print(f"{name}: label preservation A->B {metrics['label_preservation_ab']:.3f}, B->A "
              f"{metrics['label_preservation_ba']:.3f} ({history.seconds:.0f} s)")
    return entry
