"""The data layer: PostgreSQL (RDS or Aurora), the cache (ElastiCache or a sidecar), the uploads bucket
and the app secrets.
"""
