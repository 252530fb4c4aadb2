"""Who is the user, on made-up people with known torso places and sizes and a plain-float clock.

Each rule of ``core.people`` has its own test: a scene is a script of frames (the people the model
would report at each time, in any order), fed to a ``UserFinder`` at 10 samples a second.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import pytest

from hipcheck.core.people import (
    APPEARANCE_MAX_DISTANCE,
    GONE_AFTER_S,
    LOOK_FOLLOW_MAX,
    MIN_USER_SCALE,
    POINT_WAIT_S,
    PeopleTracker,
    UserChoice,
    UserFinder,
    Why,
    appearance_distance,
    cut_by_edge,
    describe,
)
from hipcheck.core.types import (
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    NUM_LANDMARKS,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    Landmark,
    PoseSample,
)

SIZE = (1280, 720)
STEP_S = 0.1  # 10 samples a second


@dataclass(frozen=True)
class Body:
    """A made-up person facing the camera: torso centre and torso length in pixels."""

    x: float
    y: float
    torso_px: float = 150.0
    look: tuple[float, ...] | None = None  # the torso's colour histogram, if measured

    def sample(self, t_s: float = 0.0) -> PoseSample:
        """The person as the model would report them (other landmarks at the hip centre)."""
        half, w = self.torso_px / 2, 0.3 * self.torso_px
        points = {
            NOSE: (self.x, self.y - half - 0.4 * self.torso_px),
            LEFT_SHOULDER: (self.x + w, self.y - half),
            RIGHT_SHOULDER: (self.x - w, self.y - half),
            LEFT_HIP: (self.x + 0.7 * w, self.y + half),
            RIGHT_HIP: (self.x - 0.7 * w, self.y + half),
        }
        rest = (self.x, self.y + half)
        image = tuple(
            Landmark(points.get(i, rest)[0] / SIZE[0], points.get(i, rest)[1] / SIZE[1], 0.0, 0.9)
            for i in range(NUM_LANDMARKS)
        )
        return PoseSample(t_s, image, None, SIZE, self.look)

    def moved(self, dx: float = 0.0, dy: float = 0.0) -> Body:
        """The same person ``dx``, ``dy`` pixels away."""
        return replace(self, x=self.x + dx, y=self.y + dy)


USER = Body(400, 450, 160)  # seated at the desk, left of centre
BESIDE = Body(900, 430, 140)  # a colleague at the next desk, clear of the user
FAR = Body(640, 300, 30)  # far down the room: too small to be someone at the desk


def frames(
    start_s: float, end_s: float, people: Callable[[float], Sequence[Body]]
) -> list[tuple[float, list[Body]]]:
    """A frame every ``STEP_S`` from ``start_s`` up to (not including) ``end_s``."""
    count = round((end_s - start_s) / STEP_S)
    return [(start_s + k * STEP_S, list(people(start_s + k * STEP_S))) for k in range(count)]


def sway(body: Body, t_s: float) -> Body:
    """``body`` with the small movements of someone sitting or standing in one place."""
    rng = random.Random(round(t_s * 1000))
    jitter = 0.08 * body.torso_px
    return body.moved(rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter))


def play(
    script: Iterable[tuple[float, Sequence[Body]]],
    finder: UserFinder | None = None,
    **update: object,
) -> list[tuple[float, UserChoice]]:
    """Feed the script to ``finder`` (a new one by default); each frame's time and answer."""
    finder = finder if finder is not None else UserFinder()
    out = []
    for t_s, people in script:
        out.append((t_s, finder.update([b.sample(t_s) for b in people], t_s, **update)))  # type: ignore[arg-type]
    return out


def chosen_x(choice: UserChoice) -> float | None:
    """The torso centre x (pixels) of the person taken as the user, or None."""
    return describe(choice.sample).centre_x if choice.sample is not None else None


def is_user(choice: UserChoice, body: Body, tolerance_px: float = 30.0) -> bool:
    """Whether the answer is ``body`` (by where its torso is)."""
    x = chosen_x(choice)
    return x is not None and abs(x - body.x) <= tolerance_px


# ---- cut_by_edge ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "cut"),
    [
        (USER, False),
        (Body(60, 450, 160), True),  # a shoulder past the left edge
        (Body(1240, 450, 160), True),  # past the right edge
        (Body(640, 800, 160), True),  # shoulders at the bottom edge
        (Body(640, 720, 300), False),  # hips below the bottom: the usual laptop view
        (Body(640, 60, 160), True),  # shoulders above the top edge: a fit of a body outside
    ],
)
def test_cut_by_edge(body: Body, cut: bool) -> None:
    assert cut_by_edge(body.sample()) is cut


