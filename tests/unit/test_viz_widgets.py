"""The widget helpers of gan_course.viz, in an IPython shell that records what a cell displays.

The rule under test: every widget helper (slider_panel, the interact_* functions, animate) displays its
widget exactly once and returns None, so a cell that ends with the call shows it once; moving a slider
replaces the figure below it (one image in the panel's output, however often it moves).
"""

import base64

import matplotlib.pyplot as plt
import pytest

from gan_course import train, viz

widgets = pytest.importorskip("ipywidgets")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def shell():
    """A fresh IPython shell (no history file), removed again after the test."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance(config=config)
    ip.run_cell("from gan_course import viz")
    yield ip
    InteractiveShell.clear_instance()


def run_cell(shell, code):
    """Run ``code`` as a notebook cell; (what it displayed, the cell's value that Jupyter would display too)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(code)
    result.raise_error()
    return captured.outputs, result.result


def live_widgets() -> dict:
    """Every widget alive in this process, by model id."""
    from ipywidgets.widgets import widget

    return getattr(widget, "_instances", None) or widgets.Widget.widgets


def widget_of(output):
    """The live widget a display_data output shows."""
    return live_widgets()[output.data[WIDGET_VIEW]["model_id"]]


def slider_change(shell, slider, value):
    """Move a slider inside the shell; what the panel's output holds afterwards."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        slider.value = value
    return captured.outputs


@pytest.mark.parametrize("call", [
    "viz.interact_parallel_lines(0.25)",
    "viz.interact_gaussian_divergences(1.0, 0.5)",
    "viz.interact_gaussian_generator(dist, mu=0.5, sigma=1.0)",
    "viz.interact_snapshots(history, lambda snap: viz.plot_1d_snapshot(dist, snap))",
    "viz.slider_panel(lambda k: plt.plot([0, k]), k=widgets.IntSlider(1, 0, 3))",
])
def test_a_cell_ending_with_a_slider_panel_shows_it_once(shell, call):
    shell.run_cell("import ipywidgets as widgets, matplotlib.pyplot as plt, torch\n"
                   "from gan_course import data, train\n"
                   "dist = data.mixture_1d()\n"
                   "snap = {'x': torch.linspace(-3, 3, 5), 'd': torch.rand(5), 'fake': torch.randn(20, 1)}\n"
                   "history = train.History(snapshots=[(1, snap), (2, snap)])")
    outputs, value = run_cell(shell, call)
    assert value is None  # nothing for Jupyter to display a second time
    assert len(outputs) == 1 and WIDGET_VIEW in outputs[0].data
    panel = widget_of(outputs[0])
    assert isinstance(panel, widgets.VBox) and isinstance(panel.children[-1], widgets.Output)
    assert "gan-course-slider-panel" in panel._dom_classes
    assert plt.get_fignums() == []  # nothing drawn at creation (headless runs send nothing into a widget)


def test_moving_a_slider_replaces_the_one_figure(shell):
    outputs, _ = run_cell(shell, "viz.interact_parallel_lines(0.25)")
    (slider,), out = widget_of(outputs[0]).children[:-1], widget_of(outputs[0]).children[-1]
    assert slider.value == 0.25 and not slider.continuous_update
    first = slider_change(shell, slider, 0.5)
    assert [set(o.data) for o in first] == [{"image/png", "text/plain"}]  # exactly one figure
    second = slider_change(shell, slider, -0.5)
    assert len(second) == 1  # the first figure was cleared, not stacked below
    assert first[0].data["image/png"] != second[0].data["image/png"]
    assert base64.b64decode(second[0].data["image/png"]).startswith(PNG_MAGIC)
    assert plt.get_fignums() == []  # the figure was closed after it was shown
    assert isinstance(out, widgets.Output)


def test_a_panel_redraws_with_the_values_of_all_its_sliders(shell):
    seen = []

    def plot(mu, sigma):
        seen.append((mu, sigma))
        fig, ax = plt.subplots()
        plt.figure()  # a stray figure the plot function forgot: closed too
        return fig

    mu, sigma = widgets.FloatSlider(1.0), widgets.FloatSlider(0.5)
    panel = viz.build_slider_panel(plot, mu=mu, sigma=sigma)
    assert panel.children[:2] == (mu, sigma) and seen == []
    assert len(slider_change(shell, sigma, 2.0)) == 1
    assert len(slider_change(shell, mu, 3.0)) == 1
    assert seen == [(1.0, 2.0), (3.0, 2.0)]
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="at least one slider"):
        viz.build_slider_panel(plot)


def test_an_error_in_a_slider_callback_shows_inside_the_panel(shell):
    def broken(k):
        raise RuntimeError("the plot failed")

    panel = viz.build_slider_panel(broken, k=widgets.IntSlider(0, 0, 3))
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        panel.children[0].value = 2  # the Output widget shows the traceback; the kernel does not die
    assert "the plot failed" in captured.stdout + captured.stderr
    assert plt.get_fignums() == []


def test_animate_shows_one_player_with_a_static_fallback(shell):
    shell.run_cell("frames = [1, 2, 3]\ndraw = lambda ax, k: ax.plot([0, k])")
    outputs, value = run_cell(shell, "viz.animate(frames, draw, interval=120, figsize=(3, 2))")
    assert value is None and len(outputs) == 1
    data = outputs[0].data
    assert set(data) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert "3 frames" in data["text/plain"]
    fallback = base64.b64decode(data["image/png"])
    assert fallback.startswith(PNG_MAGIC)
    player = widget_of(outputs[0])
    assert "gan-course-animation" in player._dom_classes
    (play, slider), frames = player.children[0].children, player.children[1]
    assert isinstance(play, widgets.Play) and (play.min, play.max, play.interval) == (0, 2, 120)
    assert isinstance(slider, widgets.IntSlider) and slider.max == 2
    assert isinstance(frames, widgets.Stack) and frames.selected_index == 0
    pngs = [image.value for image in frames.children]
    assert len(pngs) == 3 and len(set(pngs)) == 3 and pngs[-1] == fallback
    # Play, slider and shown frame are linked in the browser (no kernel round trip while playing).
    from ipywidgets.widgets.widget_link import DirectionalLink, Link

    links = [w for w in live_widgets().values() if isinstance(w, (Link, DirectionalLink))]
    pairs = {(link.source[0].model_id, link.source[1], link.target[0].model_id, link.target[1]) for link in links}
    assert (play.model_id, "value", slider.model_id, "value") in pairs
    assert (play.model_id, "value", frames.model_id, "selected_index") in pairs
    assert plt.get_fignums() == []


def test_frames_are_rendered_once_at_one_size():
    from PIL import Image
    import io

    calls = []

    def draw(ax, k):
        calls.append(k)
        ax.plot([0, k])
        ax.set_title("x" * (10 * k))  # a wider title must not change the frame's size

    pngs = viz.render_frames([1, 2, 3], draw, figsize=(3, 2))
    assert calls == [1, 2, 3]
    sizes = {Image.open(io.BytesIO(png)).size for png in pngs}
    assert len(sizes) == 1
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="at least one frame"):
        viz.render_frames([], draw)
    with pytest.raises(ValueError, match="at least one frame"):
        viz.animation_player([])


def test_widget_helpers_outside_a_notebook_return_none(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.append((objs, kw)))
    assert viz.interact_parallel_lines(0.5) is None
    assert viz.animate([1, 2], lambda ax, k: ax.plot([0, k])) is None
    assert len(shown) == 2 and shown[1][1] == {"raw": True}
    history = train.History()
    with pytest.raises(ValueError, match="no snapshots"):
        viz.interact_snapshots(history, lambda snap: None)
