"""The shared core: the config model base and its errors, the typed wiring between components,
retention values, the private-bucket builder, IAM role guards and shared validators. Imports no
layer.
"""
