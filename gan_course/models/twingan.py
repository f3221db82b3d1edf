"""Twin-GAN (Jerry Li, 2018, "Twin-GAN: unpaired cross-domain image translation with weight-sharing GANs"):
one encoder and one generator for both domains X and Y; the domain is chosen only by the generator's
domain-specific batch-norm parameters (:class:`gan_course.layers.DomainBatchNorm2d`).

E maps an image of either domain to a shared embedding h = E(x); G(h, X) and G(h, Y) decode it into X or Y.
Four terms train E and G (with least-squares adversarial losses against D_X and D_Y, as in :mod:`.cyclegan`):

    X -> X reconstruction:  lambda_rec E_x ||G(E(x), X) - x||_1  +  L_GAN(G(E(x), X), D_X)
    Y -> Y reconstruction:  lambda_rec E_y ||G(E(y), Y) - y||_1  +  L_GAN(G(E(y), Y), D_Y)
    X -> Y translation:     L_GAN(G(E(x), Y), D_Y)
    X -> Y cycle:           lambda_cyc E_x ||G(E(G(E(x), Y)), X) - x||_1

Because E is shared, an X image and a Y image of the same content should land near each other in h: the
post uses this embedding for nearest-neighbour search across domains. The control of lesson 13,
``shared_encoder=False``, trains the same losses with one encoder per domain (E_X, E_Y).

The networks are CycleGAN's (:mod:`.cyclegan`), split in two: E is the downsampling encoder and the first
residual block (instance norm); G is the remaining residual blocks and the upsampling decoder, with domain
batch norm in place of instance norm.

Taught in: lesson 13
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .. import checkpoints, distributed, layers, losses, runtime, train
from ..data.digits import DeviceBatches, UnpairedBatches
from ..train import Step
from .cyclegan import ResidualBlock, check_images, decoder_layers, encoder_layers, linear_decay
from .dcgan import init_weights

DOMAINS = ("X", "Y")


@dataclass(frozen=True)
class TwinGANConfig:
    """Twin-GAN at the budget and with the training settings of :class:`.cyclegan.CycleGANConfig`."""

    channels: int = 1
    width: int = 16
    n_residual: int = 3               # 1 in E, the rest in G
    d_width: int = 32
    # 1, not CycleGAN's 10: with 10 for both, the L1 terms drown the X -> Y adversarial term and G(E(x), Y)
    # stays handwritten (lesson 13 measures it: the twingan-digits-lambda10 variant)
    lambda_reconstruction: float = 1.0
    lambda_cycle: float = 1.0
    shared_encoder: bool = True       # False: the control, one encoder per domain
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 16
    steps: int = 2000

    def __post_init__(self):
        if self.channels not in (1, 3) or self.n_residual < 1:
            raise ValueError(f"channels must be 1 or 3 and n_residual >= 1, got {self.channels!r} and "
                             f"{self.n_residual!r}")


class Encoder(nn.Module):
    """E: image (B, C, 28, 28) -> embedding h (B, 4w, 7, 7)."""

    def __init__(self, channels: int = 1, width: int = 16):
        super().__init__()
        self.channels = channels
        self.net = nn.Sequential(*encoder_layers(channels, width), ResidualBlock(4 * width))

    def forward(self, x: Tensor) -> Tensor:
        check_images(x, self.channels, "E")
        return self.net(x)


class TwinGenerator(nn.Module):
    """G: embedding h (B, 4w, 7, 7) and a domain "X" or "Y" -> image (B, C, 28, 28). All weights are shared;
    only the batch norms (their statistics and learned scale and shift) belong to one domain."""

    def __init__(self, channels: int = 1, width: int = 16, n_residual: int = 2):
        super().__init__()
        self.width = width
        self.net = nn.Sequential(*[ResidualBlock(4 * width, layers.DomainBatchNorm2d) for _ in range(n_residual)],
                                 *decoder_layers(channels, width, layers.DomainBatchNorm2d))

    def forward(self, h: Tensor, domain: str) -> Tensor:
        if domain not in DOMAINS:
            raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
        if h.dim() != 4 or tuple(h.shape[1:]) != (4 * self.width, 7, 7):
            raise ValueError(f"G expects embeddings (B, {4 * self.width}, 7, 7), got {tuple(h.shape)}")
        for module in self.modules():
            if isinstance(module, layers.DomainBatchNorm2d):
                module.domain = DOMAINS.index(domain)      # the only thing that differs between X and Y
        return self.net(h)


def build(config: TwinGANConfig = TwinGANConfig()) -> dict[str, nn.Module]:
    """Fresh networks, named: ``E`` (or ``E_X`` and ``E_Y``), ``G``, ``D_X``, ``D_Y``; weights ~ N(0, 0.02²)."""
    from .cyclegan import PatchDiscriminator

    encoders = ["E"] if config.shared_encoder else ["E_X", "E_Y"]
    nets = {**{name: Encoder(config.channels, config.width) for name in encoders},
            "G": TwinGenerator(config.channels, config.width, config.n_residual - 1),
            "D_X": PatchDiscriminator(config.channels, config.d_width),
            "D_Y": PatchDiscriminator(config.channels, config.d_width)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


class TwinGANStep(Step):
    """The four losses on unpaired batches ``(x, y)``. ``d_step``: D_X and D_Y descend their least-squares
    losses (D_X: real x against reconstructions; D_Y: real y against reconstructions and translations).
    ``g_step``: E and G descend the four terms through frozen discriminators."""

    optimizers = ("g_opt", "d_opt")

    def __init__(self, nets: dict[str, nn.Module], config: TwinGANConfig):
        self.networks = tuple(nets)
        for name, net in nets.items():
            setattr(self, name, net)
        self.config = config
        self.encoder_of = {"X": "E" if "E" in nets else "E_X", "Y": "E" if "E" in nets else "E_Y"}  # by name
        generators = [p for name, net in nets.items() if not name.startswith("D") for p in net.parameters()]
        self.g_opt = torch.optim.Adam(generators, lr=config.lr, betas=config.betas)
        self.d_opt = torch.optim.Adam([*self.D_X.parameters(), *self.D_Y.parameters()], lr=config.lr,
                                      betas=config.betas)
        self.g_schedule, self.d_schedule = (torch.optim.lr_scheduler.LambdaLR(opt, linear_decay(config.steps))
                                            for opt in (self.g_opt, self.d_opt))

    def translate(self, images: Tensor, source: str, target: str) -> Tensor:
        """G(E(images), target), with the encoder of the source domain."""
        return self.G(getattr(self, self.encoder_of[source])(images), target)

    def check(self, batch) -> None:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise ValueError(f"Twin-GAN trains on unpaired batches (x, y), got {type(batch).__name__}")
        check_images(batch[0], self.config.channels, "domain X's batch")
        check_images(batch[1], self.config.channels, "domain Y's batch")

    def d_step(self, batch) -> dict[str, Tensor]:
        x, y = batch
        with torch.no_grad():
            x_rec, y_rec, x_to_y = self.translate(x, "X", "X"), self.translate(y, "Y", "Y"), self.translate(x, "X", "Y")
        loss_D_X = losses.least_squares_d_loss(self.D_X(x), self.D_X(x_rec))
        loss_D_Y = losses.least_squares_d_loss(self.D_Y(y), self.D_Y(torch.cat([y_rec, x_to_y])))
        self.d_opt.zero_grad(set_to_none=True)
        (loss_D_X + loss_D_Y).backward()
        self.d_opt.step()
        self.d_schedule.step()
        return {"D_X": loss_D_X.detach(), "D_Y": loss_D_Y.detach()}

    def g_step(self, batch) -> dict[str, Tensor]:
        x, y = batch
        c = self.config
        self.D_X.requires_grad_(False)
        self.D_Y.requires_grad_(False)
        try:
            x_rec, y_rec = self.translate(x, "X", "X"), self.translate(y, "Y", "Y")
            reconstruction = (losses.cycle_consistency_loss(x, x_rec)                    # ||G(E(x), X) - x||_1
                              + losses.cycle_consistency_loss(y, y_rec))                 # ||G(E(y), Y) - y||_1
            x_to_y = self.translate(x, "X", "Y")                                         # X -> Y
            cycle = losses.cycle_consistency_loss(x, self.translate(x_to_y, "Y", "X"))   # ||G(E(G(E(x),Y)),X) - x||_1
            adversarial = (losses.least_squares_g_loss(self.D_X(x_rec))
                           + losses.least_squares_g_loss(self.D_Y(y_rec))
                           + losses.least_squares_g_loss(self.D_Y(x_to_y)))
            loss = adversarial + c.lambda_reconstruction * reconstruction + c.lambda_cycle * cycle
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        finally:
            self.D_X.requires_grad_(True)
            self.D_Y.requires_grad_(True)
        self.g_schedule.step()
        return {"G_adversarial": adversarial.detach(), "reconstruction": reconstruction.detach(),
                "cycle": cycle.detach()}

    def extra_state(self) -> dict:
        return {"g_schedule": self.g_schedule.state_dict(), "d_schedule": self.d_schedule.state_dict()}

    def load_extra_state(self, state: dict) -> None:
        self.g_schedule.load_state_dict(state["g_schedule"])
        self.d_schedule.load_state_dict(state["d_schedule"])


def fit(config: TwinGANConfig, domain_X, domain_Y, *, seed: int = 0, **train_options
        ) -> tuple[TwinGANStep, train.History]:
    """Train a Twin-GAN of ``config`` on two :class:`~gan_course.data.DigitData` (labels never read) for
    ``config.steps`` generator steps, seeded with ``seed``; returns the step (its networks in eval mode) and
    the run's history."""
    runtime.seed_everything(seed)
    device = domain_X.images.device
    nets = {name: net.to(device) for name, net in build(config).items()}
    step = TwinGANStep(nets, config)
    batches = UnpairedBatches(DeviceBatches(domain_X.images, batch_size=config.batch_size, seed=seed),
                              DeviceBatches(domain_Y.images, batch_size=config.batch_size, seed=seed + 1))
    history = train.train(step, batches, config.steps, **train_options)
    for net in nets.values():
        net.eval()
    return step, history


