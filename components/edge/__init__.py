"""The edge layer: the load balancer, CloudFront with its private site bucket, the custom domain and
WAF.
"""