@pytest.mark.parametrize(
    "body",
    [Body(30, 450, 160), Body(1270, 450, 160), Body(640, 840, 160)],
    ids=["left", "right", "bottom"],
)
def test_a_body_cut_by_the_edge_is_never_learned(body: Body) -> None:
    answers = play(frames(0.0, 10.0, lambda t: [sway(body, t)]))
    assert {c.why for _, c in answers} == {Why.NOBODY}
    assert all(c.sample is None for _, c in answers)


def test_someone_crossing_the_room_is_never_learned_and_soon_counts_as_nobody() -> None:
    # A walk across the frame at about three torso lengths a second, in view for 2.7 s.
    walker = Body(-50, 420, 150)
    answers = play(frames(0.0, 3.5, lambda t: [walker.moved(dx=450 * t)] if t < 3.0 else []))
    assert all(c.sample is None for _, c in answers)
    assert not any(c.why in (Why.SETTLED, Why.FOLLOWING) for _, c in answers)
    # In view, they might be arriving for a moment, but not for longer than the pending time.
    assert all(c.why is Why.NOBODY for t, c in answers if t >= 2.6)


@pytest.mark.parametrize(
    "body",
    [USER, Body(640, 320, 120), Body(900, 500, 260), Body(640, 400, 0.08 * SIZE[1])],
    ids=["seated", "standing", "close", "small-but-large-enough"],
)
def test_someone_who_settles_is_learned_within_two_seconds(body: Body) -> None:
    # An empty room while monitoring starts; the person comes into view at 2 s.
    answers = play(frames(0.0, 6.0, lambda t: [sway(body, t)] if t >= 2.0 else []))
    learned = [t for t, c in answers if c.why is Why.SETTLED]
    assert learned and learned[0] - 2.0 <= 2.0
    before = [c.why for t, c in answers if 2.0 <= t < learned[0]]
    assert set(before) == {Why.ARRIVING}  # there, posture not yet known: not "away"
    after = [c for t, c in answers if t > learned[0]]
    assert all(c.why is Why.FOLLOWING and is_user(c, body) for c in after)


def test_someone_in_the_picture_when_monitoring_starts_is_the_user_at_once() -> None:
    """At the desk already when HipCheck starts: no wait to settle (one sample later at most)."""
    answers = play(frames(0.0, 3.0, lambda t: [sway(USER, t)]))
    assert answers[0][1].why is Why.SETTLED and is_user(answers[0][1], USER)
    # Someone arriving later still has to settle first.
    late = play(frames(0.0, 4.0, lambda t: [sway(USER, t)] if t >= 1.5 else []))
    assert next(c.why for t, c in late if t >= 1.5) is Why.ARRIVING


def test_someone_too_small_to_be_at_the_desk_is_never_learned() -> None:
    assert FAR.torso_px < MIN_USER_SCALE * SIZE[1]
    answers = play(frames(0.0, 6.0, lambda t: [sway(FAR, t)]))
    assert {c.why for _, c in answers} == {Why.NOBODY}


def _learned_user(finder: UserFinder, until_s: float = 3.0) -> None:
    """The user alone at the desk until ``until_s``: learned."""
    answers = play(frames(0.0, until_s, lambda t: [sway(USER, t)]), finder)
    assert is_user(answers[-1][1], USER)


def test_a_bigger_passer_by_never_takes_over_nor_makes_the_user_away() -> None:
    finder = UserFinder()
    _learned_user(finder)
    # A passer-by nearer the camera (twice the user's size) walks right to left in front of the
    # user; while their body covers the user's torso, the model only finds the passer-by.
    walker = Body(1400, 420, 320)

    def people(t_s: float) -> list[Body]:
        w = walker.moved(dx=-900 * (t_s - 3.0))
        covered = abs(w.x - USER.x) < 0.6 * w.torso_px
        return [w] if covered else [sway(USER, t_s), w]

    answers = play(frames(3.0, 5.0, people), finder)
    assert any(c.why is Why.HIDDEN for _, c in answers)  # the script did cover the user
    for t_s, c in answers:
        assert c.why in (Why.FOLLOWING, Why.HIDDEN), (t_s, c.why)
        assert c.sample is None or is_user(c, USER), (t_s, chosen_x(c))
    # The walker gone, the user is followed as before.
    after = play(frames(5.0, 6.0, lambda t: [sway(USER, t)]), finder)
    assert all(c.why is Why.FOLLOWING and is_user(c, USER) for _, c in after)