# --------------------------------------------------------------------------- measuring


@torch.no_grad()
def embed(E: nn.Module, images: Tensor, batch_size: int = 500) -> Tensor:
    """E's embeddings of ``images``, flattened and scaled to unit length (N, 4w * 49), on the CPU."""
    device = next(E.parameters(), torch.empty(0)).device  # an encoder without weights (nn.Flatten) runs on the CPU
    h = torch.cat([E(images[i:i + batch_size].to(device)).flatten(1).cpu() for i in range(0, len(images), batch_size)])
    return torch.nn.functional.normalize(h, dim=1)


def retrieval_top1(E_X: nn.Module, E_Y: nn.Module, queries, pool) -> tuple[float, Tensor]:
    """Cross-domain search: for each query of X (a :class:`~gan_course.data.DigitData`), the pool image of Y
    nearest to it in the embedding (cosine similarity); the share whose neighbour shows the same digit, and
    the neighbours' indices. With a shared encoder, pass it twice."""
    similarity = embed(E_X, queries.images) @ embed(E_Y, pool.images).T     # (N_queries, N_pool)
    nearest = similarity.argmax(1)
    return (pool.labels.cpu()[nearest] == queries.labels.cpu()).double().mean().item(), nearest


class Translator(nn.Module):
    """G(E(x), target) as one module, for the measuring functions of :mod:`.cyclegan` (``translate``,
    ``label_preservation``)."""

    def __init__(self, E: nn.Module, G: TwinGenerator, target: str):
        super().__init__()
        self.E, self.G, self.target = E, G, target

    def forward(self, x: Tensor) -> Tensor:
        return self.G(self.E(x), self.target)


