"""The named colours every window, chart and the HTML export use, one set per colour scheme.

Widgets and charts never spell a colour: they ask a ``Roles`` for ``text``, ``muted``,
``sitting``… The three schemes (light, dark, high contrast) are chosen once from the desktop's
palette (``hipcheck.ui.palette``) or, for the HTML page, by the browser's
``prefers-color-scheme``. The state colours are the Okabe–Ito colour-blind-safe set, lightened
for dark backgrounds. Pure: no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

WCAG_AA = 4.5
"""The least contrast ratio for body text (WCAG 2.x, level AA)."""


@dataclass(frozen=True, slots=True)
class Roles:
    """One colour scheme: every named colour, as ``#rrggbb``."""

    name: str
    text: str  # body text
    muted: str  # secondary text (help, axis labels); still readable on ``background``
    background: str  # window / page background
    surface: str  # a card or empty chart band on ``background``
    border: str  # outlines, grid lines
    sitting: str
    standing: str
    away: str
    unknown: str
    stretch: str  # the sitting-stretch bar under the timeline
    nudge: str
    break_done: str
    snooze: str
    skipped: str
    glute_bridge: str
    deadbug: str
    bent_zone: str  # the "bent past" shading of the hip-angle chart
    bent_ink: str  # its line and note; readable on ``background``
    warning: str  # warning text; readable on ``warning_bg``
    warning_bg: str
    error: str  # error text; readable on ``background``
    success: str  # "saved", "I can see you"; readable on ``background``
    accent: str  # the dose, a highlighted number; readable on ``background``
    on_state: str  # pattern overlays drawn on the state colours

    def get(self, role: str) -> str:
        """The colour of ``role`` by name."""
        value = getattr(self, role)
        assert isinstance(value, str)
        return value


def role_names() -> tuple[str, ...]:
    """Every colour role (all fields but ``name``)."""
    return tuple(f.name for f in fields(Roles) if f.name != "name")


LIGHT = Roles(
    name="light",
    text="#1f1f1f",
    muted="#595959",
    background="#ffffff",
    surface="#f3f3f3",
    border="#c8c8c8",
    sitting="#d55e00",
    standing="#009e73",
    away="#56b4e9",
    unknown="#999999",
    stretch="#7a2a00",
    nudge="#e69f00",
    break_done="#0072b2",
    snooze="#555555",
    skipped="#1f1f1f",
    glute_bridge="#0072b2",
    deadbug="#cc79a7",
    bent_zone="#fbe3d6",
    bent_ink="#8a3300",
    warning="#5c4400",
    warning_bg="#fff3cd",
    error="#b00020",
    success="#1b6e34",
    accent="#0b6e63",
    on_state="#ffffff",
)

DARK = Roles(
    name="dark",
    text="#ececec",
    muted="#b4b4b4",
    background="#202124",
    surface="#2c2d31",
    border="#55575c",
    sitting="#f07a2a",
    standing="#2cc795",
    away="#6cc3f2",
    unknown="#8d8d8d",
    stretch="#ffb27a",
    nudge="#f0b323",
    break_done="#4aa6e8",
    snooze="#c8c8c8",
    skipped="#ececec",
    glute_bridge="#4aa6e8",
    deadbug="#e39ac6",
    bent_zone="#4a2a17",
    bent_ink="#ffb27a",
    warning="#ffe08a",
    warning_bg="#3d3212",
    error="#ff8a8a",
    success="#7ddc94",
    accent="#5fd6c6",
    on_state="#202124",
)

HIGH_CONTRAST = Roles(
    name="high-contrast",
    text="#000000",
    muted="#262626",
    background="#ffffff",
    surface="#ffffff",
    border="#000000",
    sitting="#b34700",
    standing="#006e50",
    away="#0a5d99",
    unknown="#4d4d4d",
    stretch="#000000",
    nudge="#8a5a00",
    break_done="#003e73",
    snooze="#000000",
    skipped="#000000",
    glute_bridge="#003e73",
    deadbug="#8a2a64",
    bent_zone="#ffd9c2",
    bent_ink="#6b2700",
    warning="#000000",
    warning_bg="#ffe066",
    error="#8f001a",
    success="#0b4d1f",
    accent="#004d45",
    on_state="#ffffff",
)

SCHEMES = {r.name: r for r in (LIGHT, DARK, HIGH_CONTRAST)}

# Text roles and the background each must be read on (checked by the tests and by ``fit``).
TEXT_ON = {
    "text": "background",
    "muted": "background",
    "bent_ink": "background",
    "error": "background",
    "success": "background",
    "accent": "background",
    "warning": "warning_bg",
}


def _channels(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` (or ``#rgb``) as three 0–255 ints."""
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    n = int(value, 16)
    return n >> 16, (n >> 8) & 0xFF, n & 0xFF


def hex_of(r: float, g: float, b: float) -> str:
    """``#rrggbb`` of three 0–255 values (clamped, rounded)."""
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in (r, g, b))


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour, 0 (black) to 1 (white)."""

    def linear(c: int) -> float:
        s = c / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(background: str) -> bool:
    """Whether text on ``background`` should be light (the background is darker than mid-grey)."""
    return relative_luminance(background) < 0.18


def mix(a: str, b: str, share_of_b: float) -> str:
    """``a`` moved ``share_of_b`` (0–1) of the way towards ``b``."""
    ca, cb = _channels(a), _channels(b)
    t = max(0.0, min(1.0, share_of_b))
    return hex_of(*(x + (y - x) * t for x, y in zip(ca, cb, strict=True)))


def readable(colour: str, background: str, text: str, minimum: float = WCAG_AA) -> str:
    """``colour``, moved towards ``text`` just enough to reach ``minimum`` contrast on ``background``."""
    for step in range(21):
        candidate = mix(colour, text, step / 20)
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return text


def fit(base: Roles, *, text: str, background: str) -> Roles:
    """``base`` on the desktop's own text and background colours, every text role kept readable.

    The desktop theme decides the window's text and background; the named colours come from the
    scheme and are nudged towards the text colour wherever they would fall under 4.5:1.
    """
    if contrast_ratio(text, background) < WCAG_AA:
        return base  # a broken theme: keep the scheme's own pair rather than unreadable text
    roles = replace(base, text=text, background=background)
    roles = replace(roles, surface=mix(background, text, 0.06), border=mix(background, text, 0.3))
    changes = {}
    for role, on in TEXT_ON.items():
        if role == "text":
            continue
        ground = roles.get(on)
        changes[role] = readable(roles.get(role), ground, text if on == "background" else base.text)
    return replace(roles, **changes)


def scheme_for(*, dark: bool, high_contrast: bool = False) -> Roles:
    """The scheme for a dark or light desktop (high contrast wins)."""
    if high_contrast:
        return HIGH_CONTRAST
    return DARK if dark else LIGHT


def css_variables(roles: Roles) -> str:
    """The roles as CSS custom properties (``--text: #1f1f1f;`` …) for the HTML export."""
    return " ".join(f"--{name.replace('_', '-')}: {roles.get(name)};" for name in role_names())


__all__ = [
    "DARK",
    "HIGH_CONTRAST",
    "LIGHT",
    "SCHEMES",
    "TEXT_ON",
    "WCAG_AA",
    "Roles",
    "contrast_ratio",
    "css_variables",
    "fit",
    "is_dark",
    "mix",
    "readable",
    "relative_luminance",
    "role_names",
    "scheme_for",
]
