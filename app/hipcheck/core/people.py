"""Who is the user: everyone in view in, the user's track (or none) out, with its reason.

Model-free and Qt-free. The vision layer turns a frame into people (zero or more ``PoseSample``s,
in no stable order); ``PeopleTracker`` gives them stable ids from position, size and (when
measured) the colours of their clothes over time, and
``UserChooser`` picks the user among the tracks with named rules:

* someone in the picture within the first second of monitoring is at the desk: learned at once;
* later, a body cut by the frame edge, someone moving (crossing the room) or too small to be at
  the desk is never learned; a person who comes into view and *settles* (sits, or stands in one
  place) is;
* a point the user chose ("that's me") takes the settled person there, waiting up to
  ``POINT_WAIT_S`` for them; otherwise, among several settled candidates the user is the one at
  the calibrated seat or standing spot, else the one back where the user was, else the nearest
  to the camera;
* someone seen beside the user while the user is followed is a *bystander*: never taken for the
  user later, unless they settle where the user was;
* when the user's track is not seen: ``hidden`` while someone else covers where they were (a
  passer-by in front), else ``gone`` after a short grace; a returning user is the user again.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from hipcheck.core.types import (
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    PoseSample,
)

# A person's nose or shoulders this close to the left, right or bottom edge (share of the frame)
# are cut by it: MediaPipe guesses the rest of a body entering the picture.
EDGE_MARGIN: Final = 0.01
# A person whose torso is shorter than this share of the frame height is too far away (or a
# mis-fit on furniture) to be learned as the user at a desk.
MIN_USER_SCALE: Final = 0.07
# Settled: over the last SETTLE_S seconds the torso centre stayed within SETTLE_RADIUS torso
# lengths of its mean, and its size within SETTLE_SCALE_RATIO.
SETTLE_S: Final = 1.0
SETTLE_RADIUS: Final = 0.6
SETTLE_SCALE_RATIO: Final = 1.35
# Association of a detection with a track: centre within MATCH_RADIUS torso lengths, size ratio
# within MATCH_SCALE_RATIO.
MATCH_RADIUS: Final = 1.2
MATCH_SCALE_RATIO: Final = 1.8
# Two detections closer than this (torso lengths) with a similar size are one person found twice.
DUPLICATE_RADIUS: Final = 0.5
DUPLICATE_SCALE_RATIO: Final = 1.5
# A track not seen for this long is dropped.
DROP_AFTER_S: Final = 3.0
# The user's track unseen this long, with nobody covering where they were, means they left.
GONE_AFTER_S: Final = 0.5
GONE_AFTER_MISSES: Final = 2
# A track first seen this close (seconds) to the user's last sighting, where the user was, is the
# user under a new id.
TWIN_BIRTH_S: Final = 0.5
# Covered by someone else, the user counts as hidden (still there) for at most this long.
HIDDEN_MAX_S: Final = 3.0  # at most DROP_AFTER_S: the tracker drops the track after that
# Near the user's home (where they settled): within this many torso lengths.
HOME_RADIUS: Final = 1.0
# Someone arriving still counts when missed by the model for up to this long.
ARRIVING_GAP_S: Final = 0.5
# A "that's me" point waits this long for a person there (someone there, not yet found).
POINT_WAIT_S: Final = 10.0
# Size of the search box around a "that's me" point, in shares of the frame height.
POINT_BOX: Final = 0.2
# "That's me" takes the person whose torso box is within this many torso lengths of the point.
POINT_REACH: Final = 0.5
# Appearance (a colour histogram of the torso, when the vision layer measures it): a detection
# whose clothes differ from a track's settled look by more than this Bhattacharyya distance is
# someone else, however close (a passer-by in front of the user). Measured on the shared clips:
# the same person from sample to sample 0.0-0.3, turning round in a doorway (hair over the back)
# up to 0.90; a passer-by in front of the seated user 0.94-1.0.
APPEARANCE_MAX_DISTANCE: Final = 0.92
# The track's look follows each sighting by this weight, after LOOK_AFTER sightings it counts.
LOOK_WEIGHT: Final = 0.3
LOOK_AFTER: Final = 3
# Once settled, only sightings this close to the look update it (the look follows slow changes,
# such as standing up, not someone passing in front).
LOOK_FOLLOW_MAX: Final = 0.5
# The look is settled when sightings stay this close to it on average (the same person from
# sample to sample: 0.0-0.3).
LOOK_STEADY: Final = 0.35
# Someone first seen this soon after monitoring began was already at the desk.
START_GRACE_S: Final = 1.0
# Someone new in view (not cut, not yet settled) delays "nobody is here" for this long.
PENDING_MAX_S: Final = 2.0

_TORSO: Final = (NOSE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)


@dataclass(frozen=True, slots=True)
class Person:
    """One person in one frame: the pose and its torso's place and size in pixels."""

    sample: PoseSample
    centre_x: float
    centre_y: float
    scale_px: float
    box: tuple[float, float, float, float]  # torso box x0, y0, x1, y1 in pixels
    cut: bool


