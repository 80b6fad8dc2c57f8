"""Every key of the app in one table: the footer, the help screen and the command palette
are all built from it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

VIEWS = Binding.Group("views", compact=True)
EPOCHS = Binding.Group("epoch", compact=True)
CHANNELS = Binding.Group("channel", compact=True)
IMAGES = Binding.Group("image", compact=True)


@dataclass(frozen=True)
class Key:
    key: str  # Textual key name
    display: str  # how the key is written for people
    action: str
    label: str  # short footer label
    title: str  # command palette title
    help: str  # one line for the help screen and the palette
    show: bool = True
    group: Binding.Group | None = None
    view: str | None = None  # the view (tab id) the key acts on; None: everywhere
    when: str | None = None  # "idle" / "training" / "typing": the footer shows it only then


KEYS: tuple[Key, ...] = (
    Key("t", "t", "start", "Start", "Start training",
        "start training with the settings in the setup panel", when="idle"),
    Key("space", "space", "pause", "Pause", "Pause or resume training",
        "pause the running training between batches, or resume it", when="training"),
    Key("x", "x", "stop", "Stop", "Stop training",
        "stop at the next batch, saved; a sweep: every trial", when="training"),
    Key("1", "1", "show_view('training')", "Training", "Show the Training view",
        "Training view: loss and accuracy charts, progress", group=VIEWS),
    Key("2", "2", "show_view('filters')", "Filters", "Show the Filters view",
        "Filters view: filters by epoch, activations, confusion", group=VIEWS),
    Key("3", "3", "show_view('params')", "Parameters", "Show the Parameters view",
        "Parameters view: where the parameters are, layer by layer", group=VIEWS),
    Key("4", "4", "show_view('runs')", "Runs", "Show the Runs view",
        "Runs view: saved runs", group=VIEWS),
    Key("5", "5", "show_view('inside')", "Inside", "Show the Inside view",
        "Inside view: what the network learned, layer by layer",
        group=VIEWS),
    Key("6", "6", "show_view('draw')", "Draw", "Show the Draw view",
        "Draw view: draw an input and see a run classify it live", group=VIEWS),
    Key("7", "7", "show_view('claims')", "Claims", "Show the Claims view",
        "Claims view: the chapter's claims, measured to verdicts", group=VIEWS),
    Key("o", "o", "draw('source')", "Source", "Draw: the live run or a saved run",
        "Draw view: classify with the live run or a saved one", view="draw"),
    Key("j", "j", "draw('prev_image')", "Previous image", "Draw: previous test image",
        "Draw view: the previous test image onto the canvas", show=False,
        group=IMAGES, view="draw"),
    Key("k", "k", "draw('next_image')", "Next image", "Draw: next test image",
        "Draw view: the next test image onto the canvas", show=False,
        group=IMAGES, view="draw"),
    Key("a", "a", "draw('attribution')", "Map", "Draw: Grad-CAM, saliency or none",
        "Draw view: Grad-CAM, saliency or no map over the input", show=False,
        view="draw"),
    Key("L", "L", "steer('lr')", "LR", "Change the learning rate while training",
        "change the run's learning rate from its next step", show=False,
        when="training"),
    Key("T", "T", "steer('target_acc')", "Target", "Stop at a target accuracy",
        "stop the run going at the first epoch this accurate", show=False,
        when="training"),
    Key("m", "m", "one_more_epoch", "One more", "Carry the last run on by one epoch",
        "Training view: carry the run just ended on by one epoch", show=False,
        view="training", when="idle"),
    Key("c", "c", "compare_conv", "Conv vs torch", "Compare the naive conv2d with torch's",
        "Parameters view: naive conv2d vs torch's, timed", view="params"),
    Key("left_square_bracket", "[", "filters('prev_epoch')", "Previous epoch",
        "Filters: previous epoch",
        "Filters view: the filters after the previous epoch", group=EPOCHS, view="filters"),
    Key("right_square_bracket", "]", "filters('next_epoch')", "Next epoch", "Filters: next epoch",
        "Filters view: the next epoch's filters, then live",
        group=EPOCHS, view="filters"),
    Key("n", "n", "filters('normalise')", "Scale", "Filters: scale per tile or per layer",
        "Filters view: colour scale per filter or for the layer", view="filters"),
    Key("l", "l", "filters('layer')", "Layer", "Filters: next conv layer",
        "Filters view: layer 1, layer 2 (per output channel), ...", view="filters"),
    Key("comma", ",", "filters('prev_channel')", "Previous channel",
        "Filters: previous output channel",
        "Filters view: previous output channel (layer 2 on)", show=False,
        group=CHANNELS, view="filters"),
    Key("full_stop", ".", "filters('next_channel')", "Next channel", "Filters: next output channel",
        "Filters view: next output channel (layer 2 on)", show=False,
        group=CHANNELS, view="filters"),
    Key("j", "j", "filters('prev_image')", "Previous image", "Filters: previous test image",
        "Filters view: feature maps of the previous test image", show=False, group=IMAGES,
        view="filters"),
    Key("k", "k", "filters('next_image')", "Next image", "Filters: next test image",
        "Filters view: feature maps of the next test image", show=False, group=IMAGES,
        view="filters"),
    Key("left_square_bracket", "[", "inside('prev_epoch')", "Previous epoch",
        "Inside: previous epoch", "Inside view: the model after the previous epoch",
        group=EPOCHS, view="inside"),
    Key("right_square_bracket", "]", "inside('next_epoch')", "Next epoch",
        "Inside: next epoch", "Inside view: the next epoch (the newest follows the run)",
        group=EPOCHS, view="inside"),
    Key("v", "v", "inside('panel')", "Panel", "Inside: next panel",
        "Inside view: patches, attribution, embedding, layer stats",
        view="inside"),
    Key("l", "l", "inside('layer')", "Layer", "Inside: next conv layer",
        "Inside view: the top patches of the next conv layer", show=False, view="inside"),
    Key("comma", ",", "inside('prev_channel')", "Previous channel", "Inside: previous channel",
        "Inside view: the previous channel's top patches", show=False, group=CHANNELS,
        view="inside"),
    Key("full_stop", ".", "inside('next_channel')", "Next channel", "Inside: next channel",
        "Inside view: the next channel's top patches", show=False, group=CHANNELS,
        view="inside"),
    Key("a", "a", "inside('grid')", "All channels", "Inside: all channels or one",
        "Inside view: every channel's best patch, or one channel's",
        show=False, view="inside"),
    Key("j", "j", "inside('prev_image')", "Previous image", "Inside: previous test image",
        "Inside view: where the model looks, previous test image", show=False,
        group=IMAGES, view="inside"),
    Key("k", "k", "inside('next_image')", "Next image", "Inside: next test image",
        "Inside view: where the model looks, next test image", show=False,
        group=IMAGES, view="inside"),
    Key("m", "m", "inside('method')", "Method", "Inside: next attribution method",
        "Inside view: saliency, occlusion or Grad-CAM", show=False, view="inside"),
    Key("g", "g", "inside('stat')", "Statistic", "Inside: next layer statistic",
        "Inside view: weight norm, gradient norm or update ratio",
        show=False, view="inside"),
    Key("f", "f", "runs('fork')", "Fork", "Runs: fork the run",
        "Runs view: fork the run (one setting changed, same seed)", view="runs", when="idle"),
    Key("R", "R", "runs('resume')", "Resume", "Runs: carry the run on",
        "Runs view: carry the run on from its last checkpoint", view="runs", when="idle"),
    Key("i", "i", "runs('inspect')", "Inspect", "Runs: inspect the run",
        "Runs view: a run's filters, activations, confusion matrix", view="runs"),
    Key("d", "d", "runs('draw')", "Draw with", "Runs: draw with the run",
        "Runs view: classify drawings with the run (Draw view, 6)", show=False, view="runs"),
    Key("m", "m", "runs('one_more')", "One more", "Runs: carry the run on by one epoch",
        "Runs view: carry the run on by one epoch (R with 1)", show=False, view="runs",
        when="idle"),
    Key("enter", "enter", "mark_run", "Mark", "Runs: mark the run (overlay its curves)",
        "Runs view: mark the run under the cursor; again: unmark",
        show=False, view="runs"),
    Key("a", "a", "runs('attach')", "Attach", "Runs: attach to the live run or sweep",
        "Runs view: follow a live run (sweeps list: a live sweep)", show=False,
        view="runs", when="idle"),
    Key("slash", "/", "runs('filter')", "Filter", "Runs: filter the list",
        "Runs view: type words to filter the list, e.g. cnn mnist", view="runs"),
    Key("o", "o", "runs('sort')", "Sort", "Runs: sort by the next column",
        "Runs view: sort by the next column (again: reverse)", show=False, view="runs"),
    Key("v", "v", "runs('curves')", "Curves", "Runs: accuracy or loss curves",
        "Runs view: curves of test accuracy or training loss", show=False, view="runs"),
    Key("r", "r", "runs('reload')", "Reload", "Runs: read the runs folder again",
        "Runs view: reload; sweeps list: re-run failed trials", show=False,
        view="runs"),
    Key("a", "a", "claims('run_all')", "Run all", "Claims: run every claim",
        "Claims view: run every claim (enter: the selected one)", show=False,
        view="claims"),
    Key("m", "m", "claims('mode')", "Quick/thorough", "Claims: quick or thorough lab",
        "Claims view: a quick lab (2,000 images) or a thorough one",
        show=False, view="claims"),
    Key("e", "e", "exercises", "Exercises", "Choose one of the chapter's exercises",
        "the chapter's exercises (s in the dialog: N seeds each)", show=False),
    Key("s", "s", "toggle_setup", "Setup", "Show or hide the setup panel",
        "show or hide the setup panel (more room for the views)"),
    Key("escape", "esc", "leave_field", "Leave field", "Leave the text field",
        "leave a text field; text that does not parse is undone",
        when="typing"),
    Key("question_mark", "?", "help", "Help", "Help: keys", "show this list of keys"),
    Key("q", "q", "quit", "Quit", "Quit",
        "quit (a run going: stop it, or leave it training)"),
)

FOOTER_SPARE = ("1", "s")
"""The keys whose footer entries go first when the line is full: the view keys (the tabs
show their numbers), then s."""


def bindings() -> list[BindingType]:
    """The app's BINDINGS."""
    return [
        Binding(k.key, k.action, k.label, show=k.show, key_display=k.display, group=k.group)
        for k in KEYS
    ]


def not_shown_when(state: str, *, typing: bool = False) -> frozenset[str]:
    """The actions the footer leaves out in ``state`` ("idle" or "training"): those of keys
    that belong to the other state (they still act, and say why they cannot), and esc
    unless a text field has the focus (``typing``; the field takes the printable keys then,
    and Textual leaves them out of the footer itself)."""
    shown = {None, state, "typing"} if typing else {None, state}
    return frozenset(k.action for k in KEYS if k.when not in shown)


def view_of(action: str) -> str | None:
    """The view a key's action belongs to (None: it acts everywhere); ``action`` may be
    the action's name alone, as check_action gets it."""
    return next((k.view for k in KEYS if action in (k.action, k.action.split("(")[0])),
                None)

