"""Conditional GANs: generating on demand, from a class label (Mirza & Osindero 2014) or from a caption, with a
matching-aware discriminator (Reed et al. 2016) or a projection discriminator (Miyato & Koyama 2018).

G and D both see a condition y (a label, or a caption's token ids), and the game of Goodfellow et al. is played
for every y:

    min_G max_D  E_{(x, y) ~ p_data}[log D(x, y)] + E_{z ~ p_z, y ~ p_data}[log(1 - D(G(z, y), y))]

For a fixed G the best D is D*(x, y) = p(x|y) / (p(x|y) + p_g(x|y)), and at D* the game's value is
C(G) = -log 4 + 2 E_y JSD(p(.|y) || p_g(.|y)): G wins only by matching every conditional.

**The matching-aware discriminator** (Reed et al. 2016, GAN-CLS). Trained on real and fake pairs only, D can
answer "real or fake?" from the image alone and ignore y. Shown real images with *wrong* conditions as a third
kind of negative, it must also judge whether image and condition match:

    L_D = -log D(x, y) - 1/2 [log(1 - D(x, y_wrong)) + log(1 - D(G(z, y), y))]

**How D reads y.** ``"concat"``: the condition's embedding is concatenated to D's image features before a small
head (the usual conditional D); ``"projection"``: D's logit is ``psi(phi(x)) + <embed(y), phi(x)>``, the
form Miyato & Koyama derive from the log-likelihood ratio of a conditional model.

The networks are the DCGAN's of lesson 06 (:mod:`.dcgan`), with an encoder for the condition in each:
:class:`LabelEncoder` (a lookup table) or :class:`CaptionEncoder` (the mean of the caption's word vectors, an
``EmbeddingBag``, then a linear layer). :class:`ConditionalGANStep` makes Algorithm 1's two updates on batches
``(images, conditions)``.

Taught in: lesson 10
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn

from .. import checkpoints, distributed, losses, runtime, speed, train
from ..data import DeviceBatches, captions
from ..train import Step
from .dcgan import DCGANDiscriminator, DCGANGenerator, IMAGE_SHAPE, init_weights

CONDITIONING = ("concat", "projection")


class LabelEncoder(nn.Module):
    """A class label (B,) -> its learned vector (B, dim)."""

    def __init__(self, n_classes: int = 10, dim: int = 32):
        super().__init__()
        self.n_classes, self.dim = n_classes, dim
        self.table = nn.Embedding(n_classes, dim)

    def forward(self, y: Tensor) -> Tensor:
        if y.dim() != 1 or y.dtype != torch.long or (y.numel() and (y.min() < 0 or y.max() >= self.n_classes)):
            raise ValueError(f"expected labels (B,) of integers 0..{self.n_classes - 1}, got {tuple(y.shape)} "
                             f"{y.dtype}")
        return self.table(y)


class CaptionEncoder(nn.Module):
    """A caption's token ids (B, L), padded with 0 (:func:`gan_course.data.captions.encode`) -> (B, dim):
    the mean of its word vectors (the order of the words is not read), then a linear layer."""

    def __init__(self, vocabulary_size: int = len(captions.VOCABULARY), dim: int = 32):
        super().__init__()
        self.vocabulary_size, self.dim = vocabulary_size, dim
        self.words = nn.EmbeddingBag(vocabulary_size, dim, mode="mean", padding_idx=0)
        self.mix = nn.Linear(dim, dim)

    def forward(self, ids: Tensor) -> Tensor:
        if ids.dim() != 2 or ids.dtype != torch.long or (ids.numel() and (ids.min() < 0
                                                                          or ids.max() >= self.vocabulary_size)):
            raise ValueError(f"expected token ids (B, L) in 0..{self.vocabulary_size - 1}, got {tuple(ids.shape)} "
                             f"{ids.dtype}")
        if (ids == 0).all(1).any():
            raise ValueError("every caption needs at least one word (a row of only padding has no meaning)")
        return self.mix(self.words(ids))  # (B, dim)


class ConditionalGenerator(nn.Module):
    """G: noise z (B, z_dim) and a condition y -> image (B, 1, 28, 28): the DCGAN generator fed [z, embed(y)]."""

    def __init__(self, encoder: nn.Module, z_dim: int = 100, width: int = 32):
        super().__init__()
        self.encoder, self.z_dim = encoder, z_dim
        self.net = DCGANGenerator(z_dim=z_dim + encoder.dim, width=width)

    def forward(self, z: Tensor, y: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim or len(y) != len(z):
            raise ValueError(f"G expects z (B, {self.z_dim}) and B conditions, got {tuple(z.shape)} and {len(y)}")
        return self.net(torch.cat([z, self.encoder(y)], dim=1))  # (B, z_dim + dim) -> (B, 1, 28, 28)

    def sample_z(self, n: int, device=None) -> Tensor:
        device = device or next(self.parameters()).device
        return torch.randn(n, self.z_dim, device=device)


class ConditionalDiscriminator(nn.Module):
    """D: image (B, 1, 28, 28) and condition y -> one logit per pair (B,).

    The image features phi(x) (B, features) come from the DCGAN discriminator's convolutions and one linear
    layer; ``conditioning`` says how y enters: ``"concat"`` (head on [phi(x), embed(y)]) or ``"projection"``
    (``psi(phi(x)) + <embed(y), phi(x)>``).
    """

    def __init__(self, encoder: nn.Module, width: int = 32, conditioning: str = "concat", features: int = 128):
        super().__init__()
        if conditioning not in CONDITIONING:
            raise ValueError(f"conditioning must be one of {CONDITIONING}, got {conditioning!r}")
        self.encoder, self.conditioning = encoder, conditioning
        convolutions = DCGANDiscriminator(width=width).net[:-1]                # (B, 4w, 4, 4)
        self.phi = nn.Sequential(convolutions, nn.Flatten(),
                                 nn.Linear(4 * width * 16, features), nn.LeakyReLU(0.2))  # (B, features)
        if conditioning == "concat":
            self.head = nn.Sequential(nn.Linear(features + encoder.dim, features), nn.LeakyReLU(0.2),
                                      nn.Linear(features, 1))
        else:
            self.psi = nn.Linear(features, 1)
            self.project = nn.Linear(encoder.dim, features, bias=False)  # embed(y) in the features' space

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE or len(y) != len(x):
            raise ValueError(f"D expects images (B, 1, 28, 28) and B conditions, got {tuple(x.shape)} and {len(y)}")
        phi, e = self.phi(x), self.encoder(y)                                  # (B, F), (B, dim)
        if self.conditioning == "concat":
            return self.head(torch.cat([phi, e], dim=1)).flatten()
        return self.psi(phi).flatten() + (self.project(e) * phi).sum(1)        # psi(phi) + <V e(y), phi>


def build(condition: str, conditioning: str = "concat", width: int = 32, z_dim: int = 100, dim: int = 32
          ) -> tuple[ConditionalGenerator, ConditionalDiscriminator]:
    """A freshly initialised conditional G and D for ``condition`` ``"label"`` or ``"caption"``: DCGAN's
    N(0, 0.02²) initialisation for the convolutions, each network with its own encoder."""
    encoders = {"label": LabelEncoder, "caption": CaptionEncoder}
    if condition not in encoders:
        raise ValueError(f"condition must be 'label' or 'caption', got {condition!r}")
    G = ConditionalGenerator(encoders[condition](dim=dim), z_dim=z_dim, width=width)
    D = ConditionalDiscriminator(encoders[condition](dim=dim), width=width, conditioning=conditioning)
    G.net.apply(init_weights)
    D.phi.apply(init_weights)
    return G, D


def roll_conditions(y: Tensor) -> Tensor:
    """Wrong conditions for a batch, with no randomness of their own.

    Labels (B,): each label is moved on by 1 to 9 classes, the amount taken from its neighbour's label,
    ``(y + 1 + (y_previous mod 9)) mod 10``, so it is never y itself and all ten classes occur.
    Captions (B, L): each example gets its neighbour's caption. A neighbour may, rarely, carry the same
    caption: about 1 in 10 share the digit, fewer all three properties."""
    if y.dim() == 1:  # labels
        shift = 1 + y.roll(1, 0) % 9                      # 1..9: a different class for every example
        return (y + shift) % 10
    return y.roll(1, 0)


class ConditionalGANStep(Step):
    """Algorithm 1 for a conditional G and D on batches ``(images, conditions)``.

    Args:
        G, D: a :class:`ConditionalGenerator` and :class:`ConditionalDiscriminator` (or anything with the same
            calls: ``G(z, y)``, ``G.sample_z(n)``, ``D(x, y)`` -> logits).
        d_opt, g_opt: their optimizers.
        mismatch: the matching-aware D of Reed et al.: real images with wrong conditions are a third kind of
            negative, weighted half and half with the fakes.
        wrong: makes the wrong conditions of a batch (default :func:`roll_conditions`).
    """

    networks = ("G", "D")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, G: nn.Module, D: nn.Module, d_opt: torch.optim.Optimizer, g_opt: torch.optim.Optimizer, *,
                 mismatch: bool = False, wrong: Callable[[Tensor], Tensor] = roll_conditions):
        self.G, self.D, self.d_opt, self.g_opt = G, D, d_opt, g_opt
        self.mismatch, self.wrong = bool(mismatch), wrong

    def check(self, batch) -> None:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2 or len(batch[0]) != len(batch[1]):
            raise ValueError("a conditional GAN trains on batches (images, conditions) of the same length, got "
                             f"{type(batch).__name__}")

    def d_step(self, batch) -> dict[str, Tensor]:
        """One update of D: real pairs up, fake pairs (and, matching-aware, wrong pairs) down."""
        real, y = batch
        z = self.G.sample_z(len(real))
        with torch.no_grad():
            fake = self.G(z, y)                                            # G(z, y) for the batch's conditions
        real_logits, fake_logits = self.D(real, y), self.D(fake, y)
        out = {}
        if self.mismatch:
            wrong_logits = self.D(real, self.wrong(y))                     # real images, wrong conditions
            loss = losses.matching_aware_d_loss(real_logits, fake_logits, wrong_logits)
            out["d_wrong"] = torch.sigmoid(wrong_logits).mean().detach()
        else:
            loss = losses.minimax_d_loss(real_logits, fake_logits)         # -log D(x, y) - log(1 - D(G(z, y), y))
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"d_loss": loss.detach(), "d_real": torch.sigmoid(real_logits).mean().detach(),
                "d_fake": torch.sigmoid(fake_logits).mean().detach(), **out}

    def g_step(self, batch) -> dict[str, Tensor]:
        """One update of G through a frozen D, for the batch's conditions: -log D(G(z, y), y)."""
        _, y = batch
        z = self.G.sample_z(len(y))
        self.D.requires_grad_(False)
        try:
            loss = losses.nonsaturating_g_loss(self.D(self.G(z, y), y))
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        finally:
            self.D.requires_grad_(True)
        return {"g_loss": loss.detach()}