def torso_scale(sample: PoseSample) -> float:
    """The body's size in pixels: torso length, or shoulder width when larger."""
    return describe(sample).scale_px


def describe(sample: PoseSample) -> Person:
    """The torso centre, size and box of ``sample``, and whether the frame edge cuts it."""
    width, height = sample.image_size
    pts = [(sample.image[i].x * width, sample.image[i].y * height) for i in _TORSO]
    sh = ((pts[1][0] + pts[2][0]) / 2, (pts[1][1] + pts[2][1]) / 2)
    hp = ((pts[3][0] + pts[4][0]) / 2, (pts[3][1] + pts[4][1]) / 2)
    torso = math.dist(sh, hp)
    shoulders = math.dist(pts[1], pts[2])
    scale = max(torso, shoulders, 1.0)
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return Person(
        sample=sample,
        centre_x=(sh[0] + hp[0]) / 2,
        centre_y=(sh[1] + hp[1]) / 2,
        scale_px=scale,
        box=(min(xs), min(ys), max(xs), max(ys)),
        cut=cut_by_edge(sample),
    )


def cut_by_edge(sample: PoseSample) -> bool:
    """Whether the nose or a shoulder lies at or past the left, right or bottom frame edge.

    Hips below the bottom edge are the normal front-camera view and do not count; a head cut
    at the top (someone tall standing close) does not either.
    """
    lo, hi = EDGE_MARGIN, 1.0 - EDGE_MARGIN
    for i in (NOSE, LEFT_SHOULDER, RIGHT_SHOULDER):
        lm = sample.image[i]
        if not lo <= lm.x <= hi or lm.y > hi:
            return True
    # Shoulders above the top edge, or the torso's centre outside the picture: a fit of a body
    # mostly outside the picture.
    shoulders_y = (sample.image[LEFT_SHOULDER].y + sample.image[RIGHT_SHOULDER].y) / 2
    hips_y = (sample.image[LEFT_HIP].y + sample.image[RIGHT_HIP].y) / 2
    centre_y = (shoulders_y + hips_y) / 2
    return min(sample.image[LEFT_SHOULDER].y, sample.image[RIGHT_SHOULDER].y) < lo or not (
        0.0 <= centre_y <= 1.0 + (hips_y - shoulders_y)
    )


def _visibility(person: Person) -> float:
    """Mean visibility of the torso landmarks (which of two duplicates to keep)."""
    return sum(person.sample.image[i].visibility for i in _TORSO) / len(_TORSO)


def deduplicated(people: Sequence[Person]) -> list[Person]:
    """Drop a detection that is the same person as a more visible one (two landmarkers, or
    one landmarker twice, can find one person with slightly different fits)."""
    kept: list[Person] = []
    for p in sorted(people, key=_visibility, reverse=True):
        if not any(_same_person(p, k) for k in kept):
            kept.append(p)
    return kept


def _same_person(a: Person, b: Person) -> bool:
    """Whether two detections in one frame are one person: close centres, similar size."""
    near = math.dist((a.centre_x, a.centre_y), (b.centre_x, b.centre_y)) <= DUPLICATE_RADIUS * max(
        a.scale_px, b.scale_px
    )
    return near and _ratio(a.scale_px, b.scale_px) <= DUPLICATE_SCALE_RATIO


