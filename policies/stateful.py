"""Our own rule: resources that hold data, or the keys to it, carry Pulumi ``protect`` in production.

A protected resource cannot be deleted or replaced by ``pulumi destroy``, a renamed resource or a
replace-forcing change until someone runs ``pulumi state unprotect`` on purpose. The types are what
the components protect with ``webapp:protect`` (docs/reference/configuration.md): KMS keys,
secrets and their values, the image repository, the database (instance, or Aurora cluster and
its instances), the cache's replication group, and every S3 bucket (site, uploads, access logs).

Deliberately not required: parameter groups (the components protect them too, but they hold no
data and are rebuilt from code), subnet and security groups, log groups (their retention is the
retention rules' business), and the S3 side resources (deleting one does not delete objects).
"""

from collections.abc import Iterator

from ._framework import Resource, Rule, Severity, resource_rule

KMS_KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
CACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
S3_BUCKET = "aws:s3/bucket:Bucket"

STATEFUL_TYPES = (
    KMS_KEY,
    SECRET,
    SECRET_VERSION,
    RDS_INSTANCE,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    CACHE_REPLICATION_GROUP,
    CACHE_CLUSTER,
    ECR_REPOSITORY,
    S3_BUCKET,
)


@resource_rule(
    "stateful-resources-protected",
    types=STATEFUL_TYPES,
    controls=["webapp"],
    severity=Severity.HIGH,
    description="Keys, secrets, databases, caches, image repositories and buckets carry Pulumi protect.",
    production_only=True,
)
def stateful_resources_protected(resource: Resource) -> Iterator[str]:
    if not resource.protect:
        yield (
            "protect is false: set webapp:protect to true so a destroy or a replacement cannot delete "
            "its data without `pulumi state unprotect`"
        )


RULES: tuple[Rule, ...] = (stateful_resources_protected,)