# --------------------------------------------------------------------------- the lesson's variants, trained and scored

@dataclass(frozen=True)
class CGANConfig:
    """One conditional GAN of the lesson: what it is conditioned on, how D reads it, and how it is trained.
    The training settings are DCGAN's (Adam 2e-4, beta1 0.5), the same for every variant."""

    condition: str = "label"            # "label" or "caption"
    conditioning: str = "concat"        # "concat" or "projection"
    mismatch: bool = False              # the matching-aware D (wrong pairs as negatives)
    width: int = 32
    z_dim: int = 100
    dim: int = 32                       # size of the condition's embedding
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 64
    epochs: int = 50                    # passes over the 4,000 training digits, in generator steps

    def __post_init__(self):
        if self.condition not in ("label", "caption") or self.conditioning not in CONDITIONING:
            raise ValueError(f"condition must be 'label' or 'caption' and conditioning one of {CONDITIONING}, got "
                             f"{self.condition!r} and {self.conditioning!r}")


def _name(condition: str, conditioning: str, mismatch: bool) -> str:
    return f"cgan-{condition}-{conditioning}" + ("-mismatch" if mismatch else "")


# The lesson's eight: caption or label, read by concatenation or projection, with or without wrong pairs;
# the same networks, optimizer and budget for all of them.
VARIANTS: dict[str, CGANConfig] = {
    _name(condition, conditioning, mismatch): CGANConfig(condition, conditioning, mismatch)
    for condition in ("caption", "label") for conditioning in CONDITIONING for mismatch in (False, True)
}


