"""HipCheck: watches how you sit and gets you out of the chair at the right moment."""

__version__ = "0.1.0"
