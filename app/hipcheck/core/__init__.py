"""HipCheck's Qt-free, camera-free core: data types, posture, the sitting timeline, policies."""