def _ratio(a: float, b: float) -> float:
    """The larger of a/b and b/a."""
    return max(a, b) / max(min(a, b), 1e-9)


@dataclass
class Track:
    """One person followed over time, with a stable id."""

    id: int
    first_seen_s: float
    last_seen_s: float
    person: Person
    history: deque[tuple[float, float, float, float]] = field(default_factory=deque)
    in_view_since_s: float | None = None  # since when continuously not cut by the edge
    look: tuple[float, ...] | None = None  # running colour histogram of the torso
    looks: int = 0  # sightings that had one
    look_spread: float = 1.0  # running distance of each sighting from the look

    @property
    def look_trusted(self) -> bool:
        """Whether the look is settled enough to tell this person from others: seen a few times,
        each time alike (a first fit over the background, or a side view, is not)."""
        return self.looks >= LOOK_AFTER and self.look_spread <= LOOK_STEADY

    def looks_unlike(self, person: Person) -> bool:
        """Whether ``person``'s clothes clearly differ from this track's settled look (never
        when either is unmeasured or the look is not settled)."""
        seen = person.sample.appearance
        if self.look is None or seen is None or len(seen) != len(self.look):
            return False
        return self.look_trusted and appearance_distance(self.look, seen) > APPEARANCE_MAX_DISTANCE

    def saw_look(self, seen: tuple[float, ...]) -> None:
        """Follow this sighting's look (an odd sighting leaves a settled look be)."""
        old = self.look
        if old is None or len(old) != len(seen):
            self.look, self.looks, self.look_spread = seen, 1, 1.0
            return
        d = appearance_distance(old, seen)
        if self.look_trusted and d > LOOK_FOLLOW_MAX:
            # Someone passing in front, or a bad fit. (A user whose clothes change at once, a
            # jacket taken off, shows as hidden for a moment and is then found again as the
            # person back where the user was.)
            return
        self.look = tuple(
            (1 - LOOK_WEIGHT) * a + LOOK_WEIGHT * b for a, b in zip(old, seen, strict=True)
        )
        self.look_spread = (
            d if self.looks == 1 else (1 - LOOK_WEIGHT) * self.look_spread + LOOK_WEIGHT * d
        )
        self.looks += 1

    def seen_at(self, t_s: float) -> bool:
        """Whether this track was seen in the frame at ``t_s``."""
        return self.last_seen_s == t_s

    def large_enough(self) -> bool:
        """Big enough in the picture to be someone at the desk, not far away or a mis-fit."""
        return self.person.scale_px >= MIN_USER_SCALE * self.person.sample.image_size[1]

    def settled(self, t_s: float) -> bool:
        """In view, uncut, big enough and nearly still for the last ``SETTLE_S`` seconds."""
        if not self.large_enough():
            return False
        if self.in_view_since_s is None or t_s - self.in_view_since_s < SETTLE_S - 1e-6:
            return False
        recent = [h for h in self.history if h[0] >= t_s - SETTLE_S - 1e-6]
        if len(recent) < 2:
            return False
        mx = sum(h[1] for h in recent) / len(recent)
        my = sum(h[2] for h in recent) / len(recent)
        scales = [h[3] for h in recent]
        ref = sum(scales) / len(scales)
        return (
            all(math.dist((h[1], h[2]), (mx, my)) <= SETTLE_RADIUS * ref for h in recent)
            and max(scales) / max(min(scales), 1e-9) <= SETTLE_SCALE_RATIO
        )

    def near(self, x: float, y: float, radius: float) -> bool:
        """Whether the torso centre is within ``radius`` torso lengths of (x, y) pixels."""
        p = self.person
        return math.dist((p.centre_x, p.centre_y), (x, y)) <= radius * p.scale_px

    def covers(self, box: tuple[float, float, float, float]) -> bool:
        """Whether this track's torso box overlaps ``box`` (someone in front of that place)."""
        x0, y0, x1, y1 = self.person.box
        pad = 0.3 * self.person.scale_px
        return x0 - pad < box[2] and box[0] < x1 + pad and y0 - pad < box[3] and box[1] < y1 + pad