# --------------------------------------------------------------------------- the lesson's two and their recipe

VARIANTS: dict[str, TwinGANConfig] = {
    "twingan-digits": TwinGANConfig(),
    "twingan-digits-separate-encoders": TwinGANConfig(shared_encoder=False),   # the control of the retrieval
    "twingan-digits-lambda10": TwinGANConfig(lambda_reconstruction=10.0, lambda_cycle=10.0),  # CycleGAN's weights
}
PAIR = "digits"  # X = handwritten, Y = printed


def variant(name: str) -> TwinGANConfig:
    """The configuration of the Twin-GAN called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown Twin-GAN {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def encoders(nets: dict[str, nn.Module]) -> tuple[nn.Module, nn.Module]:
    """(the encoder of X, the encoder of Y): the same module twice when it is shared."""
    return nets.get("E", nets.get("E_X")), nets.get("E", nets.get("E_Y"))


def measure(nets: dict[str, nn.Module], seed: int = 0, n: int = 1000, which: nn.Module | None = None) -> dict:
    """What lesson 13 reports on a Twin-GAN, on the held-out digits: label preservation X -> Y with FID,
    precision and recall in Y (as :func:`.cyclegan.measure` for CycleGAN); the batch-norm switch, read by a
    domain classifier trained on the real training images (the share of G(E(x), Y) it calls printed and of
    G(E(x), X) it calls handwritten); and cross-domain retrieval top-1 in the embedding, beside the same
    search on raw pixels. ``n``: at most this many images for FID, at even intervals. ``which``: the domain
    classifier (:func:`.classifier.domain_classifier` on the training images, output 1 for Y), trained here with
    ``seed`` when not given."""
    from .. import evaluation
    from ..data import domains
    from .classifier import domain_classifier, load_judge
    from .cyclegan import label_preservation, spread, translate

    E_X, E_Y = encoders(nets)
    test_X, test_Y = domains.load_pair(PAIR, "test")
    to_Y, to_X = Translator(E_X, nets["G"], "Y").eval(), Translator(E_X, nets["G"], "X").eval()
    judge = load_judge(domains.PAIRS[PAIR][1])
    kept = label_preservation(to_Y, test_X, judge)
    scores = evaluation.Scorer(judge, spread(test_Y.images, n)).score(translate(to_Y, spread(test_X.images, n)))
    which = which if which is not None else domain_classifier(*domains.load_pair(PAIR, "train"), seed=seed)
    says_Y = evaluation.classify(which, translate(to_Y, test_X.images))[0] == 1
    says_X = evaluation.classify(which, translate(to_X, test_X.images))[0] == 0
    real_ok = torch.cat([evaluation.classify(which, test_X.images)[0] == 0,
                         evaluation.classify(which, test_Y.images)[0] == 1])
    retrieval, _ = retrieval_top1(E_X, E_Y, test_X, test_Y)
    pixels, _ = retrieval_top1(nn.Flatten(), nn.Flatten(), test_X, test_Y)
    return {"label_preservation_xy": kept["accuracy"], "permutation_accuracy_xy": kept["permutation_accuracy"],
            "confusion_xy": kept["confusion"].tolist(), "fid_xy": scores.fid, "precision_xy": scores.precision,
            "recall_xy": scores.recall, "domain_classifier_accuracy": real_ok.double().mean().item(),
            "switch_to_y": says_Y.double().mean().item(), "switch_to_x": says_X.double().mean().item(),
            "retrieval_top1": retrieval, "pixel_retrieval_top1": pixels}


def load(name: str, device=None, root=checkpoints.ROOT) -> dict[str, nn.Module]:
    """The committed (sha256-verified) encoder(s) and generator of ``name``, in eval mode, by name."""
    config = variant(name)
    state = checkpoints.load(name, root=root)
    nets = {key: net for key, net in build(config).items() if key in state}
    for key, net in nets.items():
        net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state[key].items()})
        nets[key] = net.to(device or "cpu").eval()
    return nets


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: train one Twin-GAN of :data:`VARIANTS` on handwritten and printed
    training digits, store its encoder(s) and generator in half precision, and :func:`measure` what is stored.
    ``epochs`` as for :func:`.cyclegan.train_recipe`. Resumable (a checkpoint every 500 steps)."""
    from ..data import domains

    config = variant(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    device = runtime.device()
    domain_X, domain_Y = (d.to(device) for d in domains.load_pair(PAIR, "train", verbose=verbose))
    if limit is not None:
        domain_X, domain_Y = (type(d)(d.images[:limit], d.labels[:limit], d.source) for d in (domain_X, domain_Y))
    per_epoch = max(1, len(domain_X) // config.batch_size)
    if epochs is not None:
        config = dataclasses.replace(config, steps=epochs * per_epoch)
    epochs = config.steps // per_epoch
    run_dir = checkpoints.cache_root(cache) / "train" / (f"{name}-seed{seed}-epochs{epochs}"
                                                          + (f"-limit{limit}" if limit is not None else ""))
    step, history = fit(config, domain_X, domain_Y, seed=seed, checkpoint_dir=run_dir, checkpoint_every=500,
                        progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    nets = {key: getattr(step, key).cpu() for key in step.networks if not key.startswith("D")}
    state = {key: {k: v.detach().half() if v.is_floating_point() else v for k, v in net.state_dict().items()}
             for key, net in nets.items()}
    for key, net in nets.items():
        net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state[key].items()})
    metrics = {**measure(nets, seed), "steps": config.steps, "train_images": len(domain_X),
               "seconds": round(history.seconds, 1), "machine": runtime.describe_machine()}
    command = checkpoints.recipe_command(name, seed, epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, f"{domain_X.source} | {domain_Y.source}", metrics, root,
                                     register, verbose, cache=cache)
    shutil.rmtree(run_dir)
    if verbose:
        print(f"{name}: label preservation X->Y {metrics['label_preservation_xy']:.3f}, retrieval top-1 "
              f"{metrics['retrieval_top1']:.3f} ({history.seconds:.0f} s)")
    return entry
