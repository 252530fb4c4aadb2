"""The vision layer: frames from a camera, file or URL, and the pose of the user in them.

This is the only package that imports OpenCV and MediaPipe; what leaves it is a ``PoseSample``.
"""