def _user_with_a_bystander(finder: UserFinder) -> None:
    """The user learned, then a colleague settled beside them for a few seconds."""
    _learned_user(finder)
    play(frames(3.0, 6.0, lambda t: [sway(USER, t), sway(BESIDE, t)]), finder)


def test_a_bystander_is_not_taken_when_the_user_leaves() -> None:
    finder = UserFinder()
    _user_with_a_bystander(finder)
    answers = play(frames(6.0, 30.0, lambda t: [sway(BESIDE, t)]), finder)
    assert all(c.sample is None for _, c in answers)
    gone = [t for t, c in answers if c.why is Why.NOBODY]
    assert gone and gone[0] - 6.0 <= 2.0
    assert all(c.why is Why.NOBODY for t, c in answers if t >= gone[0])
    assert all(c.others == 1 for _, c in answers)


def test_the_user_gone_with_nobody_else_in_view_is_nobody_after_the_grace() -> None:
    finder = UserFinder()
    _learned_user(finder)
    answers = play(frames(3.0, 5.0, lambda t: []), finder)
    assert all(c.why is Why.HIDDEN for t, c in answers if t - 3.0 < GONE_AFTER_S - 1e-9)
    assert all(c.why is Why.NOBODY for t, c in answers if t - 3.0 > GONE_AFTER_S + 1e-9)


@pytest.mark.parametrize("away_s", [1.0, 10.0, 25.0])
def test_a_returning_user_is_the_user_again_not_the_bystander(away_s: float) -> None:
    finder = UserFinder()
    _user_with_a_bystander(finder)
    back_s = 6.0 + away_s
    play(frames(6.0, back_s, lambda t: [sway(BESIDE, t)]), finder)
    answers = play(frames(back_s, back_s + 4.0, lambda t: [sway(USER, t), sway(BESIDE, t)]), finder)
    assert all(c.sample is None or is_user(c, USER) for _, c in answers)
    found = [t for t, c in answers if c.sample is not None]
    assert found and found[0] - back_s <= 2.0
    assert is_user(answers[-1][1], USER)


def test_a_bystander_who_stays_is_never_taken_for_the_user() -> None:
    """The module's rule: a bystander is never taken for the user unless they settle where the
    user was. A colleague who stays at the next desk through the user's lunch break must not
    become the user (their sitting would be filed as the user's), and the user coming back must
    be the user again."""
    finder = UserFinder()
    _user_with_a_bystander(finder)
    answers = play(frames(6.0, 66.0, lambda t: [sway(BESIDE, t)]), finder)
    assert all(c.sample is None for _, c in answers), next(
        t for t, c in answers if c.sample is not None
    )
    back = play(frames(66.0, 70.0, lambda t: [sway(USER, t), sway(BESIDE, t)]), finder)
    assert is_user(back[-1][1], USER)


def test_the_pointed_person_is_chosen_even_when_smaller() -> None:
    small = Body(1000, 400, 110)
    finder = UserFinder()
    finder.chooser.point_at(small.x / SIZE[0], (small.y + 10) / SIZE[1])
    answers = play(frames(0.0, 3.0, lambda t: [sway(USER, t), sway(small, t)]), finder)
    pointed = [t for t, c in answers if c.why is Why.POINTED]
    assert pointed and pointed[0] <= 2.0
    assert all(c.sample is None for t, c in answers if t < pointed[0])  # waits, takes no one
    assert all(is_user(c, small) for t, c in answers if t >= pointed[0])
    # Without the point, the larger (nearer) person is taken.
    plain = play(frames(0.0, 3.0, lambda t: [sway(USER, t), sway(small, t)]))
    assert is_user(plain[-1][1], USER)


def test_pointing_later_moves_the_user_to_the_pointed_person() -> None:
    finder = UserFinder()
    play(frames(0.0, 3.0, lambda t: [sway(USER, t), sway(BESIDE, t)]), finder)
    finder.chooser.point_at(BESIDE.x / SIZE[0], BESIDE.y / SIZE[1])
    answers = play(frames(3.0, 4.0, lambda t: [sway(USER, t), sway(BESIDE, t)]), finder)
    assert all(is_user(c, BESIDE) for _, c in answers[1:])


def test_the_person_at_the_calibrated_desk_is_preferred() -> None:
    desk = BESIDE  # smaller than the user: without the desk, the user would be taken

    def at_desk(sample: PoseSample) -> bool:
        return abs(describe(sample).centre_x - desk.x) < 0.5 * desk.torso_px

    scene = frames(0.0, 3.0, lambda t: [sway(USER, t), sway(desk, t)])
    answers = play(scene, at_desk=at_desk)
    first = next(c for _, c in answers if c.sample is not None)
    assert first.why is Why.AT_DESK and is_user(first, desk)
    assert is_user(answers[-1][1], desk)
    assert is_user(play(scene)[-1][1], USER)


