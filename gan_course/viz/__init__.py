"""Figures of the course, one module per topic over a common core.

* :mod:`.core`: colours, axes, image grids, loss curves, animations, live plots, slider panels;
* :mod:`.toy`: GANs on 1D and 2D toy data, snapshots of G during training, mode hopping;
* :mod:`.theory`: the optimal discriminator, the generator losses, divergences on parallel lines and Gaussians;
* :mod:`.wgan`: gradient norms, transport plans, critics, clipped weights, the critic's reading of W1;
* :mod:`.images`: scoring image generators (sample panels, score bars, confusion, precision-recall);
* :mod:`.latent`: walking the latent space (lerp, slerp, interpolation strips, nearest neighbours);
* :mod:`.anomaly`: anomaly scores of normal images against anomalies, reconstructions and residual maps.

The names of :mod:`.core`, :mod:`.toy`, :mod:`.theory` and :mod:`.wgan` are also here (``viz.plot_2d``);
:mod:`.images`, :mod:`.latent` and :mod:`.anomaly` are used as modules (``from gan_course.viz import latent as
viz_latent``).

Taught in: lessons 00–09 and 16
"""

from . import anomaly, core, images, latent, theory, toy, wgan
from .core import (
    D_COLOR,
    DATA_COLOR,
    FAKE_COLOR,
    LivePlot,
    animate,
    animation_player,
    build_slider_panel,
    figure_png,
    image_grid,
    interact_snapshots,
    make_axes,
    plot_images,
    plot_losses,
    render_frames,
    show_widget,
    slider_panel,
    to_numpy,
)
from .theory import (
    DIVERGENCE_STYLE,
    INF_CAP,
    gaussian_divergence_curves,
    interact_gaussian_divergences,
    interact_gaussian_generator,
    interact_parallel_lines,
    plot_divergence_curves,
    plot_gaussian_divergences,
    plot_gaussian_generator,
    plot_generator_losses,
    plot_optimal_discriminator,
    plot_parallel_lines,
)
from .toy import plot_1d, plot_1d_snapshot, plot_2d, plot_mode_hopping, snapshot_1d, snapshot_samples
from .wgan import (
    READING_COLORS,
    plot_critic,
    plot_gradient_norms,
    plot_progress_meter,
    plot_transport_plan,
    plot_weight_histogram,
)

__all__ = [
    "anomaly", "core", "images", "latent", "theory", "toy", "wgan",
    "D_COLOR", "DATA_COLOR", "FAKE_COLOR", "LivePlot", "animate", "animation_player", "build_slider_panel",
    "figure_png", "image_grid", "interact_snapshots", "make_axes", "plot_images", "plot_losses", "render_frames",
    "show_widget", "slider_panel", "to_numpy",
    "DIVERGENCE_STYLE", "INF_CAP", "gaussian_divergence_curves", "interact_gaussian_divergences",
    "interact_gaussian_generator", "interact_parallel_lines", "plot_divergence_curves", "plot_gaussian_divergences",
    "plot_gaussian_generator", "plot_generator_losses", "plot_optimal_discriminator", "plot_parallel_lines",
    "plot_1d", "plot_1d_snapshot", "plot_2d", "plot_mode_hopping", "snapshot_1d", "snapshot_samples",
    "READING_COLORS", "plot_critic", "plot_gradient_norms", "plot_progress_meter", "plot_transport_plan",
    "plot_weight_histogram",
]
