"""What must hold of the deploy workflow and the one-time bootstrap."""

import re

from conftest import as_list, statements


def test_deploy_runs_on_pushes_to_main_after_the_tests(deploy_workflow):
    triggers = deploy_workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    jobs = deploy_workflow["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml"
    assert jobs["deploy"]["needs"] == "test"


def test_one_deploy_runs_at_a_time_and_none_is_cancelled(deploy_workflow):
    concurrency = deploy_workflow["concurrency"]
    assert concurrency["group"].startswith("deploy-")
    assert concurrency["cancel-in-progress"] is False


def test_credentials_come_from_github_oidc_never_from_stored_keys(deploy_workflow, root):
    deploy = deploy_workflow["jobs"]["deploy"]
    assert deploy["permissions"]["id-token"] == "write"
    (login,) = [s for s in deploy["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert set(login["with"]) == {"role-to-assume", "aws-region"}
    text = (root / ".github" / "workflows" / "deploy.yml").read_text()
    assert "aws-access-key-id" not in text and "secrets.AWS" not in text


def test_index_html_is_uploaded_last_and_not_cached(root):
    script = (root / "scripts" / "publish-site.sh").read_text()
    immutable = script.index('--cache-control "public, max-age=31536000, immutable"')
    index = script.index('"$dist/index.html"')
    assert immutable < index
    assert "--exclude index.html" in script
    index_line = next(line for line in script.splitlines() if '"$dist/index.html"' in line)
    assert "--cache-control no-cache" in index_line
    assert script.index("create-invalidation") > index
    assert "/api/health" in script
    assert "/api/posts?limit=1" in script  # reaches DynamoDB over TLS: the CA bundle was found


def test_the_deploy_role_trusts_only_this_repository_environment(bootstrap):
    role = bootstrap["Resources"]["DeployRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = trust["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    subject = conditions["token.actions.githubusercontent.com:sub"]["Fn::Sub"]
    assert subject == "repo:${GitHubOwner}/${GitHubRepo}:environment:${DeployEnvironment}"


def test_the_deploy_role_can_pass_only_the_execution_role_and_only_to_cloudformation(bootstrap):
    passes = [
        s for s in statements(bootstrap["Resources"]["DeployRole"]) if "iam:PassRole" in as_list(s["Action"])
    ]
    (pass_role,) = passes
    assert pass_role["Resource"] == {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]}
    assert pass_role["Condition"]["StringEquals"]["iam:PassedToService"] == "cloudformation.amazonaws.com"


def test_the_deploy_role_changes_only_the_app_stack(bootstrap):
    for statement in statements(bootstrap["Resources"]["DeployRole"]):
        actions = as_list(statement["Action"])
        for action in actions:
            assert "*" not in action
        if statement["Resource"] == "*":
            assert set(actions) <= {"cloudformation:ValidateTemplate", "cloudformation:GetTemplateSummary"}


def test_no_long_lived_access_key_exists_anywhere(bootstrap, template):
    for document in (bootstrap, template):
        assert all(r["Type"] != "AWS::IAM::AccessKey" for r in document["Resources"].values())


def test_every_third_party_action_is_pinned_to_a_commit(root):
    for workflow in ["deploy.yml", "ci.yml"]:
        text = (root / ".github" / "workflows" / workflow).read_text()
        for action in re.findall(r"uses:\s*([^\s#]+)", text):
            if action.startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{workflow}: {action}"


def execution_statements(bootstrap):
    return statements(bootstrap["Resources"]["CloudFormationExecutionRole"])


ROLE_WRITES = {
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePermissionsBoundary",
}


def test_the_execution_role_writes_roles_only_with_the_app_boundary(bootstrap):
    for statement in execution_statements(bootstrap):
        actions = set(as_list(statement["Action"]))
        assert not any(a in ("iam:*", "*") for a in actions)
        if statement["Effect"] == "Allow" and actions & ROLE_WRITES:
            boundary = statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"]
            assert boundary == {"Ref": "AppRoleBoundary"}, statement["Sid"]


def test_the_boundary_can_be_neither_removed_nor_rewritten(bootstrap):
    denied = {
        action
        for statement in execution_statements(bootstrap)
        if statement["Effect"] == "Deny"
        for action in as_list(statement["Action"])
    }
    assert {
        "iam:DeleteRolePermissionsBoundary",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicy",
        "iam:AttachRolePolicy",
    } <= denied


def test_the_boundary_grants_no_iam_and_only_this_stacks_resources(bootstrap):
    document = bootstrap["Resources"]["AppRoleBoundary"]["Properties"]["PolicyDocument"]
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action and not action.startswith(("iam:", "sts:")), action
        for resource in as_list(statement["Resource"]):
            text = resource["Fn::Sub"] if isinstance(resource, dict) else resource
            assert text != "*"


def test_user_pool_and_distribution_writes_need_this_stacks_tag(bootstrap):
    for statement in execution_statements(bootstrap):
        actions = as_list(statement["Action"])
        touches = any(
            a.startswith("cognito-idp:") or (a.startswith("cloudfront:") and "Distribution" in a)
            for a in actions
        )
        if not touches or statement["Effect"] != "Allow":
            continue
        (key, value), = statement["Condition"]["StringEquals"].items()
        assert key in ("aws:ResourceTag/boardwalk:stack", "aws:RequestTag/boardwalk:stack"), statement["Sid"]
        assert value == {"Fn::Sub": "${AppName}-${Stage}"}


def test_the_deploy_passes_the_boundary_web_acl_and_stack_tag(root):
    text = (root / ".github" / "workflows" / "deploy.yml").read_text()
    assert '"PermissionsBoundaryArn=${{ vars.AWS_PERMISSIONS_BOUNDARY_ARN }}"' in text
    assert '"WebAclArn=${{ steps.waf.outputs.web_acl_arn }}"' in text
    assert "--region us-east-1" in text and "infra/waf.yaml" in text
    assert text.count('"boardwalk:stack=$APP_NAME-$STAGE"') == 2


def test_the_deploy_passes_the_appconfig_extension_layer(root):
    text = (root / ".github" / "workflows" / "deploy.yml").read_text()
    assert '"AppConfigExtensionLayerArn=${{ vars.BOARDWALK_APPCONFIG_EXTENSION_LAYER_ARN }}"' in text


def test_appconfig_gets_only_the_alarm_reader_and_the_boundary_lets_it_read_the_alarm(bootstrap):
    execution = bootstrap["Resources"]["CloudFormationExecutionRole"]
    statements = {
        s["Sid"]: s
        for policy in execution["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    }
    passed = statements["PassTheAlarmReaderToAppConfig"]
    assert passed["Condition"] == {"StringEquals": {"iam:PassedToService": "appconfig.amazonaws.com"}}
    boundary = bootstrap["Resources"]["AppRoleBoundary"]["Properties"]["PolicyDocument"]["Statement"]
    (alarm,) = [s for s in boundary if s["Sid"] == "OwnRollbackAlarm"]
    assert alarm["Action"] == "cloudwatch:DescribeAlarms"
