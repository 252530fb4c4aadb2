"""Builds test videos from still photographs: each still held for some seconds, letterboxed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


@dataclass(frozen=True)
class Segment:
    """One still held for ``seconds`` of video."""

    image: Path
    seconds: float


def letterbox(image: np.ndarray, width_px: int, height_px: int) -> np.ndarray:
    """Scale ``image`` to fit ``width_px`` x ``height_px`` without distortion, padded with black."""
    scale = min(width_px / image.shape[1], height_px / image.shape[0])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    out = np.zeros((height_px, width_px, 3), np.uint8)
    y = (height_px - size[1]) // 2
    x = (width_px - size[0]) // 2
    out[y : y + size[1], x : x + size[0]] = resized
    return out


def write_stills_video(
    path: Path,
    segments: Sequence[Segment],
    *,
    fps: float = 5.0,
    width_px: int = 640,
    height_px: int = 480,
) -> float:
    """Write ``segments`` one after another into an MP4 at ``path``; returns its length in seconds."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width_px, height_px))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    frames = 0
    try:
        for segment in segments:
            still = cv2.imread(str(segment.image))
            if still is None:
                raise FileNotFoundError(segment.image)
            frame = letterbox(still, width_px, height_px)
            for _ in range(round(segment.seconds * fps)):
                writer.write(frame)
                frames += 1
    finally:
        writer.release()
    return frames / fps