def conditions_of(config: CGANConfig, digits, rule: captions.CaptionRule | None = None) -> Tensor:
    """The condition of every digit: its label, or the token ids of its caption under ``rule``."""
    if config.condition == "label":
        return digits.labels
    if rule is None:
        raise ValueError("a caption-conditioned GAN needs the CaptionRule that writes the captions")
    return captions.encode(rule.captions(digits.images.cpu(), digits.labels.cpu())).to(digits.images.device)


def conditions_from_text(config: CGANConfig, texts: list[str]) -> Tensor:
    """The conditions a G of ``config`` reads for captions typed by hand: their token ids, or for a
    label-conditioned G the digit each caption names (its other words are ignored).

    Raises:
        ValueError: for a caption with an unknown word, or with no digit or more than one.
    """
    if isinstance(texts, str):
        raise ValueError("expected a list of captions, got one string")
    if config.condition == "label":
        return torch.tensor([captions.parse(text)[0] for text in texts], dtype=torch.long)
    for text in texts:
        captions.parse(text)  # names exactly one digit, in the vocabulary
    return captions.encode(texts)


def fit(config: CGANConfig, digits, steps: int, *, seed: int = 0, rule: captions.CaptionRule | None = None,
        **train_options) -> tuple[ConditionalGenerator, ConditionalDiscriminator, train.History]:
    """Train the conditional GAN of ``config`` on ``digits`` (and their labels or captions) for ``steps``
    generator steps, seeded with ``seed``. Returns G and D in eval mode and the run's history."""
    runtime.seed_everything(seed)
    G, D = (net.to(digits.images.device) for net in build(config.condition, config.conditioning, config.width,
                                                            config.z_dim, config.dim))
    step = ConditionalGANStep(G, D, torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas),
                              torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas),
                              mismatch=config.mismatch)
    batches = DeviceBatches(digits.images, conditions_of(config, digits, rule), batch_size=config.batch_size,
                            seed=seed)
    history = train.train(step, batches, steps, **train_options)
    return G.eval(), D.eval(), history


