"""Publish a release of the current build (stub while the parts are written)."""


class PublishError(Exception):
    """The publish stopped; the last good release is untouched."""
