"""The compute layer: the ECS cluster, Fargate services and tasks, their IAM, autoscaling and the
migration task.
"""
