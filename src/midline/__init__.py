"""midline: a local-first Pilates coach for the inner thighs."""

__version__ = "0.1.0"
