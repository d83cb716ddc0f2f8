"""Bad stack config stops the program before any resource exists, one exact line per problem."""

import pytest

from tests.harness import config_problems, dev_nat_gateway, network, stack_config


def problems_for(**overrides: object) -> list[str]:
    lines, registered = config_problems(stack_config("dev", **overrides))
    assert registered == [], "config errors must come before any resource is registered"
    return lines


def test_unknown_key_names_the_key_suggests_the_fix_and_lists_allowed_keys() -> None:
    assert problems_for(network={**network(), "azCuont": 3}) == [
        "webapp:network.azCuont = 3: unknown key (did you mean azCount?); allowed keys: azCount, "
        "cidrBlock, flowLogs, interfaceEndpoints, natInstanceAmi, natInstanceType, natStrategy, natType, "
        "subnetMasks"
    ]


def test_unknown_top_level_key_is_one_short_line() -> None:
    reference = "the keys are listed in docs/reference/configuration.md"
    assert problems_for(netwrok={"azCount": 2}) == [
        f'webapp:netwrok = {{"azCount": 2}}: unknown key (did you mean network?); {reference}'
    ]
    whole_mapping = {"azCount": 2, "cidrBlock": "10.0.0.0/16", "natStrategy": "single"}
    assert problems_for(netwrok=whole_mapping) == [
        f"webapp:netwrok = {{...}}: unknown key (did you mean network?); {reference}"
    ]
    assert problems_for(zzz="x" * 60) == [f'webapp:zzz = "{"x" * 40}...": unknown key; {reference}']


def test_unknown_key_of_a_named_worker_lists_the_worker_keys() -> None:
    celery = {"comand": ["celery", "worker"], "port": None, "healthCheck": {"enabled": False}}
    (line,) = problems_for(workers={"celery": celery})
    assert line.startswith(
        'webapp:workers.celery.comand = ["celery", "worker"]: unknown key (did you mean command?); '
        "allowed keys: architecture, autoscaling, capacity, command, cpu, "
    )


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            {"network": network(interfaceEndpoints="logs")},
            "webapp:network.interfaceEndpoints = \"logs\": must be a list of 'ecr.api', 'ecr.dkr', 'logs', "
            "'secretsmanager' or 'ssm', such as [\"logs\"]",
        ),
        (
            {"network": network(interfaceEndpoints=5)},
            "webapp:network.interfaceEndpoints = 5: must be a list of 'ecr.api', 'ecr.dkr', 'logs', "
            "'secretsmanager' or 'ssm', such as [\"ecr.api\"]",
        ),
        (
            {"uploads": {"corsMethods": "GET"}},
            "webapp:uploads.corsMethods = \"GET\": must be a list of 'GET', 'PUT', 'POST', 'DELETE' "
            "or 'HEAD', such as [\"GET\"]",
        ),
        (
            {"monitoring": {"emails": "ops@example.com"}},
            'webapp:monitoring.emails = "ops@example.com": must be a list of strings, '
            'such as ["ops@example.com"]',
        ),
        (
            {
                "workers": {
                    "celery": {
                        "command": "celery -A app worker",
                        "port": None,
                        "healthCheck": {"enabled": False},
                    }
                }
            },
            'webapp:workers.celery.command = "celery -A app worker": must be a list of strings, '
            'such as ["celery", "-A", "app", "worker"]',
        ),
        (
            {"service": {"autoscaling": {"schedules": {"name": "night"}}}},
            'webapp:service.autoscaling.schedules = {"name": "night"}: '
            "must be a list of objects (key: value pairs)",
        ),
    ],
)
def test_a_list_key_given_something_else_says_what_the_list_holds(
    overrides: dict[str, object], line: str
) -> None:
    assert problems_for(**overrides) == [line]


def test_unknown_nested_key() -> None:
    assert problems_for(network=network(flowLogs={"retentionDays": 7, "retention": 7})) == [
        "webapp:network.flowLogs.retention = 7: unknown key (did you mean retentionDays?); allowed keys: "
        "maxAggregationInterval, retentionDays, trafficType"
    ]


def test_wrong_type() -> None:
    assert problems_for(network=network(azCount="three")) == [
        'webapp:network.azCount = "three": must be a valid integer, unable to parse string as an integer'
    ]


def test_object_expected() -> None:
    assert problems_for(network="7") == ['webapp:network = "7": must be an object (key: value pairs)']


@pytest.mark.parametrize("count", [1, 7])
def test_az_count_out_of_range(count: int) -> None:
    assert problems_for(network=network(azCount=count)) == [
        f"webapp:network.azCount = {count}: must be from 2 to 6: RDS and ElastiCache subnet groups and "
        "the load balancer need two AZs, and no region this stack targets has more than 6"
    ]


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("10.0.0.0/33", "must be an IPv4 network in CIDR notation, such as 10.0.0.0/16"),
        ("10.0.0.1/16", "must be an IPv4 network in CIDR notation, such as 10.0.0.0/16"),
        ("banana", "must be an IPv4 network in CIDR notation, such as 10.0.0.0/16"),
        (
            "10.0.0.0/8",
            "must have a prefix length from /16 to /24 (AWS allows /16 to /28; "
            "three tiers in two or more AZs need at least a /24)",
        ),
        ("8.8.0.0/16", "must lie in a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"),
    ],
)
def test_invalid_cidr(cidr: str, message: str) -> None:
    assert problems_for(network=network(cidrBlock=cidr)) == [
        f'webapp:network.cidrBlock = "{cidr}": {message}'
    ]