def test_track_ids_do_not_depend_on_the_order_the_model_lists_people_in() -> None:
    people = [USER, BESIDE, Body(150, 380, 100)]
    tracker = PeopleTracker()
    rng = random.Random(7)
    seen: dict[int, set[int]] = {}
    for t_s, bodies in frames(0.0, 5.0, lambda t: [sway(b, t).moved(dx=20 * t) for b in people]):
        order = list(range(len(bodies)))
        rng.shuffle(order)
        tracks = tracker.update([bodies[i].sample(t_s) for i in order], t_s)
        for tr in tracks:
            index = min(range(len(bodies)), key=lambda i: abs(bodies[i].x - tr.person.centre_x))
            seen.setdefault(tr.id, set()).add(index)
    assert len(seen) == 3 and all(len(v) == 1 for v in seen.values()), seen


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ([USER], USER),
        ([Body(60, 450, 300), USER, BESIDE], USER),  # the biggest is cut by the edge
        ([BESIDE, USER], USER),
        ([FAR, Body(900, 420, 60)], Body(900, 420, 60)),
        ([FAR], FAR),  # nobody better: the only person found
    ],
)
def test_a_single_picture_takes_the_largest_uncut_person(
    people: list[Body], expected: Body
) -> None:
    choice = UserFinder().update([b.sample(0.0) for b in people], 0.0, still=True)
    assert is_user(choice, expected), chosen_x(choice)


def test_a_single_picture_of_nobody_is_nobody() -> None:
    choice = UserFinder().update([], 0.0, still=True)
    assert choice.why is Why.NOBODY and choice.sample is None


def test_a_that_is_me_point_with_nobody_there_expires_and_the_user_is_chosen_as_usual() -> None:
    finder = UserFinder()
    finder.chooser.point_at(0.95, 0.1)  # an empty corner of the picture
    answers = play(frames(0.0, 16.0, lambda t: [sway(USER, t)]), finder)
    waiting = [c.why for t, c in answers if t <= POINT_WAIT_S]
    assert set(waiting) == {Why.ARRIVING}
    assert finder.chooser.pointed is None
    assert is_user(answers[-1][1], USER)


def test_a_second_that_is_me_point_waits_as_long_as_the_first() -> None:
    finder = UserFinder()
    finder.chooser.point_at(0.95, 0.1)
    play(frames(0.0, 4.0, lambda t: [sway(USER, t)]), finder)
    finder.chooser.point_at(0.95, 0.1)  # clicked again, on nobody
    answers = play(frames(4.0, 8.0, lambda t: [sway(USER, t)]), finder)
    assert all(c.why is Why.ARRIVING for _, c in answers)


def test_a_neighbour_close_to_a_large_user_is_not_taken_as_finding_the_user() -> None:
    # A big user (a child close to a front camera) and a smaller neighbour about one torso length
    # away: near enough that the neighbour could continue the user's track, but they fit their
    # own track better, so the search must still look for the user.
    user, neighbour = Body(280, 560, 360), Body(640, 500, 220)
    finder = UserFinder()
    play(frames(0.0, 2.0, lambda t: [sway(user, t), sway(neighbour, t)]), finder)
    assert PeopleTracker.continues(finder.focus_track(2.0), describe(neighbour.sample(2.0)))  # type: ignore[arg-type]
    assert not finder.finds_user([neighbour.sample(2.0)], 2.0)
    assert finder.finds_user([user.sample(2.0)], 2.0)


RED_SHIRT = (0.0, 0.9, 0.1, 0.0)
WHITE_SHIRT = (0.05, 0.0, 0.05, 0.9)
DARKER_RED = (0.0, 0.75, 0.25, 0.0)


