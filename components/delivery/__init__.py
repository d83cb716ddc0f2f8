"""The delivery layer: getting the app in: the image registry and build, the frontend upload and
invalidation.
"""
