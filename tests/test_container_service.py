"""ContainerService on its own: task definition, service, security groups, IAM, autoscaling, config errors."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import ConfigError, validate_config
from components.compute.container_service import ContainerService
from components.compute.container_service_args import ContainerServiceArgs
from components.compute.fargate_task_size import Architecture
from components.core.wiring import ClusterRef, ImageRef, LoadBalancerTarget, SecretReference
from tests.harness import PlanResult, Registration, run_components

CLUSTER = ClusterRef("mock-cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/mock-cluster")
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/api"
IMAGE = ImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:abc", REPO_ARN)
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
APP_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-GhIjKl"
STRIPE_PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/webapp/dev/stripe"
SECRETS_KEY = "arn:aws:kms:us-east-1:123456789012:key/secrets"
PARAMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/params"
SECRETS = {
    "DATABASE_URL": SecretReference("secretsmanager", f"{DB_SECRET}:url::", DB_SECRET, SECRETS_KEY),
    "DATABASE_PASSWORD": SecretReference("secretsmanager", f"{DB_SECRET}:password::", DB_SECRET, SECRETS_KEY),
    "SESSION_KEY": SecretReference("secretsmanager", APP_SECRET, APP_SECRET),
    "STRIPE_API_KEY": SecretReference("ssm", STRIPE_PARAM, STRIPE_PARAM, PARAMS_KEY),
}
ALB_SG = "sg-mock-alb"
RESOURCE_LABEL = "app/web/mock/targetgroup/web/mock"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/mock"

TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULE = "aws:appautoscaling/scheduledAction:ScheduledAction"


def deploy(
    args: ContainerServiceArgs | None = None,
    *,
    name: str = "api",
    behind_load_balancer: bool = True,
    image: ImageRef = IMAGE,
    secrets: dict[str, SecretReference] | None = None,
) -> PlanResult:
    def build() -> None:
        target = None
        if behind_load_balancer:
            listener = aws.lb.Listener(
                "https",
                load_balancer_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/mock",
                port=443,
                protocol="HTTPS",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=TARGET_GROUP)
                ],
            )
            target = LoadBalancerTarget(TARGET_GROUP, ALB_SG, listener, RESOURCE_LABEL)
        service = ContainerService(
            name,
            args or ContainerServiceArgs(),
            cluster=CLUSTER,
            vpc_id="vpc-mock",
            subnet_ids=["subnet-a", "subnet-b"],
            image=image,
            secrets=SECRETS if secrets is None else secrets,
            load_balancer=target,
        )
        pulumi.export("serviceName", service.service_name)
        pulumi.export("securityGroupId", service.security_group_id)
        pulumi.export("logGroupName", service.log_group_name)
        pulumi.export("logGroupArn", service.log_group_arn)
        pulumi.export("taskFamily", service.task_family)
        pulumi.export("taskDefinitionArn", service.task_definition_arn)
        pulumi.export("executionRoleArn", service.execution_role_arn)
        pulumi.export("taskRoleArn", service.task_role_arn)
        pulumi.export("taskRoleName", service.task_role.name)

    return run_components(build)


def container(result: PlanResult, name: str = "api") -> dict[str, Any]:
    [only] = json.loads(result.one(TASK_DEF, f"{name}-task-def").inputs["containerDefinitions"])
    return only


def policy(result: PlanResult, name: str) -> dict[str, Any]:
    return json.loads(result.one(ROLE_POLICY, name).inputs["policy"])


def worker_args(**changes: Any) -> ContainerServiceArgs:
    base = {"port": None, "command": ["celery", "-A", "app", "worker"], "healthCheck": {"enabled": False}}
    return ContainerServiceArgs.model_validate({**base, **changes})


@pytest.fixture(scope="module")
def web() -> PlanResult:
    return deploy()


@pytest.fixture(scope="module")
def worker() -> PlanResult:
    return deploy(worker_args(), name="celery", behind_load_balancer=False)


# --- task definition ---------------------------------------------------------------------------


def test_container_definition_of_the_web_service(web: PlanResult) -> None:
    assert container(web) == {
        "name": "app",
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:abc",
        "essential": True,
        "portMappings": [{"containerPort": 8000, "protocol": "tcp", "name": "app-8000"}],
        "secrets": [
            {"name": "DATABASE_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
            {"name": "DATABASE_URL", "valueFrom": f"{DB_SECRET}:url::"},
            {"name": "SESSION_KEY", "valueFrom": APP_SECRET},
            {"name": "STRIPE_API_KEY", "valueFrom": STRIPE_PARAM},
        ],
        "readonlyRootFilesystem": True,
        "mountPoints": [{"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/webapp/dev/ecs/api",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "api",
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
        "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
        "stopTimeout": 30,
    }


def test_environment_is_sorted_and_secrets_never_land_in_it() -> None:
    args = ContainerServiceArgs(environment={"LOG_LEVEL": "info", "APP_ENV": "dev"})
    app = container(deploy(args))
    assert app["environment"] == [{"name": "APP_ENV", "value": "dev"}, {"name": "LOG_LEVEL", "value": "info"}]
    assert {e["name"] for e in app["environment"]}.isdisjoint(SECRETS)
    assert "arn:aws:secretsmanager" not in json.dumps(app["environment"])


def test_worker_container_has_its_command_and_no_port_or_health_check(worker: PlanResult) -> None:
    app = container(worker, "celery")
    assert app["command"] == ["celery", "-A", "app", "worker"]
    assert "portMappings" not in app
    assert "healthCheck" not in app
    assert app["logConfiguration"]["options"]["awslogs-group"] == "/webapp/dev/ecs/celery"


def test_user_and_scratch_paths() -> None:
    args = ContainerServiceArgs.model_validate({"user": "1000:1000", "scratchPaths": ["/tmp", "/app/cache"]})
    result = deploy(args)
    app = container(result)
    assert app["user"] == "1000:1000"
    assert app["mountPoints"] == [
        {"sourceVolume": "scratch-tmp", "containerPath": "/tmp", "readOnly": False},
        {"sourceVolume": "scratch-app-cache", "containerPath": "/app/cache", "readOnly": False},
    ]
    volumes = result.one(TASK_DEF).inputs["volumes"]
    assert volumes == [{"name": "scratch-tmp"}, {"name": "scratch-app-cache"}]


def test_no_container_health_check_by_default_for_api_or_worker(web: PlanResult) -> None:
    # No tool is in every image: a default command (curl) fails each task of a distroless image.
    assert "healthCheck" not in container(web)
    worker = deploy(
        ContainerServiceArgs.model_validate({"port": None, "command": ["celery", "worker"]}),
        name="celery",
        behind_load_balancer=False,
    )
    assert "healthCheck" not in container(worker, "celery")


@pytest.mark.parametrize("port", [8000, None])
def test_a_given_health_check_command_is_passed_exactly(port: int | None) -> None:
    command = ["CMD", "/app/bin/healthcheck", "--timeout", "2"]
    args = ContainerServiceArgs.model_validate(
        {"port": port, "healthCheck": {"command": command, "intervalSeconds": 10, "retries": 5}}
    )
    app = container(deploy(args, behind_load_balancer=port is not None))
    assert app["healthCheck"] == {
        "command": command,
        "interval": 10,
        "timeout": 5,
        "retries": 5,
        "startPeriod": 60,
    }


def test_enabled_false_turns_a_given_command_off() -> None:
    args = ContainerServiceArgs.model_validate(
        {"healthCheck": {"enabled": False, "command": ["CMD", "/app/bin/healthcheck"]}}
    )
    assert "healthCheck" not in container(deploy(args))


def test_hardening_is_never_loosened_by_defaults(web: PlanResult) -> None:
    app = container(web)
    assert "privileged" not in app
    assert "add" not in app["linuxParameters"]["capabilities"]
    assert "user" not in app  # the image's USER applies unless configured


def test_capabilities_can_be_kept_for_images_that_switch_users() -> None:
    app = container(deploy(ContainerServiceArgs(drop_all_capabilities=False)))
    assert app["linuxParameters"] == {"initProcessEnabled": True}


def test_task_definition(web: PlanResult) -> None:
    task = web.one(TASK_DEF, "api-task-def").inputs
    assert task["family"] == "webapp-dev-api"
    assert task["networkMode"] == "awsvpc"
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert task["executionRoleArn"] == "arn:aws:iam::123456789012:role/api-execution-mock"
    assert task["taskRoleArn"] == "arn:aws:iam::123456789012:role/api-task-mock"
    assert task["volumes"] == [{"name": "scratch-tmp"}]
    execution_policy = web.one(ROLE_POLICY, "api-execution")
    assert execution_policy.urn in web.one(TASK_DEF).dependencies


def test_task_size_and_architecture_follow_config() -> None:
    args = ContainerServiceArgs(cpu=1024, memory=3072, architecture=Architecture.X86_64)
    task = deploy(args).one(TASK_DEF).inputs
    assert (task["cpu"], task["memory"]) == ("1024", "3072")
    assert task["runtimePlatform"]["cpuArchitecture"] == "X86_64"


def test_log_group_and_outputs(web: PlanResult) -> None:
    group = web.one("aws:cloudwatch/logGroup:LogGroup", "api-logs").inputs
    assert group == {"name": "/webapp/dev/ecs/api", "retentionInDays": 7}
    assert web.outputs == {
        "serviceName": "api-svc-mock",
        "securityGroupId": "mock-api-sg",
        "logGroupName": "/webapp/dev/ecs/api",
        "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/webapp/dev/ecs/api",
        "taskFamily": "webapp-dev-api",
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp-dev-api:1",
        "executionRoleArn": "arn:aws:iam::123456789012:role/api-execution-mock",
        "taskRoleArn": "arn:aws:iam::123456789012:role/api-task-mock",
        "taskRoleName": "api-task-mock",
    }


def test_prod_log_retention() -> None:
    group = deploy(ContainerServiceArgs(log_retention_days=30)).one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["retentionInDays"] == 30


# --- service ---------------------------------------------------------------------------------


def test_service_runs_privately_on_spot_with_rolling_deployments(web: PlanResult) -> None:
    service = web.one(SERVICE, "api-svc")
    inputs = service.inputs
    assert inputs["cluster"] == CLUSTER.arn
    assert inputs["taskDefinition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp-dev-api:1"
    assert inputs["networkConfiguration"] == {
        "subnets": ["subnet-a", "subnet-b"],
        "securityGroups": ["mock-api-sg"],
        "assignPublicIp": False,
    }
    assert inputs["capacityProviderStrategies"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert "launchType" not in inputs
    assert inputs["platformVersion"] == "1.4.0"
    assert inputs["desiredCount"] == 1
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["deploymentMinimumHealthyPercent"] == 100
    assert inputs["deploymentMaximumPercent"] == 200
    assert inputs["enableExecuteCommand"] is False
    assert inputs["propagateTags"] == "SERVICE"
    assert inputs["enableEcsManagedTags"] is True
    assert inputs["waitForSteadyState"] is False
    assert inputs["forceNewDeployment"] is True
    assert service.ignore_changes == ["desiredCount"]


def test_web_service_registers_in_the_target_group_after_the_listener(web: PlanResult) -> None:
    service = web.one(SERVICE)
    assert service.inputs["loadBalancers"] == [
        {"containerName": "app", "containerPort": 8000, "targetGroupArn": TARGET_GROUP}
    ]
    assert service.inputs["healthCheckGracePeriodSeconds"] == 60
    assert web.one("aws:lb/listener:Listener").urn in service.dependencies
    assert web.one(INGRESS, "api-from-lb").urn in service.dependencies


def test_worker_service_has_no_load_balancer(worker: PlanResult) -> None:
    service = worker.one(SERVICE, "celery-svc")
    assert "loadBalancers" not in service.inputs
    assert "healthCheckGracePeriodSeconds" not in service.inputs
    # Only what its inputs reference: nothing waits for a listener or load balancer rules.
    assert sorted(urn.rsplit("::", 1)[1] for urn in service.dependencies) == ["celery-sg", "celery-task-def"]
    assert service.ignore_changes == ["desiredCount"]


@pytest.mark.parametrize(
    ("capacity", "strategy"),
    [
        ({"strategy": "spot"}, [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]),
        (
            {"strategy": "onDemand", "onDemandBase": 1},
            [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
        ),
        (
            {"strategy": "mixed", "onDemandBase": 2, "onDemandWeight": 1, "spotWeight": 3},
            [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3},
            ],
        ),
    ],
)
def test_capacity_provider_strategy_per_mode(
    capacity: dict[str, Any], strategy: list[dict[str, Any]]
) -> None:
    args = ContainerServiceArgs.model_validate({"capacity": capacity, "desiredCount": 2, "maxCount": 4})
    assert deploy(args).one(SERVICE).inputs["capacityProviderStrategies"] == strategy


def test_deployment_settings_follow_config() -> None:
    deployment = {
        "circuitBreakerRollback": False,
        "minimumHealthyPercent": 50,
        "maximumPercent": 150,
        "healthCheckGracePeriodSeconds": 120,
    }
    inputs = deploy(ContainerServiceArgs.model_validate({"deployment": deployment})).one(SERVICE).inputs
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": False}
    assert (inputs["deploymentMinimumHealthyPercent"], inputs["deploymentMaximumPercent"]) == (50, 150)
    assert inputs["healthCheckGracePeriodSeconds"] == 120


# --- security groups -------------------------------------------------------------------------


def test_web_security_group_admits_only_the_load_balancer(web: PlanResult) -> None:
    group = web.one("aws:ec2/securityGroup:SecurityGroup", "api-sg").inputs
    assert group == {"description": "ECS tasks of api", "vpcId": "vpc-mock", "tags": {"Name": "api-tasks"}}
    [ingress] = web.by_type(INGRESS)
    assert ingress.inputs == {
        "securityGroupId": "mock-api-sg",
        "description": "Load balancer to api on 8000",
        "ipProtocol": "tcp",
        "fromPort": 8000,
        "toPort": 8000,
        "referencedSecurityGroupId": ALB_SG,
    }
    egress = {r.name: r.inputs for r in web.by_type(EGRESS)}
    assert egress == {
        "api-https-out": {
            "securityGroupId": "mock-api-sg",
            "description": "HTTPS to AWS APIs and ECR, through NAT or VPC endpoints",
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrIpv4": "0.0.0.0/0",
        },
        "api-lb-egress": {
            "securityGroupId": ALB_SG,
            "description": "Load balancer to api tasks on 8000",
            "ipProtocol": "tcp",
            "fromPort": 8000,
            "toPort": 8000,
            "referencedSecurityGroupId": "mock-api-sg",
        },
    }


def test_worker_security_group_has_no_ingress(worker: PlanResult) -> None:
    assert worker.by_type(INGRESS) == []
    [egress] = worker.by_type(EGRESS)
    assert egress.name == "celery-https-out"
    assert (egress.inputs["securityGroupId"], egress.inputs["cidrIpv4"]) == ("mock-celery-sg", "0.0.0.0/0")


# --- IAM -------------------------------------------------------------------------------------


def test_execution_role_can_pull_this_image_write_its_logs_and_read_its_secrets(web: PlanResult) -> None:
    assert policy(web, "api-execution") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcrLogin",
                "Effect": "Allow",
                "Action": ["ecr:GetAuthorizationToken"],
                "Resource": ["*"],
            },
            {
                "Sid": "PullImage",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                ],
                "Resource": [REPO_ARN],
            },
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": ["arn:aws:logs:us-east-1:123456789012:log-group:/webapp/dev/ecs/api:*"],
            },
            {
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [APP_SECRET, DB_SECRET],
            },
            {
                "Sid": "ReadParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameters"],
                "Resource": [STRIPE_PARAM],
            },
            {
                "Sid": "DecryptSecrets",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [PARAMS_KEY, SECRETS_KEY],
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": [
                            "secretsmanager.us-east-1.amazonaws.com",
                            "ssm.us-east-1.amazonaws.com",
                        ]
                    }
                },
            },
        ],
    }
    assert web.one(ROLE_POLICY, "api-execution").inputs["role"] == "mock-api-execution"


def test_image_outside_ecr_gets_no_pull_grant_and_aws_managed_keys_no_decrypt() -> None:
    public = ImageRef("public.ecr.aws/nginx/nginx:1.27", None)
    secrets = {"SESSION_KEY": SecretReference("secretsmanager", APP_SECRET, APP_SECRET)}
    statements = policy(deploy(image=public, secrets=secrets), "api-execution")["Statement"]
    assert [s["Sid"] for s in statements] == ["WriteLogs", "ReadSecrets"]
    assert not any(a.startswith(("ecr:", "kms:")) for s in statements for a in s["Action"])


def test_kms_condition_names_only_the_services_in_use() -> None:
    secrets = {"STRIPE_API_KEY": SECRETS["STRIPE_API_KEY"]}
    [decrypt] = [
        s
        for s in policy(deploy(secrets=secrets), "api-execution")["Statement"]
        if s["Sid"] == "DecryptSecrets"
    ]
    assert decrypt["Resource"] == [PARAMS_KEY]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": ["ssm.us-east-1.amazonaws.com"]}}


def test_without_secrets_the_execution_role_only_pulls_and_logs() -> None:
    statements = policy(deploy(secrets={}), "api-execution")["Statement"]
    assert [s["Sid"] for s in statements] == ["EcrLogin", "PullImage", "WriteLogs"]
    assert "secrets" not in container(deploy(secrets={}))


@pytest.mark.parametrize("role", ["api-execution", "api-task"])
def test_roles_trust_only_ecs_tasks_of_this_account(web: PlanResult, role: str) -> None:
    trust = json.loads(web.one("aws:iam/role:Role", role).inputs["assumeRolePolicy"])
    assert trust == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    assert "managedPolicyArns" not in web.one("aws:iam/role:Role", role).inputs


def test_task_role_has_no_permissions_by_default(web: PlanResult) -> None:
    assert [r.name for r in web.by_type(ROLE_POLICY)] == ["api-execution"]


def test_ecs_exec_grants_exactly_the_session_channels() -> None:
    args = ContainerServiceArgs(enable_execute_command=True, readonly_root_filesystem=False)
    result = deploy(args)
    assert result.one(SERVICE).inputs["enableExecuteCommand"] is True
    assert container(result)["readonlyRootFilesystem"] is False
    grant = result.one(ROLE_POLICY, "api-ecs-exec")
    assert grant.inputs["role"] == "mock-api-task"
    assert grant.urn in result.one(SERVICE).dependencies
    assert json.loads(grant.inputs["policy"])["Statement"] == [
        {
            "Sid": "EcsExecChannels",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": ["*"],
        }
    ]


# --- autoscaling ------------------------------------------------------------------------------


def _tracking(result: PlanResult) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs["targetTrackingScalingPolicyConfiguration"] for r in result.by_type(POLICY)}


def test_scalable_target_spans_min_to_max(web: PlanResult) -> None:
    target = web.one("aws:appautoscaling/target:Target", "api-scaling").inputs
    assert target == {
        "serviceNamespace": "ecs",
        "scalableDimension": "ecs:service:DesiredCount",
        "resourceId": "service/mock-cluster/api-svc-mock",
        "minCapacity": 1,
        "maxCapacity": 2,
    }


def test_default_policies_track_cpu_and_memory(web: PlanResult) -> None:
    for registration in web.by_type(POLICY):
        assert registration.inputs["policyType"] == "TargetTrackingScaling"
        assert registration.inputs["resourceId"] == "service/mock-cluster/api-svc-mock"
        assert registration.inputs["scalableDimension"] == "ecs:service:DesiredCount"
        assert registration.inputs["serviceNamespace"] == "ecs"
    assert _tracking(web) == {
        "api-cpu": {
            "targetValue": 70,
            "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "scaleInCooldown": 300,
            "scaleOutCooldown": 60,
        },
        "api-memory": {
            "targetValue": 80,
            "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageMemoryUtilization"},
            "scaleInCooldown": 300,
            "scaleOutCooldown": 60,
        },
    }


def test_request_count_policy_uses_the_load_balancer_label() -> None:
    autoscaling = {"memoryTarget": None, "requestsPerTarget": 500, "scaleInCooldownSeconds": 600}
    args = ContainerServiceArgs.model_validate({"maxCount": 6, "autoscaling": autoscaling})
    result = deploy(args)
    tracking = _tracking(result)
    assert sorted(tracking) == ["api-cpu", "api-requests"]
    assert tracking["api-requests"] == {
        "targetValue": 500,
        "predefinedMetricSpecification": {
            "predefinedMetricType": "ALBRequestCountPerTarget",
            "resourceLabel": RESOURCE_LABEL,
        },
        "scaleInCooldown": 600,
        "scaleOutCooldown": 60,
    }
    assert result.one("aws:appautoscaling/target:Target").inputs["maxCapacity"] == 6


def test_schedules_become_scheduled_actions() -> None:
    schedules = [
        {
            "name": "night",
            "schedule": "cron(0 20 ? * * *)",
            "timezone": "Europe/Berlin",
            "minCount": 0,
            "maxCount": 0,
        },
        {"name": "morning", "schedule": "cron(0 7 ? * MON-FRI *)", "minCount": 1, "maxCount": 2},
    ]
    result = deploy(ContainerServiceArgs.model_validate({"autoscaling": {"schedules": schedules}}))
    actions = {r.name: r.inputs for r in result.by_type(SCHEDULE)}
    assert actions["api-schedule-night"] == {
        "name": "api-night",
        "serviceNamespace": "ecs",
        "scalableDimension": "ecs:service:DesiredCount",
        "resourceId": "service/mock-cluster/api-svc-mock",
        "schedule": "cron(0 20 ? * * *)",
        "timezone": "Europe/Berlin",
        "scalableTargetAction": {"minCapacity": 0, "maxCapacity": 0},
    }
    assert actions["api-schedule-morning"]["timezone"] == "UTC"
    assert actions["api-schedule-morning"]["scalableTargetAction"] == {"minCapacity": 1, "maxCapacity": 2}


def test_everything_is_a_child_of_the_component(web: PlanResult) -> None:
    component = web.one("webapp:index:ContainerService", "api")
    listener = web.one("aws:lb/listener:Listener")
    children: list[Registration] = [r for r in web.resources if r not in (component, listener)]
    assert children and all(r.parent == component.urn for r in children)


# --- wiring errors ------------------------------------------------------------------------------


def test_load_balancer_needs_a_port() -> None:
    args = worker_args()
    with pytest.raises(ValueError, match=r"^api: port is required behind a load balancer"):
        deploy(args)


def test_request_count_scaling_needs_a_load_balancer() -> None:
    args = worker_args(autoscaling={"requestsPerTarget": 100})
    with pytest.raises(ValueError) as raised:
        deploy(args, name="celery", behind_load_balancer=False)
    assert str(raised.value) == (
        "celery: autoscaling.requestsPerTarget needs a load balancer, and this service has none; "
        "remove it or scale on cpuTarget/memoryTarget"
    )


def test_environment_name_that_is_also_a_secret() -> None:
    args = ContainerServiceArgs(environment={"DATABASE_URL": "postgres://localhost/app"})
    with pytest.raises(ValueError) as raised:
        deploy(args)
    assert str(raised.value) == (
        "api: DATABASE_URL is set both in environment and as a secret; keep it only in webapp:secrets"
    )


def test_secret_names_must_be_variable_names() -> None:
    with pytest.raises(ValueError) as raised:
        deploy(secrets={"db-url": SECRETS["DATABASE_URL"]})
    assert str(raised.value) == (
        "api: secret names must be environment variable names (letters, digits, _): db-url"
    )


# --- config errors ------------------------------------------------------------------------------


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        validate_config(ContainerServiceArgs, data, "webapp:service")
    return raised.value.problems


def test_defaults_are_the_dev_profile() -> None:
    args = validate_config(ContainerServiceArgs, {}, "webapp:service")
    assert args == ContainerServiceArgs()
    assert (args.cpu, args.memory, args.architecture, args.port) == (256, 512, "ARM64", 8000)
    assert (args.desired_count, args.min_count, args.max_count) == (1, 1, 2)
    assert (args.capacity.strategy, args.log_retention_days, args.enable_execute_command) == (
        "spot",
        7,
        False,
    )


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"cpu": 256, "memory": 4096},
            "webapp:service.memory = 4096: does not fit cpu 256: Fargate allows 512, 1024 or 2048 MiB "
            "with it",
        ),
        (
            {"cpu": 4096, "memory": 4096},
            "webapp:service.memory = 4096: does not fit cpu 4096: Fargate allows 8192 to 30720 MiB in steps "
            "of 1024 with it",
        ),
        (
            {"cpu": 8192, "memory": 18432},
            "webapp:service.memory = 18432: does not fit cpu 8192: Fargate allows 16384 to 61440 MiB in "
            "steps of 4096 with it",
        ),
        (
            {"cpu": 300},
            "webapp:service.cpu = 300: must be one of Fargate's CPU sizes (units, 1024 = 1 vCPU): 256, 512, "
            "1024, 2048, 4096, 8192, 16384",
        ),
        (
            {"minCount": 3, "desiredCount": 2, "maxCount": 2},
            "webapp:service.minCount = 3: must not exceed maxCount (2)",
        ),
        ({"desiredCount": 5}, "webapp:service.desiredCount = 5: must be from minCount (1) to maxCount (2)"),
        (
            {"minCount": 2, "desiredCount": 1, "maxCount": 3},
            "webapp:service.desiredCount = 1: must be from minCount (2) to maxCount (3)",
        ),
        (
            {"capacity": {"strategy": "cheap"}},
            "webapp:service.capacity.strategy = \"cheap\": must be 'spot', 'onDemand' or 'mixed'",
        ),
        (
            {"capacity": {"strategy": "mixed", "onDemandBase": 3}},
            "webapp:service.capacity.onDemandBase = 3: must not exceed maxCount (2)",
        ),
        (
            {"capacity": {"onDemandBase": 1}},
            'webapp:service.capacity.onDemandBase = 1: only applies to strategy "onDemand" or "mixed"; '
            '"spot" runs every task on FARGATE_SPOT',
        ),
        (
            {"capacity": {"strategy": "mixed", "onDemandWeight": 0, "spotWeight": 0}},
            "webapp:service.capacity.spotWeight = 0: must be above 0 when onDemandWeight is 0: ECS needs a "
            "provider with weight",
        ),
        (
            {"environment": {"DB_PASSWORD": "hunter2"}},
            'webapp:service.environment.DB_PASSWORD = "<redacted>": looks like a credential (the name '
            "contains PASSWORD); environment values are readable by anyone who can describe the task "
            "definition: put it in webapp:secrets instead",
        ),
        (
            {"environment": {"github_token": "ghp_x"}},
            'webapp:service.environment.github_token = "<redacted>": looks like a credential (the name '
            "contains TOKEN); environment values are readable by anyone who can describe the task "
            "definition: put it in webapp:secrets instead",
        ),
        (
            {"environment": {"1X": "a"}},
            'webapp:service.environment.1X = "a": must be letters, digits and _, not led by a digit',
        ),
        (
            {"user": "root"},
            'webapp:service.user = "root": must not be root (uid 0): use the image\'s unprivileged user, '
            "e.g. 1000:1000",
        ),
        (
            {"user": "0:1000"},
            'webapp:service.user = "0:1000": must not be root (uid 0): use the image\'s unprivileged user, '
            "e.g. 1000:1000",
        ),
        (
            {"user": "app user"},
            'webapp:service.user = "app user": must be "uid", "uid:gid" or a user name from the image, e.g. '
            '"1000:1000"',
        ),
        ({"port": 0}, "webapp:service.port = 0: must be greater than or equal to 1"),
        ({"architecture": "arm64"}, "webapp:service.architecture = \"arm64\": must be 'ARM64' or 'X86_64'"),
        (
            {"healthCheck": {"path": "/health"}},
            'webapp:service.healthCheck.path = "/health": is no longer used: the container check runs '
            'only a healthCheck.command you give (e.g. ["CMD", "/app/healthcheck"]), because no tool '
            "such as curl is in every image; the load balancer checks loadBalancer.healthCheck.path",
        ),
        (
            {"healthCheck": {"command": ["curl", "localhost"]}},
            'webapp:service.healthCheck.command = ["curl", "localhost"]: must start with "CMD" or '
            '"CMD-SHELL" followed by the command',
        ),
        (
            {"healthCheck": {"enabled": True}},
            "webapp:service.healthCheck.command = null: must be set when healthCheck.enabled is true: the "
            'check runs a command inside the image (e.g. ["CMD", "/app/healthcheck"]) and no tool is in '
            "every image; or leave enabled unset",
        ),
        (
            {"enableExecuteCommand": True},
            "webapp:service.enableExecuteCommand = true: needs readonlyRootFilesystem false: the ECS Exec "
            "agent writes into the container's root filesystem (keep both to dev)",
        ),
        (
            {"deployment": {"minimumHealthyPercent": 100, "maximumPercent": 100}},
            "webapp:service.deployment.maximumPercent = 100: must be greater than minimumHealthyPercent "
            "(100), or a deployment can neither start a new task nor stop an old one",
        ),
        (
            {"scratchPaths": ["tmp"]},
            "webapp:service.scratchPaths = [\"tmp\"]: 'tmp' must be an absolute path below /, such as /tmp "
            "(letters, digits, . _ -)",
        ),
        (
            {"scratchPaths": ["/tmp", "/tmp"]},
            'webapp:service.scratchPaths = ["/tmp", "/tmp"]: lists a path twice',
        ),
        (
            {"logRetentionDays": 10},
            "webapp:service.logRetentionDays = 10: must be one of CloudWatch's retention periods in days: "
            "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
            "3288, 3653",
        ),
        (
            {"autoscaling": {"cpuTarget": 99}},
            "webapp:service.autoscaling.cpuTarget = 99: must be less than or equal to 95",
        ),
    ],
)
def test_config_error_lines(data: dict[str, Any], line: str) -> None:
    assert problems(data) == [line]


def _schedule(**changes: Any) -> dict[str, Any]:
    return {"autoscaling": {"schedules": [{"name": "night", "minCount": 0, "maxCount": 0, **changes}]}}


@pytest.mark.parametrize("expression", ["every day", "cron(0 20 * * ?)", "rate(0 minutes)", "at(2030-01-01)"])
def test_bad_schedule_expression(expression: str) -> None:
    assert problems(_schedule(schedule=expression)) == [
        f'webapp:service.autoscaling.schedules[0].schedule = "{expression}": must be cron(<6 fields>), '
        'rate(<n> minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss), e.g. "cron(0 8 ? * MON-FRI *)"'
    ]


@pytest.mark.parametrize(
    "expression", ["cron(0 20 ? * MON-FRI *)", "rate(5 minutes)", "rate(1 hour)", "at(2030-01-01T06:00:00)"]
)
def test_good_schedule_expressions(expression: str) -> None:
    args = validate_config(ContainerServiceArgs, _schedule(schedule=expression), "webapp:service")
    assert args.autoscaling.schedules[0].schedule == expression


def test_schedule_bounds_timezone_and_names() -> None:
    assert problems(_schedule(schedule="rate(1 day)", minCount=2, maxCount=1)) == [
        "webapp:service.autoscaling.schedules[0].minCount = 2: must not exceed maxCount (1)"
    ]
    assert problems(_schedule(schedule="rate(1 day)", timezone="Europe Berlin")) == [
        'webapp:service.autoscaling.schedules[0].timezone = "Europe Berlin": must be an IANA time zone name '
        'such as "UTC" or "Europe/Berlin"'
    ]
    twice = {"name": "n", "schedule": "rate(1 day)", "minCount": 0, "maxCount": 1}
    assert problems({"autoscaling": {"schedules": [twice, twice]}}) == [
        "webapp:service.autoscaling.schedules = "
        + json.dumps([dict(sorted(twice.items()))] * 2)
        + ": use each schedule name once"
    ]


def test_every_problem_is_reported_at_once() -> None:
    lines = problems({"cpu": 300, "port": 70000, "capacity": {"strategy": "cheap"}})
    assert [line.split(" = ")[0] for line in lines] == [
        "webapp:service.cpu",
        "webapp:service.port",
        "webapp:service.capacity.strategy",
    ]