def test_appearance_distance() -> None:
    assert appearance_distance(RED_SHIRT, RED_SHIRT) == pytest.approx(0.0, abs=1e-6)
    assert appearance_distance(RED_SHIRT, WHITE_SHIRT) > APPEARANCE_MAX_DISTANCE
    assert appearance_distance(RED_SHIRT, DARKER_RED) < 0.3
    assert appearance_distance(RED_SHIRT, (0.0, 0.0, 0.0, 1.0)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("walker_look", "hijacked"),
    [(WHITE_SHIRT, False), (None, True), (DARKER_RED, True)],
)
def test_a_passer_by_in_other_clothes_never_continues_the_users_track(
    walker_look: tuple[float, ...] | None, hijacked: bool
) -> None:
    # The seated user in a red shirt; a bigger walker passes right in front of them while the
    # model misses the user, and walks on. With the clothes measured and different, the walker
    # is someone else: the user is hidden, then found again where they sat. Without a look (or
    # in the same colours) only place and size tell, and the walker takes the user's track.
    user = replace(USER, look=RED_SHIRT)
    finder = UserFinder()
    play(frames(0.0, 2.0, lambda t: [sway(user, t)]), finder)
    walker = Body(USER.x + 40, USER.y - 20, 1.6 * USER.torso_px, walker_look)
    answers = play(
        [(2.0 + 0.2 * k, [walker.moved(dx=120 * k)]) for k in range(4)]
        + frames(2.8, 4.0, lambda t: [sway(user, t), walker.moved(dx=600)]),
        finder,
    )
    walked_off = any(is_user(c, walker.moved(dx=120 * 3), 60) for _, c in answers)
    assert walked_off == hijacked
    if not hijacked:
        assert answers[0][1].why is Why.HIDDEN  # covered by the walker, not the walker
        assert all(c.present for _, c in answers)  # never "away"
        assert is_user(answers[-1][1], USER)


def test_the_look_follows_a_slow_change_but_not_someone_passing_in_front() -> None:
    # The user's look changes slowly over 5 s, from a red to a white shirt (light changing, a
    # jacket coming off): the track follows it all the way. Then a single odd sighting in the
    # old red at the user's place leaves the look be, and is someone else.
    steps = [
        tuple(a + (b - a) * k / 50 for a, b in zip(RED_SHIRT, WHITE_SHIRT, strict=True))
        for k in range(51)
    ] + [WHITE_SHIRT] * 20
    finder = UserFinder()
    answers = play(
        [(0.1 * k, [replace(sway(USER, 0.1 * k), look=look)]) for k, look in enumerate(steps)],
        finder,
    )
    ids = {c.track_id for _, c in answers[11:]}
    assert len(ids) == 1 and all(c.why is Why.FOLLOWING for _, c in answers[11:])
    track = finder.tracker.tracks[ids.pop()]
    assert track.look is not None and appearance_distance(track.look, WHITE_SHIRT) < 0.2
    finder.update([replace(USER, look=RED_SHIRT).sample(7.2)], 7.2)
    assert appearance_distance(track.look, WHITE_SHIRT) < 0.2
    assert finder.chooser.user_id == track.id and not track.seen_at(7.2)


def test_an_odd_sighting_still_the_user_leaves_the_look_be() -> None:
    # A sighting unlike the look but not clearly someone else (a bad fit over the background)
    # continues the track, and does not drag the look toward it.
    odd = tuple(a + (b - a) * 0.7 for a, b in zip(RED_SHIRT, WHITE_SHIRT, strict=True))
    assert LOOK_FOLLOW_MAX < appearance_distance(RED_SHIRT, odd) < APPEARANCE_MAX_DISTANCE
    finder = UserFinder()
    user = replace(USER, look=RED_SHIRT)
    play(frames(0.0, 1.0, lambda t: [sway(user, t)]), finder)
    choice = finder.update([replace(USER, look=odd).sample(1.0)], 1.0)
    track = finder.tracker.tracks[choice.track_id]  # type: ignore[index]
    assert choice.why is Why.FOLLOWING and track.look == pytest.approx(RED_SHIRT)


def test_an_unsteady_look_is_not_used_to_tell_people_apart() -> None:
    # Sightings that keep disagreeing (a side view over the background, someone turning round)
    # never settle the look: place and size alone decide, as without a look.
    finder = UserFinder()
    looks = [(0.9, 0.1, 0.0, 0.0, 0.0), (0.0, 0.0, 0.9, 0.1, 0.0)] * 10
    play(
        [(0.1 * k, [replace(sway(USER, 0.1 * k), look=look)]) for k, look in enumerate(looks)],
        finder,
    )
    (track,) = finder.tracker.tracks.values()
    assert track.looks >= 3 and not track.look_trusted
    other = (0.0, 0.0, 0.0, 0.0, 1.0)  # nothing in common with either
    assert appearance_distance(track.look, other) > APPEARANCE_MAX_DISTANCE  # type: ignore[arg-type]
    choice = finder.update([replace(USER, look=other).sample(2.0)], 2.0)
    assert choice.why is Why.FOLLOWING and choice.track_id == track.id