def test_subnets_that_do_not_fit_the_vpc() -> None:
    bad = network(cidrBlock="10.0.0.0/20", subnetMasks={"public": 24, "private": 22, "isolated": 24})
    assert problems_for(network=bad) == [
        'webapp:network.subnetMasks = {"isolated": 24, "private": 22, "public": 24}: do not fit: '
        "/24 public + /22 private + /24 isolated need 1536 addresses per AZ, but 10.0.0.0/20 cut into "
        "4 AZ blocks gives each AZ a /22 (1024 addresses)"
    ]


def test_subnet_larger_than_an_az_block() -> None:
    bad = network(subnetMasks={"public": 24, "private": 17, "isolated": 24})
    assert problems_for(network=bad) == [
        'webapp:network.subnetMasks = {"isolated": 24, "private": 17, "public": 24}: do not fit: '
        "a /17 private subnet is larger than the /18 block each of 2 AZs gets from 10.0.0.0/16 "
        "(the VPC is cut into 4 AZ blocks)"
    ]


def test_subnet_mask_out_of_range() -> None:
    bad = network(subnetMasks={"public": 29, "private": 20, "isolated": 24})
    assert problems_for(network=bad) == [
        "webapp:network.subnetMasks.public = 29: must be less than or equal to 28"
    ]


def test_nat_strategy_that_does_not_exist() -> None:
    assert problems_for(network=network(natStrategy="perAz")) == [
        "webapp:network.natStrategy = \"perAz\": must be 'none', 'single' or 'onePerAz'"
    ]


def test_no_nat_without_the_endpoints_fargate_needs() -> None:
    no_nat = dev_nat_gateway(natStrategy="none", interfaceEndpoints=["logs"])
    assert problems_for(network=no_nat) == [
        'webapp:network.natStrategy = "none": without NAT, tasks in private subnets cannot pull images '
        'or ship logs: add ecr.api, ecr.dkr to interfaceEndpoints, or choose "single"'
    ]


def test_unknown_and_duplicate_interface_endpoints() -> None:
    assert problems_for(network=network(interfaceEndpoints=["s3"])) == [
        "webapp:network.interfaceEndpoints[0] = \"s3\": must be 'ecr.api', 'ecr.dkr', 'logs', "
        "'secretsmanager' or 'ssm'"
    ]
    assert problems_for(network=network(interfaceEndpoints=["logs", "logs"])) == [
        'webapp:network.interfaceEndpoints = ["logs", "logs"]: lists a service twice'
    ]


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    bad = network(flowLogs={"retentionDays": 10, "trafficType": "ALL", "maxAggregationInterval": 600})
    assert problems_for(network=bad) == [
        "webapp:network.flowLogs.retentionDays = 10: must be one of CloudWatch's retention periods in "
        "days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
        "2922, 3288, 3653"
    ]


def test_flow_log_traffic_type_and_interval() -> None:
    bad = network(flowLogs={"retentionDays": 7, "trafficType": "all", "maxAggregationInterval": 300})
    assert problems_for(network=bad) == [
        'webapp:network.flowLogs.trafficType = "all": must be "ALL", "ACCEPT" or "REJECT"',
        "webapp:network.flowLogs.maxAggregationInterval = 300: must be 60 or 600 (seconds)",
    ]


def test_reserved_and_invalid_tags() -> None:
    assert problems_for(tags={"stack": "other"}) == [
        'webapp:tags.stack = "other": is set by the program on every resource; reserved tag keys: '
        "project, stack, managed-by"
    ]
    assert problems_for(tags={"aws:owner": "me"}) == [
        'webapp:tags.aws:owner = "me": tag keys starting with aws: are reserved for AWS'
    ]


def test_missing_or_bad_region() -> None:
    assert problems_for(aws_region=None) == [
        "aws:region = missing: must be an AWS region name such as us-east-1 "
        "(set it with `pulumi config set aws:region us-east-1`)"
    ]
    assert problems_for(aws_region="mars-1") == [
        'aws:region = "mars-1": must be an AWS region name such as us-east-1 '
        "(set it with `pulumi config set aws:region us-east-1`)"
    ]


def test_every_problem_is_reported_at_once() -> None:
    lines = problems_for(
        aws_region=None, network=network(azCount=1, natStrategy="both"), tags={"project": "x"}
    )
    assert [line.split(" = ")[0] for line in lines] == [
        "aws:region",
        "webapp:tags.project",
        "webapp:network.azCount",
        "webapp:network.natStrategy",
    ]
