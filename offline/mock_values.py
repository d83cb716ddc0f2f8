"""The values AWS would compute, invented per resource type and per invoke for the offline mocks.

Each entry takes ``(name, inputs, region)`` and returns outputs in engine camelCase. Every value
is visibly fake (``mock`` in it, account 123456789012). Add a type here when a component reads an
output the provider computes (a DNS name, an ARN suffix); the mocks otherwise echo inputs.
"""

from collections.abc import Callable
from typing import Any

MOCK_ACCOUNT = "123456789012"
MOCK_AZS = ("a", "b", "c", "d", "e", "f")
# us-east-1's Elastic Load Balancing account, which must be allowed to write ALB access logs.
ELB_ACCOUNT_US_EAST_1 = "127311923021"

Outputs = Callable[[str, dict[str, Any], str], dict[str, Any]]


def _load_balancer(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    internal = "internal-" if inputs.get("internal") else ""
    return {
        "dnsName": f"{internal}{name}-mock.{region}.elb.amazonaws.com",
        "zoneId": "ZMOCKELBZONE",
        "arnSuffix": f"app/{name}/mock",
        "arn": f"arn:aws:elasticloadbalancing:{region}:{MOCK_ACCOUNT}:loadbalancer/app/{name}/mock",
    }


def _target_group(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "arnSuffix": f"targetgroup/{name}/mock",
        "arn": f"arn:aws:elasticloadbalancing:{region}:{MOCK_ACCOUNT}:targetgroup/{name}/mock",
    }


def _ecr_repository(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    repo = inputs.get("name") or f"{name}-mock"
    return {
        "repositoryUrl": f"{MOCK_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{repo}",
        "registryId": MOCK_ACCOUNT,
        "arn": f"arn:aws:ecr:{region}:{MOCK_ACCOUNT}:repository/{repo}",
    }


def _log_group(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    group = inputs.get("name") or f"{name}-mock"
    return {"arn": f"arn:aws:logs:{region}:{MOCK_ACCOUNT}:log-group:{group}"}


def _certificate(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    domain = inputs.get("domainName", "mock.example.com")
    # ACM reports one validation option per name: the domain, then each subject alternative name.
    names = [domain, *(inputs.get("subjectAlternativeNames") or [])]
    return {
        "domainValidationOptions": [
            {
                "domainName": dns_name,
                "resourceRecordName": f"_mock.{dns_name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": "_mock.acm-validations.aws.",
            }
            for dns_name in names
        ],
        "arn": f"arn:aws:acm:{region}:{MOCK_ACCOUNT}:certificate/mock-{name}",
    }


def _task_definition(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    family = inputs.get("family") or f"{name}-mock"
    arn = f"arn:aws:ecs:{region}:{MOCK_ACCOUNT}:task-definition/{family}"
    return {"revision": 1, "arn": f"{arn}:1", "arnWithoutRevision": arn}


def _ecs_cluster(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    cluster = inputs.get("name") or f"{name}-mock"
    return {"name": cluster, "arn": f"arn:aws:ecs:{region}:{MOCK_ACCOUNT}:cluster/{cluster}"}


def _kms_key(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    return {"keyId": f"mock-key-{name}", "arn": f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-key-{name}"}


def _secret(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    secret = inputs.get("name") or f"{name}-mock"
    return {"arn": f"arn:aws:secretsmanager:{region}:{MOCK_ACCOUNT}:secret:{secret}-MoCk12"}


def _bucket(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    bucket = inputs.get("bucket") or f"{name}-mock"
    return {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
    }


def _iam_role(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    role = inputs.get("name") or f"{name}-mock"
    return {"name": role, "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:role/{role}"}  # IAM ARNs have no region


def _route53_record(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    # Route 53 reports the record name it stored, fully qualified and without the trailing dot.
    return {"fqdn": str(inputs.get("name") or f"{name}.mock.example.com").rstrip(".")}


def _rds_master_secret(kind: str, name: str, inputs: dict[str, Any], region: str) -> list[dict[str, Any]]:
    # RDS names the secrets it manages rds!db-<uuid> / rds!cluster-<uuid>; replicas have none.
    if not inputs.get("manageMasterUserPassword"):
        return []
    arn = f"arn:aws:secretsmanager:{region}:{MOCK_ACCOUNT}:secret:rds!{kind}-mock-{name}-MoCk12"
    key = inputs.get("masterUserSecretKmsKeyId") or f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/mock-aws-rds"
    return [{"secretArn": arn, "kmsKeyId": key, "secretStatus": "active"}]


def _rds_instance(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    identifier = inputs.get("identifier") or f"{name}-mock"
    address = f"{identifier}.mock.{region}.rds.amazonaws.com"
    return {
        "address": address,
        "endpoint": f"{address}:5432",
        "port": inputs.get("port") or 5432,
        "resourceId": f"db-MOCK-{name}",
        "arn": f"arn:aws:rds:{region}:{MOCK_ACCOUNT}:db:{identifier}",
        "masterUserSecrets": _rds_master_secret("db", name, inputs, region),
    }


def _rds_cluster(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    identifier = inputs.get("clusterIdentifier") or f"{name}-mock"
    return {
        "clusterIdentifier": identifier,
        "endpoint": f"{identifier}.cluster-mock.{region}.rds.amazonaws.com",
        "readerEndpoint": f"{identifier}.cluster-ro-mock.{region}.rds.amazonaws.com",
        "port": inputs.get("port") or 5432,
        "clusterResourceId": f"cluster-MOCK-{name}",
        "arn": f"arn:aws:rds:{region}:{MOCK_ACCOUNT}:cluster:{identifier}",
        "masterUserSecrets": _rds_master_secret("cluster", name, inputs, region),
    }


RESOURCE_OUTPUTS: dict[str, Outputs] = {
    "aws:iam/role:Role": _iam_role,
    # IAM ARNs have no region; an OIDC provider's ARN ends with its URL's host.
    "aws:iam/policy:Policy": lambda name, inputs, region: {
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:policy/{inputs.get('name') or f'{name}-mock'}",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda name, inputs, region: {
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:oidc-provider/"
        f"{str(inputs.get('url') or 'mock.example.com').removeprefix('https://')}",
    },
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:ecs/cluster:Cluster": _ecs_cluster,
    "aws:kms/key:Key": _kms_key,
    # ElastiCache endpoints: master./replica.<group id>.<hash>.<region code>.cache.amazonaws.com.
    "aws:elasticache/replicationGroup:ReplicationGroup": lambda name, inputs, region: {
        "replicationGroupId": inputs.get("replicationGroupId") or f"{name}-mock",
        "primaryEndpointAddress": f"master.{name}-mock.mock.{region}.cache.amazonaws.com",
        "readerEndpointAddress": f"replica.{name}-mock.mock.{region}.cache.amazonaws.com",
        "port": 6379,
    },
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:route53/record:Record": _route53_record,
    # The NAT instance's routes target its primary network interface, which EC2 creates.
    "aws:ec2/instance:Instance": lambda name, inputs, region: {
        "primaryNetworkInterfaceId": f"eni-mock-{name}",
        "publicIp": "198.51.100.10",  # TEST-NET-2: never a real address
    },
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    # A trail's ARN carries its home region, even for a multi-region trail.
    "aws:cloudtrail/trail:Trail": lambda name, inputs, region: {
        "arn": f"arn:aws:cloudtrail:{region}:{MOCK_ACCOUNT}:trail/{inputs.get('name') or name}",
    },
    # CloudFront is global: no region in the ARN; Z2FDTNDATAQYW2 is CloudFront's real alias zone.
    "aws:cloudfront/distribution:Distribution": lambda name, inputs, region: {
        "arn": f"arn:aws:cloudfront::{MOCK_ACCOUNT}:distribution/EMOCK-{name}",
        "domainName": f"dmock-{name}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
    },
    # Python dynamic resources all share this type: the CloudFront invalidation and the
    # bootstrap's Application Signals discovery.
    "pulumi-python:dynamic:Resource": lambda name, inputs, region: (
        {"invalidationId": f"IMOCK-{name}"} if "contentHash" in inputs else {"region": inputs.get("region")}
    ),
    "aws:cloudfront/vpcOrigin:VpcOrigin": lambda name, inputs, region: {
        "arn": f"arn:aws:cloudfront::{MOCK_ACCOUNT}:vpcorigin/vo_mock-{name}",
    },
    # WAFv2 web ACL ARNs: <regional|global>/webacl/<name>/<id>; CloudFront's ACLs are "global".
    "aws:wafv2/webAcl:WebAcl": lambda name, inputs, region: {
        "arn": f"arn:aws:wafv2:{region}:{MOCK_ACCOUNT}:"
        f"{'global' if inputs.get('scope') == 'CLOUDFRONT' else 'regional'}/webacl/"
        f"{inputs.get('name') or name}/mock-{name}",
    },
}


def invoke_answer(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """What an invoke returns offline; an unknown token is an error, never a silent ``{}``."""
    if token == "aws:index/getRegion:getRegion":
        return {"region": region, "name": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com",
                "description": "mock"}  # fmt: skip
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": MOCK_ACCOUNT, "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/mock",
                "userId": "MOCKUSERID", "id": MOCK_ACCOUNT}  # fmt: skip
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
                "id": "aws"}  # fmt: skip
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{region}{z}" for z in MOCK_AZS]
        return {"names": names, "zoneIds": [f"mock-az{i + 1}" for i in range(len(names))], "id": region}
    if token == "aws:route53/getZone:getZone":
        zone = str(args.get("name") or "mock.example.com").rstrip(".")
        return {"zoneId": "ZMOCKHOSTEDZONE", "name": zone, "id": "ZMOCKHOSTEDZONE", "nameServers": [],
                "arn": "arn:aws:route53:::hostedzone/ZMOCKHOSTEDZONE"}  # fmt: skip
    if token == "aws:elb/getServiceAccount:getServiceAccount":
        return {"id": ELB_ACCOUNT_US_EAST_1, "arn": f"arn:aws:iam::{ELB_ACCOUNT_US_EAST_1}:root"}
    if token == "aws:ec2/getSecurityGroup:getSecurityGroup":
        # Only lookup in use: the group CloudFront creates for VPC origins.
        return {"id": "sg-mock-cloudfront-vpc-origins", "name": "CloudFront-VPCOrigins-Service-SG",
                "vpcId": "vpc-mock", "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT}:security-group/"
                "sg-mock-cloudfront-vpc-origins", "description": "mock", "tags": {}}  # fmt: skip
    if token == "aws:ssm/getParameter:getParameter":
        # Only lookup in use: AWS's public "latest AMI" parameters.
        param = str(args.get("name") or "/mock")
        value = f"ami-mock-{param.rsplit('/', 1)[-1]}"
        return {"name": param, "value": value, "insecureValue": value, "type": "String", "version": 1,
                "arn": f"arn:aws:ssm:{region}::parameter{param}", "id": param}  # fmt: skip
    if token == "aws:ec2/getRouteTable:getRouteTable":
        # The route table awsx associates with a subnet: subnet-mock-private-1 -> rtb-mock-private-1.
        subnet = str(args.get("subnetId") or "subnet-mock")
        rtb = subnet.replace("subnet-", "rtb-", 1)
        return {"routeTableId": rtb, "id": rtb, "subnetId": subnet, "vpcId": "vpc-mock",
                "ownerId": MOCK_ACCOUNT, "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT}:route-table/{rtb}",
                "associations": [], "routes": [], "propagatingVgws": [], "tags": {}}  # fmt: skip
    raise NotImplementedError(f"offline mocks have no answer for invoke {token}")