class PeopleTracker:
    """Stable ids for the people in view, from position and size, never from model order."""

    def __init__(self) -> None:
        self.tracks: dict[int, Track] = {}
        self._next_id = 1

    def reset(self) -> None:
        """Forget everyone."""
        self.tracks.clear()

    def update(self, samples: Sequence[PoseSample], t_s: float) -> list[Track]:
        """Match this frame's people to the tracks; returns the tracks alive after it."""
        for tid in [tid for tid, tr in self.tracks.items() if t_s < tr.last_seen_s]:
            del self.tracks[tid]  # time went backwards: a new run
        people = deduplicated([describe(s) for s in samples])
        pairs = [
            (self.cost(tr, p), pi, tid)
            for pi, p in enumerate(people)
            for tid, tr in self.tracks.items()
            if self.continues(tr, p)
        ]
        used_p: set[int] = set()
        used_t: set[int] = set()
        for _, pi, tid in sorted(pairs):
            if pi in used_p or tid in used_t:
                continue
            used_p.add(pi)
            used_t.add(tid)
            self._extend(self.tracks[tid], people[pi], t_s)
        for pi, p in enumerate(people):
            if pi not in used_p:
                track = Track(self._next_id, t_s, t_s, p)
                self._next_id += 1
                self._extend(track, p, t_s)
                self.tracks[track.id] = track
        for tid in [tid for tid, tr in self.tracks.items() if t_s - tr.last_seen_s > DROP_AFTER_S]:
            del self.tracks[tid]
        return list(self.tracks.values())

    @staticmethod
    def cost(track: Track, person: Person) -> float:
        """How far ``person`` is from continuing ``track`` (distance in torso lengths plus the
        log of the size ratio); the lowest cost wins when several tracks could continue."""
        q = track.person
        d = math.dist((person.centre_x, person.centre_y), (q.centre_x, q.centre_y))
        return d / max(person.scale_px, q.scale_px) + math.log(_ratio(person.scale_px, q.scale_px))

    def best_track(self, person: Person) -> Track | None:
        """The track ``person`` would most likely continue, or None."""
        fits = [tr for tr in self.tracks.values() if self.continues(tr, person)]
        return min(fits, key=lambda tr: self.cost(tr, person), default=None)

    @staticmethod
    def continues(track: Track, person: Person) -> bool:
        """Whether ``person`` is close enough in place and size to be ``track`` again, and not
        in clearly different clothes."""
        q = track.person
        scale = max(person.scale_px, q.scale_px)
        d = math.dist((person.centre_x, person.centre_y), (q.centre_x, q.centre_y)) / scale
        return (
            d <= MATCH_RADIUS
            and _ratio(person.scale_px, q.scale_px) <= MATCH_SCALE_RATIO
            and not track.looks_unlike(person)
        )

    @staticmethod
    def _extend(track: Track, person: Person, t_s: float) -> None:
        """Add this frame's sighting to ``track``."""
        track.person = person
        track.last_seen_s = t_s
        if person.sample.appearance is not None:
            track.saw_look(person.sample.appearance)
        track.history.append((t_s, person.centre_x, person.centre_y, person.scale_px))
        while track.history and track.history[0][0] < t_s - 3.0:
            track.history.popleft()
        if person.cut:
            track.in_view_since_s = None
        elif track.in_view_since_s is None:
            track.in_view_since_s = t_s


class Why(str, Enum):
    """Why the chooser answered as it did."""

    FOLLOWING = "following"  # the user's track is seen in this frame
    SETTLED = "settled"  # a person settled in view and was learned as the user
    AT_DESK = "at the calibrated desk"
    POINTED = "chosen as 'that's me'"
    RETURNED = "back where the user was"
    HIDDEN = "hidden"  # not seen, but someone else stands where the user was
    ARRIVING = "someone is arriving"  # a person in view who has not settled yet
    NOBODY = "nobody"  # no user in view


@dataclass(frozen=True, slots=True)
class UserChoice:
    """The chooser's answer for one frame."""

    sample: PoseSample | None
    why: Why
    track_id: int | None = None
    others: int = 0  # people in view who are not the user

    @property
    def present(self) -> bool:
        """Whether the user is (probably) there: seen, hidden or arriving."""
        return self.why not in (Why.NOBODY,)


