"""The colour roles: every scheme keeps its text readable, and ``fit`` keeps it so on any theme."""

from __future__ import annotations

import pytest

from hipcheck.core.colours import (
    DARK,
    HIGH_CONTRAST,
    LIGHT,
    SCHEMES,
    TEXT_ON,
    WCAG_AA,
    contrast_ratio,
    css_variables,
    fit,
    is_dark,
    readable,
    relative_luminance,
    role_names,
)


def test_contrast_ratio_matches_the_wcag_examples() -> None:
    """Black on white is 21:1, a colour on itself 1:1, #767676 on white just passes AA."""
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert relative_luminance("#fff") == pytest.approx(1.0)


@pytest.mark.parametrize("roles", list(SCHEMES.values()), ids=list(SCHEMES))
def test_every_text_role_is_readable_in_every_scheme(roles: object) -> None:
    """Each text role reaches 4.5:1 on the background it is drawn on."""
    for role, ground in TEXT_ON.items():
        ratio = contrast_ratio(roles.get(role), roles.get(ground))  # type: ignore[attr-defined]
        assert ratio >= WCAG_AA, f"{role} on {ground}: {ratio:.2f}"


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("#000000", "#efefef"),
        ("#ffffff", "#2b2b2b"),
        ("#e0e0e0", "#3c3f41"),
        ("#202020", "#d6d2d0"),
    ],
)
def test_fit_keeps_named_colours_readable_on_a_desktop_theme(text: str, background: str) -> None:
    """On the theme's own text and window colours, every text role still reaches 4.5:1."""
    roles = fit(DARK if is_dark(background) else LIGHT, text=text, background=background)
    assert roles.text == text and roles.background == background
    for role, ground in TEXT_ON.items():
        assert contrast_ratio(roles.get(role), roles.get(ground)) >= WCAG_AA, role


def test_a_theme_with_unreadable_text_keeps_the_schemes_own_pair() -> None:
    """Grey on grey is not followed into unreadable text."""
    roles = fit(LIGHT, text="#777777", background="#888888")
    assert roles == LIGHT


def test_readable_moves_a_colour_just_enough() -> None:
    """A colour already readable stays; a pale one moves towards the text colour."""
    assert readable("#595959", "#ffffff", "#000000") == "#595959"
    moved = readable("#dddddd", "#ffffff", "#000000")
    assert moved != "#dddddd" and contrast_ratio(moved, "#ffffff") >= WCAG_AA


def test_dark_detection_and_css() -> None:
    """Dark backgrounds are dark; every role becomes one CSS variable."""
    assert is_dark(DARK.background) and not is_dark(LIGHT.background)
    assert not is_dark(HIGH_CONTRAST.background)
    css = css_variables(DARK)
    assert css.count("--") == len(role_names()) and f"--text: {DARK.text};" in css
