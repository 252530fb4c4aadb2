"""The colour roles of ``hipcheck.core.colours`` resolved from the desktop's Qt palette.

A window asks ``roles_of(self.palette())`` once when it is built and again when the palette
changes (``ThemedMixin``); it never spells a colour itself. Dark is detected by the lightness of
the palette's window colour; high contrast by the platform's contrast preference, or by a
black-on-white (or white-on-black) palette.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from hipcheck.core.colours import (
    DARK,
    LIGHT,
    Roles,
    contrast_ratio,
    fit,
    is_dark,
    mix,
    scheme_for,
)

HIGH_CONTRAST_RATIO = 19.5  # black on white is 21; ordinary light themes stay near 18


def _hex(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


def _prefers_more_contrast() -> bool:
    """The platform asks for more contrast (Qt 6.10+ reports it where the desktop says so)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    if accessibility is None:
        return False
    preference = accessibility().contrastPreference()
    return preference == Qt.ContrastPreference.HighContrast


def roles_of(palette: QPalette) -> Roles:
    """The colour roles for ``palette``: its own text and window colours, the rest by scheme."""
    text = _hex(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText))
    background = _hex(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window))
    high = _prefers_more_contrast() or contrast_ratio(text, background) >= HIGH_CONTRAST_RATIO
    base = scheme_for(dark=is_dark(background), high_contrast=high and not is_dark(background))
    return fit(base, text=text, background=background)


def qcolor(roles: Roles, role: str) -> QColor:
    """A ``QColor`` of one role."""
    return QColor(roles.get(role))


def palette_of(roles: Roles) -> QPalette:
    """A whole Qt palette built from a scheme (a dark desktop for the screenshots, or a fallback)."""
    p = QPalette()
    window, text = QColor(roles.background), QColor(roles.text)
    # Fields and check boxes a step lighter than a dark window, so they stand out from it.
    dark = is_dark(roles.background)
    base = QColor(mix(roles.background, roles.text, 0.14) if dark else "#ffffff")
    button = QColor(roles.surface)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, button)
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, button)
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor(roles.surface))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(roles.muted))
        p.setColor(group, QPalette.ColorRole.Highlight, QColor(roles.break_done))
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor(roles.on_state))
        p.setColor(group, QPalette.ColorRole.Link, QColor(roles.break_done))
        p.setColor(group, QPalette.ColorRole.Mid, QColor(roles.border))
        p.setColor(group, QPalette.ColorRole.Light, QColor(roles.surface))
        p.setColor(group, QPalette.ColorRole.Dark, QColor(roles.border))
    disabled = QColor(roles.muted)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        p.setColor(QPalette.ColorGroup.Disabled, role, p.color(QPalette.ColorGroup.Active, role))
    return p


def light_palette() -> QPalette:
    """The light scheme as a Qt palette."""
    return palette_of(LIGHT)


def dark_palette() -> QPalette:
    """The dark scheme as a Qt palette."""
    return palette_of(DARK)


class ThemedMixin:
    """For windows: ``apply_roles(roles)`` runs once when built and again on a palette change."""

    _roles: Roles | None = None

    def roles(self) -> Roles:
        """The colour roles for this window's current palette."""
        assert isinstance(self, QWidget)
        return roles_of(self.palette())

    def refresh_roles(self) -> None:
        """Resolve the roles and restyle, unless nothing changed (restyling changes palettes)."""
        roles = self.roles()
        if roles != self._roles:
            self._roles = roles
            self.apply_roles(roles)

    def apply_roles(self, roles: Roles) -> None:
        """Set the colours of the window's parts from ``roles``."""
        raise NotImplementedError

    def themed_change(self, event: QEvent) -> None:
        """Call from ``changeEvent``: a new desktop palette restyles the window."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.refresh_roles()


def colour_css(roles: Roles, role: str, *, extra: str = "") -> str:
    """A one-rule style sheet setting the text colour to ``role`` (plus ``extra`` rules)."""
    return f"color: {roles.get(role)};{(' ' + extra) if extra else ''}"


__all__ = [
    "DARK",
    "LIGHT",
    "ThemedMixin",
    "colour_css",
    "dark_palette",
    "light_palette",
    "palette_of",
    "qcolor",
    "roles_of",
]