@dataclass
class _Home:
    """Where the user settled, in pixels: centre and size."""

    x: float
    y: float
    scale_px: float


class UserChooser:
    """Picks the user among the tracks (see the module docstring for the rules)."""

    def __init__(self) -> None:
        self.user_id: int | None = None
        self.home: _Home | None = None
        self.bystanders: set[int] = set()
        self._point: tuple[float, float] | None = None  # fractions of the frame
        self._pending_since_s: float | None = None
        self._point_since_s: float | None = None
        self._tracks: list[Track] = []
        self._missed = 0  # samples in a row without the user's track
        self._run_start_s: float | None = None  # the first sample of this run

    def reset(self) -> None:
        """Forget the user, their home and the bystanders (keeps a pending "that's me")."""
        self.user_id = None
        self.home = None
        self.bystanders.clear()
        self._pending_since_s = None
        self._point_since_s = None
        self._missed = 0
        self._run_start_s = None

    def point_at(self, x: float, y: float) -> None:
        """ "That's me": the settled person at (x, y) (fractions of the frame) is the user."""
        self._point = (x, y)
        self._point_since_s = None
        self.user_id = None
        self.home = None

    def update(
        self,
        tracks: Sequence[Track],
        t_s: float,
        *,
        at_desk: Callable[[PoseSample], bool] | None = None,
        still: bool = False,
    ) -> UserChoice:
        """The user in this frame, given the tracker's tracks after this frame's update.

        ``still``: the frame is a single picture, with no time to settle in; the most
        plausible person in it (uncut, big enough, the largest) is the user.
        """
        seen = [tr for tr in tracks if tr.seen_at(t_s)]
        self._tracks = list(tracks)
        if self._run_start_s is None:
            self._run_start_s = t_s
        by_id = {tr.id: tr for tr in tracks}
        user = by_id.get(self.user_id) if self.user_id is not None else None
        if user is not None and user.seen_at(t_s):
            return self._follow(user, seen, t_s)
        if user is not None:
            twin = self._twin(user, seen)
            if twin is not None:
                # Another track at the user's very place and size: the same person, followed
                # under a new id (a fit that jumped); hand the user over to it.
                self.user_id = twin.id
                self.bystanders.discard(twin.id)
                return self._follow(twin, seen, t_s)
            lost_s = t_s - user.last_seen_s
            covered = any(tr.covers(user.person.box) for tr in seen if tr.id != user.id)
            self._missed += 1
            # Gone only after a moment and more than one missed sample: at a low sample rate
            # one sample the model misses would otherwise read as "away".
            briefly = lost_s < GONE_AFTER_S or self._missed < GONE_AFTER_MISSES
            if (covered and lost_s <= HIDDEN_MAX_S) or briefly:
                return UserChoice(None, Why.HIDDEN, user.id, len(seen))
        chosen = self._choose(seen, t_s, at_desk) if not still else self._in_picture(seen)
        if chosen is not None:
            track, why = chosen
            self.user_id = track.id
            self.bystanders.discard(track.id)
            self._pending_since_s = None
            choice = self._follow(track, seen, t_s)
            return UserChoice(choice.sample, why, track.id, choice.others)
        return self._nobody(seen, t_s)

    @staticmethod
    def _twin(user: Track, seen: Sequence[Track]) -> Track | None:
        """A track seen now that is the unseen user under a new id: at the user's very place and
        size, or one that appeared where the user was just as the user vanished (the fit of
        someone sitting down or standing up changes size faster than tracking follows)."""
        last = user.person
        for tr in seen:
            if tr.id == user.id or user.looks_unlike(tr.person):
                continue
            if _same_person(tr.person, last):
                return tr
            born_there = abs(tr.first_seen_s - user.last_seen_s) <= TWIN_BIRTH_S
            if born_there and PeopleTracker.continues(user, tr.person):
                return tr
        return None

    def _follow(self, user: Track, seen: Sequence[Track], t_s: float) -> UserChoice:
        """The user's track is in view: note settled others as bystanders, move home."""
        self._missed = 0
        others = [tr for tr in seen if tr.id != user.id]
        self.bystanders.update(tr.id for tr in others if tr.settled(t_s))
        if user.settled(t_s):
            p = user.person
            self.home = _Home(p.centre_x, p.centre_y, p.scale_px)
        return UserChoice(user.person.sample, Why.FOLLOWING, user.id, len(others))

    def _choose(
        self,
        seen: Sequence[Track],
        t_s: float,
        at_desk: Callable[[PoseSample], bool] | None,
    ) -> tuple[Track, Why] | None:
        """A person to learn as the user now, and why; None when nobody qualifies yet."""
        if not seen:
            return None
        if self._point is not None:
            size = seen[0].person.sample.image_size
            px, py = self._point[0] * size[0], self._point[1] * size[1]
            # Someone walking across the point is not "me": the user sits or stands there.
            reach = [
                tr
                for tr in seen
                if _distance_to_box(tr.person, px, py) <= POINT_REACH * tr.person.scale_px
                and tr.settled(t_s)
            ]
            if not reach:
                return None  # the user is not found yet: keep looking there
            self._point = self._point_since_s = None
            return min(reach, key=lambda tr: _distance_to_box(tr.person, px, py)), Why.POINTED
        settled = [tr for tr in seen if tr.settled(t_s)]
        if self.home is None and self._run_start_s is not None:
            # Someone already in the picture when monitoring began is at the desk, not arriving.
            there = [
                tr
                for tr in seen
                if tr.first_seen_s - self._run_start_s <= START_GRACE_S
                and tr.in_view_since_s == tr.first_seen_s
                and tr.large_enough()
                and (at_desk is None or at_desk(tr.person.sample))
            ]
            settled = list({tr.id: tr for tr in [*settled, *there]}.values())
        if at_desk is not None:
            desk = [tr for tr in settled if at_desk(tr.person.sample)]
            if desk:
                return max(desk, key=lambda tr: tr.person.scale_px), Why.AT_DESK
        home = self.home
        if home is not None:
            back = [
                tr
                for tr in settled
                if math.dist((tr.person.centre_x, tr.person.centre_y), (home.x, home.y))
                <= HOME_RADIUS * home.scale_px
                and _ratio(tr.person.scale_px, home.scale_px) <= MATCH_SCALE_RATIO
            ]
            if back:
                return max(back, key=lambda tr: tr.person.scale_px), Why.RETURNED
        newcomers = [tr for tr in settled if tr.id not in self.bystanders]
        if newcomers:
            return max(newcomers, key=lambda tr: tr.person.scale_px), Why.SETTLED
        return None

    @staticmethod
    def _in_picture(seen: Sequence[Track]) -> tuple[Track, Why] | None:
        """The most plausible person in a single picture: uncut and big enough first, largest."""
        if not seen:
            return None
        best = max(seen, key=lambda tr: (not tr.person.cut, tr.large_enough(), tr.person.scale_px))
        return best, Why.SETTLED

    @property
    def pointed(self) -> tuple[float, float] | None:
        """The "that's me" point still waiting for its person (fractions of the frame)."""
        return self._point

    def _nobody(self, seen: Sequence[Track], t_s: float) -> UserChoice:
        """No user in this frame: arriving while someone new has not had time to settle, or
        while a "that's me" point waits for its person."""
        if self._point is not None:
            if self._point_since_s is None or t_s < self._point_since_s:
                self._point_since_s = t_s
            if t_s - self._point_since_s <= POINT_WAIT_S:
                return UserChoice(None, Why.ARRIVING, None, len(seen))
            self._point = self._point_since_s = None  # nobody came there: choose as usual
        # Seen in the last moment, not only in this frame: detections of a far person drop out.
        recent = [tr for tr in self._tracks if 0 <= t_s - tr.last_seen_s <= ARRIVING_GAP_S]
        arriving = [
            tr
            for tr in recent
            if tr.id not in self.bystanders and tr.in_view_since_s is not None and tr.large_enough()
        ]
        if arriving:
            if self._pending_since_s is None:
                self._pending_since_s = min(
                    tr.in_view_since_s for tr in arriving if tr.in_view_since_s is not None
                )
            if t_s - self._pending_since_s <= PENDING_MAX_S:
                return UserChoice(None, Why.ARRIVING, None, len(seen))
        else:
            self._pending_since_s = None
        return UserChoice(None, Why.NOBODY, None, len(seen))