@torch.no_grad()
def generate(G: ConditionalGenerator, conditions: Tensor, seed: int = 0, batch_size: int = 500) -> Tensor:
    """One sample of G (eval mode) per condition, from noise seeded with ``seed``, on the CPU: (N, 1, 28, 28)."""
    device = next(G.parameters()).device
    z = torch.randn(len(conditions), G.z_dim, generator=torch.Generator().manual_seed(seed))
    return torch.cat([G(z[i:i + batch_size].to(device), conditions[i:i + batch_size].to(device)).cpu()
                      for i in range(0, len(conditions), batch_size)])


def evaluate(G: ConditionalGenerator, config: CGANConfig, test, classifier: nn.Module,
             rule: captions.CaptionRule, seed: int = 0) -> dict:
    """What a conditional G makes of the held-out digits' conditions (one sample each): the judge's class
    accuracy against the asked-for digit, and, word by word, how often the samples show the property their
    caption asked for (:meth:`gan_course.data.captions.CaptionRule.agreement`; for a label-conditioned G, the
    held-out digits' captions are measured on its samples all the same: about a third by chance)."""
    from ..evaluation import classify

    texts = rule.captions(test.images, test.labels)
    images = generate(G, conditions_of(config, test, rule).cpu(), seed=seed)
    predicted, _ = classify(classifier, images)
    agreement = rule.agreement(texts, images)
    return {"class_accuracy": (predicted == test.labels.cpu()).double().mean().item(), "agreement": agreement,
            "mean_agreement": sum(agreement.values()) / len(agreement)}


def variant(name: str) -> CGANConfig:
    """The configuration of the conditional GAN called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown conditional GAN {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def load(name: str, device=None, root=checkpoints.ROOT) -> ConditionalGenerator:
    """The committed (sha256-verified) generator of ``name``, in eval mode (stored in half precision), its weights
    in channels_last: on a CPU a batch of samples then comes about 1.3x faster, the same to float rounding (2e-6)."""
    config = variant(name)
    state = checkpoints.load(name, root=root)
    G, _ = build(config.condition, config.conditioning, state["width"], config.z_dim, config.dim)
    G.load_state_dict({k: v.float() for k, v in state["G"].items()})
    G = G.to(device or "cpu").eval()
    speed.speed_up(G, channels_last=True)
    return G


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: train one conditional GAN of :data:`VARIANTS` on MNIST's train
    split, store its generator in half precision, and measure that stored generator on the held-out digits'
    conditions (:func:`evaluate`). Resumable: a checkpoint every 500 steps in ``<cache>/train/<run>/``.

    Raises:
        ValueError: for an unknown variant, or ``epochs`` or ``limit`` that are not integers >= 1.
    """
    from .. import data, evaluation

    config = variant(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    config = dataclasses.replace(config, epochs=config.epochs if epochs is None else epochs)
    device = runtime.device()
    digits = data.load_mnist("train", verbose=verbose)
    rule = captions.CaptionRule.fit(digits.images, digits.labels)  # on all the training digits, as the lesson
    if limit is not None:
        digits = data.DigitData(digits.images[:limit], digits.labels[:limit], digits.source)
    digits = digits.to(device)
    steps = config.epochs * max(1, len(digits) // config.batch_size)
    run_name = f"{name}-seed{seed}-epochs{config.epochs}" + (f"-limit{limit}" if limit is not None else "")
    run_dir = checkpoints.cache_root(cache) / "train" / run_name
    G, _, history = fit(config, digits, steps, seed=seed, rule=rule, checkpoint_dir=run_dir, checkpoint_every=500,
                        progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    state = {"width": config.width, "G": {k: v.detach().cpu().half() for k, v in G.state_dict().items()}}
    G.load_state_dict({k: v.float() for k, v in state["G"].items()})  # measure what is stored
    test = data.load_mnist("test", verbose=False)
    scores = evaluate(G.cpu(), config, test, evaluation.load_classifier(), rule, seed=seed)
    metrics = {**scores, "steps": steps, "train_images": len(digits), "seconds": round(history.seconds, 1),
               "machine": runtime.describe_machine()}
    command = checkpoints.recipe_command(name, seed, config.epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, digits.source, metrics, root, register, verbose,
                                     cache=cache)
    shutil.rmtree(run_dir)
    if verbose:
        print(f"{name}: class accuracy {scores['class_accuracy']:.3f}, caption agreement "
              f"{scores['mean_agreement']:.3f} ({history.seconds:.0f} s)")
    return entry