def appearance_distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Bhattacharyya distance of two normalised histograms: 0 alike, 1 nothing in common."""
    overlap = sum(math.sqrt(max(p, 0.0) * max(q, 0.0)) for p, q in zip(a, b, strict=True))
    return math.sqrt(max(0.0, 1.0 - overlap))


def _distance_to_box(person: Person, x: float, y: float) -> float:
    """Pixels from (x, y) to the person's torso box (0 inside it)."""
    x0, y0, x1, y1 = person.box
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return math.hypot(dx, dy)


class UserFinder:
    """The tracker and the chooser together: this frame's people in, the user's choice out."""

    def __init__(self) -> None:
        self.tracker = PeopleTracker()
        self.chooser = UserChooser()

    def reset(self) -> None:
        """Forget everyone (a new camera or a new run)."""
        self.tracker.reset()
        self.chooser.reset()

    def focus_track(self, t_s: float) -> Track | None:
        """The track worth following closely: the user's while known and seen within
        ``DROP_AFTER_S``; with no user yet, the most likely newcomer (in view, uncut, big enough,
        not a bystander, seen a moment ago)."""
        tracks = self.tracker.tracks
        uid = self.chooser.user_id
        if uid is not None:
            track = tracks.get(uid)
            if track is not None and 0 <= t_s - track.last_seen_s <= DROP_AFTER_S:
                return track
            return None
        candidates = [
            tr
            for tr in tracks.values()
            if 0 <= t_s - tr.last_seen_s <= ARRIVING_GAP_S
            and not tr.person.cut
            and tr.large_enough()
            and tr.id not in self.chooser.bystanders
        ]
        return max(candidates, key=lambda tr: tr.person.scale_px, default=None)

    def user_box(self, t_s: float) -> tuple[float, float, float, float, float] | None:
        """Where the followed track was last seen (torso box x0, y0, x1, y1 and size, pixels)."""
        track = self.focus_track(t_s)
        return None if track is None else (*track.person.box, track.person.scale_px)

    def look_at(
        self, t_s: float, image_size: tuple[int, int]
    ) -> tuple[float, float, float, float, float] | None:
        """Where to look closely for the user: their last place, or around a "that's me" point
        that has not found its person yet (a small person the whole frame misses), or the most
        likely newcomer."""
        point = self.chooser.pointed
        if point is not None and self.chooser.user_id is None:
            w, h = image_size
            half = POINT_BOX * h / 2
            x, y = point[0] * w, point[1] * h
            return (x - half, y - half, x + half, y + half, 2 * half)
        return self.user_box(t_s)

    def finds_user(self, people: Sequence[PoseSample], t_s: float) -> bool:
        """Whether one of ``people`` continues the followed track better than any other track
        (no need to look again)."""
        if self.chooser.pointed is not None and self.chooser.user_id is None:
            return False  # still looking for the pointed person: search the whole frame too
        track = self.focus_track(t_s)
        if track is None:
            return False
        # Not merely close enough: the person must fit the followed track better than any other
        # (a wide crop around a large user can hold a neighbour the one-pose model prefers).
        for p in people:
            best = self.tracker.best_track(describe(p))
            if best is not None and best.id == track.id:
                return True
        return False

    def update(
        self,
        people: Sequence[PoseSample],
        t_s: float,
        *,
        at_desk: Callable[[PoseSample], bool] | None = None,
        still: bool = False,
    ) -> UserChoice:
        """Track this frame's people and pick the user among them (``still``: a single picture)."""
        if self.tracker.tracks and any(t_s < tr.last_seen_s for tr in self.tracker.tracks.values()):
            self.reset()  # time went backwards: a new run
        tracks = self.tracker.update(people, t_s)
        return self.chooser.update(tracks, t_s, at_desk=at_desk, still=still)
