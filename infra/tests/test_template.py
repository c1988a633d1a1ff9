"""What must hold of infra/template.yaml, beyond what cfn-lint and checkov check."""

import re

from conftest import ROOT, as_list, rust_sources, rust_string_constant, statements

# Managed CloudFront policies (IDs are fixed by AWS).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

# SDK client calls in server/src/adapters and the IAM action each needs.
SDK_CALL_ACTIONS = {
    "update_item": "dynamodb:UpdateItem",
    "put_item": "dynamodb:PutItem",
    "get_item": "dynamodb:GetItem",
    "delete_item": "dynamodb:DeleteItem",
    "query": "dynamodb:Query",
    "admin_get_user": "cognito-idp:AdminGetUser",
    "batch_get_item": "dynamodb:BatchGetItem",
    "batch_write_item": "dynamodb:BatchWriteItem",
    "post_to_connection": "execute-api:ManageConnections",
    "get_object": "s3:GetObject",
    "put_object": "s3:PutObject",
    "delete_object": "s3:DeleteObject",
}

# Granted for how S3 answers, not for a call: with it a missing object is a 404, not a 403.
ANSWER_SHAPING_ACTIONS = {"get_object": "s3:ListBucket"}

# Called as the function by the AppConfig Lambda extension, which the flags adapter reads.
EXTENSION_ACTIONS = {"appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"}

# Items of a transaction (`TransactWriteItems` has no IAM action of its own: each item needs
# its own action).
TRANSACTION_ITEM_ACTIONS = {
    "Put::builder()": "dynamodb:PutItem",
    "Update::builder()": "dynamodb:UpdateItem",
    "Delete::builder()": "dynamodb:DeleteItem",
    "ConditionCheck::builder()": "dynamodb:ConditionCheckItem",
}

# Variables the stack must not set: the local server's own, and overrides that point the AWS
# adapters at an emulator.
LOCAL_ONLY_VARIABLES = {
    "BOARDWALK_ADDR",
    "BOARDWALK_DATA_DIR",
    "BOARDWALK_SITE_DIR",
    "BOARDWALK_REFRESH_REUSE_GRACE_SECS",
    "BOARDWALK_AWS_ENDPOINT_URL",
    "BOARDWALK_TOKEN_ISSUER",
    "BOARDWALK_JWKS_URL",
    "BOARDWALK_LOCAL_HOSTS",
}


def distribution_config(resources):
    return resources["Distribution"]["Properties"]["DistributionConfig"]


def api_behaviour(resources):
    (behaviour,) = [
        b for b in distribution_config(resources)["CacheBehaviors"] if b["PathPattern"] == "/api/*"
    ]
    return behaviour


def media_behaviour(resources):
    (behaviour,) = [
        b for b in distribution_config(resources)["CacheBehaviors"] if b["PathPattern"] == "/media/*"
    ]
    return behaviour


def media_bucket_name():
    """The media bucket's name as the template spells it (the origin names it, not refers)."""
    return "${AppName}-${Stage}-media-${AWS::AccountId}"


def test_the_site_bucket_blocks_every_kind_of_public_access(resources):
    bucket = resources["SiteBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]


def test_the_site_bucket_admits_only_this_distribution_through_its_origin_access_control(resources):
    allows = [
        s
        for s in resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source_arn = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source_arn.endswith(":distribution/${Distribution}")

    (site_origin,) = [o for o in distribution_config(resources)["Origins"] if o["Id"] == "site"]
    assert site_origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert site_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    oac = resources["SiteOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["SigningProtocol"], oac["SigningBehavior"]) == ("sigv4", "always")


def test_the_api_behaviour_is_never_cached_and_forwards_cookies_headers_and_queries(resources):
    behaviour = api_behaviour(resources)
    assert behaviour["TargetOriginId"] == "api"
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert {"GET", "POST", "PUT", "DELETE", "OPTIONS"} <= set(behaviour["AllowedMethods"])
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert "FunctionAssociations" not in behaviour


def test_public_post_reads_are_cached_only_as_the_api_says_and_never_across_people(resources):
    behaviours = distribution_config(resources)["CacheBehaviors"]
    patterns = [b["PathPattern"] for b in behaviours]
    # CloudFront takes the first pattern that matches: the post paths must come before /api/*.
    assert patterns.index("/api/posts") < patterns.index("/api/*")
    assert patterns.index("/api/posts/*") < patterns.index("/api/*")
    for pattern in ["/api/posts", "/api/posts/*"]:
        (behaviour,) = [b for b in behaviours if b["PathPattern"] == pattern]
        assert behaviour["TargetOriginId"] == "api"
        assert behaviour["CachedMethods"] == ["GET", "HEAD"], "writes are never cached"
        assert {"GET", "POST", "PUT", "DELETE"} <= set(behaviour["AllowedMethods"])
        assert behaviour["CachePolicyId"] == {"Ref": "PublicReadsCachePolicy"}
        assert behaviour["OriginRequestPolicyId"] == {"Ref": "PublicReadsOriginRequestPolicy"}
        assert "FunctionAssociations" not in behaviour
    cache = resources["PublicReadsCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert cache["DefaultTTL"] == 0, "nothing is cached unless the response says max-age"
    assert cache["MinTTL"] == 0
    key = cache["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    # A response fetched with a token is keyed on it, so nobody else is ever served it.
    assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert key["EnableAcceptEncodingBrotli"] and key["EnableAcceptEncodingGzip"]
    forwarded = resources["PublicReadsOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
    assert forwarded["CookiesConfig"] == {"CookieBehavior": "none"}
    assert "Host" not in forwarded["HeadersConfig"]["Headers"]
    assert "Cookie" not in forwarded["HeadersConfig"]["Headers"]
    # The API's own Cache-Control values, read from the code, are what CloudFront follows.
    caching = (ROOT / "server/src/http/caching.rs").read_text()
    assert '"public, max-age=5, stale-while-revalidate=30"' in caching
    assert '"public, no-cache"' in caching


def test_spa_routing_never_turns_api_errors_into_index_html(resources):
    config = distribution_config(resources)
    assert "CustomErrorResponses" not in config
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "site"
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    code = resources["SpaRoutingFunction"]["Properties"]["FunctionCode"]
    assert "/index.html" in code


def test_viewers_are_held_to_https(resources):
    config = distribution_config(resources)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (api_origin,) = [o for o in config["Origins"] if o["Id"] == "api"]
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_the_security_headers_policy_matches_the_local_server(resources):
    headers = resources["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    csp = " ".join(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"].split())
    socket = " wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com"
    uploads = " https://${AppName}-${Stage}-media-${AWS::AccountId}.s3.${AWS::Region}.amazonaws.com"
    assert socket in csp, "the chat socket's origin is allowed"
    assert uploads in csp, "browsers may post uploads to the media bucket"
    local = rust_string_constant("server/src/http/middleware.rs", "CONTENT_SECURITY_POLICY")
    assert csp.replace(socket, "").replace(uploads, "") == local
    assert "'wasm-unsafe-eval'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    for behaviour in [
        distribution_config(resources)["DefaultCacheBehavior"],
        api_behaviour(resources),
        media_behaviour(resources),
    ]:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}


def test_the_lambda_role_has_no_wildcard_action_or_resource(resources):
    for statement in statements(resources["ApiFunctionRole"]):
        for action in as_list(statement["Action"]):
            assert "*" not in action, action
        for resource in as_list(statement["Resource"]):
            assert resource != "*", statement
    assert "ManagedPolicyArns" not in resources["ApiFunctionRole"]["Properties"]


def test_the_lambda_role_allows_exactly_the_sdk_calls_the_code_makes(resources):
    granted = {
        action
        for statement in statements(resources["ApiFunctionRole"])
        for action in as_list(statement["Action"])
        if not action.startswith("logs:")
    }
    source = rust_sources("server/src/adapters")
    called = {action for call, action in SDK_CALL_ACTIONS.items() if f".{call}()" in source}
    if ".transact_write_items()" in source:
        called |= {action for item, action in TRANSACTION_ITEM_ACTIONS.items() if item in source}
    called |= {action for call, action in ANSWER_SHAPING_ACTIONS.items() if f".{call}()" in source}
    if "impl FeatureFlags for AppConfigFlags" in source:
        called |= EXTENSION_ACTIONS
    assert called, "the adapters make no SDK call this test knows; extend SDK_CALL_ACTIONS"
    assert granted == called


def test_every_table_is_retained_recoverable_encrypted_and_on_demand(resources):
    tables = {name: r for name, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"}
    assert tables
    for name, table in tables.items():
        assert table["DeletionPolicy"] == "Retain", name
        assert table["UpdateReplacePolicy"] == "Retain", name
        properties = table["Properties"]
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert properties["SSESpecification"]["SSEEnabled"] is True
        assert properties["BillingMode"] == "PAY_PER_REQUEST"


def test_every_variable_the_server_reads_in_aws_mode_is_set_by_the_stack(resources):
    read = set(re.findall(r'"(BOARDWALK_[A-Z_]+)"', (rust_sources("server/src"))))
    assert "BOARDWALK_COUNTERS_TABLE" in read
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["BOARDWALK_MODE"] == "aws"
    assert read - LOCAL_ONLY_VARIABLES == {v for v in variables if v.startswith("BOARDWALK_")}


def test_the_lambda_is_an_arm64_custom_runtime_with_bounded_concurrency_and_logs(resources):
    function = resources["ApiFunction"]["Properties"]
    assert (function["Runtime"], function["Architectures"], function["Handler"]) == (
        "provided.al2023",
        ["arm64"],
        "bootstrap",
    )
    assert function["MemorySize"] == {"Ref": "LambdaMemoryMb"}
    assert function["Timeout"] == {"Ref": "LambdaTimeoutSeconds"}
    assert function["ReservedConcurrentExecutions"] == {"Ref": "LambdaReservedConcurrency"}
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "ApiFunctionLogGroup"}
    assert resources["ApiFunctionLogGroup"]["Properties"]["RetentionInDays"] == {
        "Ref": "LogRetentionDays"
    }
    integration = resources["HttpApiIntegration"]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"]["Fn::Sub"].endswith(":function:${AppName}-${Stage}-api")
    assert function["FunctionName"] == {"Fn::Sub": "${AppName}-${Stage}-api"}
    permission = resources["ApiInvokedByHttpApi"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"


def test_the_http_api_stage_is_throttled(resources):
    route = resources["HttpApiStage"]["Properties"]["DefaultRouteSettings"]
    assert route["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRatePerSecond"}
    assert route["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}


def account_attempt_paths() -> set:
    """The paths the function's per-address budget covers (server/src/http/throttle.rs)."""
    source = (ROOT / "server" / "src" / "http" / "throttle.rs").read_text()
    block = re.search(r"const ACCOUNT_ATTEMPTS: &\[&str\] = &\[(.*?)\];", source, re.DOTALL)
    assert block, "ACCOUNT_ATTEMPTS not found"
    return set(re.findall(r'"(/api/[^"]+)"', block.group(1)))


def test_the_account_routes_are_throttled_apart_from_everything_else(resources):
    paths = account_attempt_paths()
    assert "/api/auth/login" in paths and "/api/fn/sign_up" in paths
    expected = {f"POST {path}" for path in paths}
    routes = {
        r["Properties"]["RouteKey"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert expected <= routes
    settings = resources["HttpApiStage"]["Properties"]["RouteSettings"]
    assert set(settings) == expected
    for throttle in settings.values():
        assert throttle == {
            "ThrottlingRateLimit": {"Ref": "AuthRouteThrottleRatePerSecond"},
            "ThrottlingBurstLimit": {"Ref": "AuthRouteThrottleBurst"},
        }


def test_the_api_answers_only_requests_that_came_through_cloudfront(resources):
    (api_origin,) = [o for o in distribution_config(resources)["Origins"] if o["Id"] == "api"]
    (header,) = api_origin["OriginCustomHeaders"]
    source = (ROOT / "server" / "src" / "http" / "middleware.rs").read_text()
    assert f'HeaderName::from_static("{header["HeaderName"]}")' in source
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["BOARDWALK_ORIGIN_VERIFY_SECRET"] == header["HeaderValue"]
    assert header["HeaderValue"] == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}


def test_the_function_knows_the_sites_public_origin(template, resources):
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["BOARDWALK_PUBLIC_ORIGIN"] == template["Outputs"]["SiteUrl"]["Value"]


def test_a_web_acl_given_as_a_parameter_is_attached_to_the_distribution(root, resources):
    assert distribution_config(resources)["WebACLId"] == {
        "Fn::If": ["HasWaf", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]
    }
    from cfnlint.decode import cfn_yaml

    waf = cfn_yaml.load(str(root / "infra" / "waf.yaml"))["Resources"]["WebAcl"]["Properties"]
    assert waf["Scope"] == "CLOUDFRONT"
    (rate,) = [r for r in waf["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429


def test_every_role_carries_the_permissions_boundary(resources):
    roles = {name: r for name, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    assert len(roles) >= 2
    for name, role in roles.items():
        assert role["Properties"]["PermissionsBoundary"] == {
            "Fn::If": ["HasBoundary", {"Ref": "PermissionsBoundaryArn"}, {"Ref": "AWS::NoValue"}]
        }, name


def test_email_changes_wait_for_their_code_and_mail_can_go_through_ses(resources):
    pool = resources["UserPool"]["Properties"]
    assert pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"] == ["email"]
    condition, ses, default = pool["EmailConfiguration"]["Fn::If"]
    assert condition == "HasSesSender"
    assert ses["EmailSendingAccount"] == "DEVELOPER"
    assert ses["SourceArn"] == {"Ref": "SesSourceArn"}
    assert default == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def test_direct_sign_ups_to_cognito_meet_the_apps_rules(resources):
    pool = resources["UserPool"]["Properties"]
    assert pool["LambdaConfig"]["PreSignUp"] == {"Fn::GetAtt": ["PreSignUpFunction", "Arn"]}
    assert pool["LambdaConfig"]["CustomMessage"] == {"Fn::GetAtt": ["PreSignUpFunction", "Arn"]}
    handler = resources["PreSignUpFunction"]["Properties"]["Environment"]["Variables"]["BOARDWALK_LAMBDA_HANDLER"]
    assert f'"{handler}"' in rust_sources("server/src")
    permission = resources["PreSignUpInvokedByCognito"]["Properties"]
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    client = resources["UserPoolClient"]["Properties"]
    assert client["WriteAttributes"] == ["email", "locale"], "nothing else a direct call could set"


def explicit_auth_flow(sdk_variant: str) -> str:
    """`AuthFlowType::UserPasswordAuth` in the SDK is `ALLOW_USER_PASSWORD_AUTH` on a client."""
    return "ALLOW_" + re.sub(r"(?<!^)(?=[A-Z])", "_", sdk_variant).upper()


def test_sdk_flow_names_map_to_client_flow_names():
    assert explicit_auth_flow("UserPasswordAuth") == "ALLOW_USER_PASSWORD_AUTH"
    assert explicit_auth_flow("RefreshTokenAuth") == "ALLOW_REFRESH_TOKEN_AUTH"


def test_the_user_pool_client_allows_only_the_flows_boardwalk_uses(resources):
    client = resources["UserPoolClient"]["Properties"]
    flows = set(client["ExplicitAuthFlows"])
    assert flows == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    used = {explicit_auth_flow(v) for v in re.findall(r"AuthFlowType::(\w+)", rust_sources("server/src"))}
    assert used <= flows, f"the code uses flows the client does not allow: {used - flows}"
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    assert client["GenerateSecret"] == {"Ref": "GenerateClientSecret"}


def test_the_user_pool_is_lite_retained_and_confirms_email(resources):
    pool = resources["UserPool"]
    assert pool["DeletionPolicy"] == "Retain"
    properties = pool["Properties"]
    assert properties["UserPoolTier"] == "LITE"
    assert properties["AutoVerifiedAttributes"] == ["email"]
    assert "UsernameAttributes" not in properties
    (email,) = [a for a in properties["Schema"] if a["Name"] == "email"]
    assert email["Required"] is True


def test_the_outputs_name_what_a_deploy_and_a_person_need(template):
    assert {
        "SiteUrl",
        "DistributionId",
        "SiteBucketName",
        "UserPoolId",
        "UserPoolClientId",
    } <= set(template["Outputs"])


def test_the_chat_socket_api_sends_every_event_to_the_api_function(resources):
    routes = {
        r["Properties"]["RouteKey"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route" and r["Properties"]["ApiId"] == {"Ref": "WebSocketApi"}
    }
    assert routes == {"$connect", "$disconnect", "$default"}
    assert resources["WebSocketApi"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    uri = resources["WebSocketIntegration"]["Properties"]["IntegrationUri"]["Fn::Sub"]
    assert uri.endswith(":function:${AppName}-${Stage}-api/invocations")
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["BOARDWALK_WEBSOCKET_URL"]["Fn::Sub"].startswith("wss://${WebSocketApi}.")
    assert variables["BOARDWALK_WEBSOCKET_ENDPOINT"]["Fn::Sub"].startswith("https://${WebSocketApi}.")
    live = resources["LiveTable"]["Properties"]["TimeToLiveSpecification"]
    assert live == {"AttributeName": "expiresAt", "Enabled": True}
    source = (ROOT / "server" / "src" / "adapters" / "live" / "apigw.rs").read_text()
    assert '"expiresAt"' in source, "the adapter writes the TTL attribute the table expires on"


def test_the_media_bucket_is_private_encrypted_and_tls_only(resources):
    bucket = resources["MediaBucket"]
    properties = bucket["Properties"]
    assert properties["BucketName"] == {"Fn::Sub": media_bucket_name()}
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["DeletionPolicy"] == "Retain"
    (deny,) = [
        s
        for s in resources["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
    ]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*"


def test_cloudfront_reads_only_served_pictures_never_uploads(resources):
    allows = [
        s
        for s in resources["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == {"Fn::Sub": "${MediaBucket.Arn}/media/*"}
    assert allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"].endswith(
        ":distribution/${Distribution}"
    )


def test_the_media_behaviour_serves_the_bucket_through_oac_without_spa_routing(resources):
    behaviour = media_behaviour(resources)
    assert behaviour["TargetOriginId"] == "media"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "FunctionAssociations" not in behaviour
    (origin,) = [o for o in distribution_config(resources)["Origins"] if o["Id"] == "media"]
    assert origin["DomainName"] == {"Fn::Sub": media_bucket_name() + ".s3.${AWS::Region}.amazonaws.com"}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}


def test_uploads_are_posted_from_the_site_origin_only_and_expire_after_a_day(resources):
    properties = resources["MediaBucket"]["Properties"]
    (cors,) = properties["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]
    (origin,) = cors["AllowedOrigins"]
    assert origin == {
        "Fn::If": [
            "HasCustomDomain",
            {"Fn::Sub": "https://${DomainName}"},
            {"Fn::Sub": "https://${Distribution.DomainName}"},
        ]
    }
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"], rule["Status"]) == ("uploads/", 1, "Enabled")


def test_the_function_writes_only_where_each_prefix_needs(resources):
    granted = {
        (action, str(statement["Resource"]))
        for statement in statements(resources["ApiFunctionRole"])
        for action in as_list(statement["Action"])
        if action.startswith("s3:")
    }
    uploads = "{'Fn::Sub': '${MediaBucket.Arn}/uploads/*'}"
    served = "{'Fn::Sub': '${MediaBucket.Arn}/media/*'}"
    assert granted == {
        ("s3:PutObject", uploads),
        ("s3:GetObject", uploads),
        ("s3:DeleteObject", uploads),
        ("s3:PutObject", served),
        ("s3:DeleteObject", served),
        ("s3:ListBucket", "{'Fn::GetAtt': ['MediaBucket', 'Arn']}"),
    }


def test_the_server_signs_uploads_for_the_bucket_the_csp_allows(resources):
    """The upload URL the S3 adapter builds is the CSP's connect-src entry."""
    source = (ROOT / "server/src/adapters/media/s3.rs").read_text()
    assert 'format!("https://{}.s3.{}.amazonaws.com", self.bucket, self.region)' in source
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["BOARDWALK_MEDIA_BUCKET"] == {"Ref": "MediaBucket"}


def test_comments_are_keyed_by_post_then_comment_for_one_query_per_thread(resources):
    properties = resources["CommentsTable"]["Properties"]
    assert properties["KeySchema"] == [
        {"AttributeName": "postId", "KeyType": "HASH"},
        {"AttributeName": "commentId", "KeyType": "RANGE"},
    ]
    assert "GlobalSecondaryIndexes" not in properties
    variables = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["BOARDWALK_COMMENTS_TABLE"] == {"Ref": "CommentsTable"}


def test_flags_are_an_appconfig_feature_flag_profile_read_through_the_extension(resources):
    profile = resources["FlagsProfile"]["Properties"]
    assert (profile["Type"], profile["LocationUri"]) == ("AWS.AppConfig.FeatureFlags", "hosted")
    function = resources["ApiFunction"]["Properties"]
    assert function["Layers"] == {
        "Fn::If": ["HasAppConfigExtension", [{"Ref": "AppConfigExtensionLayerArn"}], {"Ref": "AWS::NoValue"}]
    }
    url = function["Environment"]["Variables"]["BOARDWALK_FLAGS_URL"]["Fn::If"][1]["Fn::Sub"]
    assert url == (
        "http://localhost:2772/applications/${FlagsApplication}"
        "/environments/${FlagsEnvironment}/configurations/${FlagsProfile}"
    )
    (read,) = [
        s for s in statements(resources["ApiFunctionRole"]) if "appconfig:GetLatestConfiguration" in as_list(s["Action"])
    ]
    assert read["Resource"]["Fn::Sub"].endswith(
        ":application/${FlagsApplication}/environment/${FlagsEnvironment}/configuration/${FlagsProfile}"
    )


def test_the_first_flags_match_the_local_default_document():
    import json

    from cfnlint.decode import cfn_yaml

    template = cfn_yaml.load(str(ROOT / "infra" / "template.yaml"))
    hosted = json.loads(template["Resources"]["FlagsInitialVersion"]["Properties"]["Content"])
    source = (ROOT / "server/src/adapters/flags/document.rs").read_text()
    local = json.loads(source.split('DEFAULT_DOCUMENT: &str = r#"', 1)[1].split('"#;', 1)[0])
    assert hosted["values"] == local["values"]
    assert set(hosted["flags"]) == set(local["flags"])


def test_a_flag_deployment_is_gradual_and_rolls_back_on_the_alarm(resources):
    strategy = resources["FlagsGradualStrategy"]["Properties"]
    assert strategy["GrowthType"] == "LINEAR" and strategy["GrowthFactor"] < 100
    assert strategy["FinalBakeTimeInMinutes"] > 0
    (monitor,) = resources["FlagsEnvironment"]["Properties"]["Monitors"]
    assert monitor["AlarmArn"] == {"Fn::GetAtt": ["FlagsRollbackAlarm", "Arn"]}
    alarm = resources["FlagsRollbackAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Fn::Sub": "${AppName}-${Stage}-api"}}]
    assert resources["ApiFunction"]["Properties"]["FunctionName"] == {"Fn::Sub": "${AppName}-${Stage}-api"}
    (reader,) = statements(resources["FlagsAlarmReaderRole"])
    assert reader["Action"] == "cloudwatch:DescribeAlarms"


def test_every_alarm_goes_to_one_topic_whose_email_is_a_parameter(resources):
    alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {
        "Api5xxRateAlarm",
        "ApiLatencyAlarm",
        "ApiThrottleAlarm",
        "DynamoDbReadThrottleAlarm",
        "DynamoDbWriteThrottleAlarm",
        "FlagsRollbackAlarm",
    } <= set(alarms)
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name
    topic = resources["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_the_alarms_measure_what_they_say(resources):
    rate = resources["Api5xxRateAlarm"]["Properties"]
    (expression,) = [m for m in rate["Metrics"] if m.get("ReturnData")]
    assert "errors / requests" in expression["Expression"]
    assert rate["Threshold"] == {"Ref": "Alarm5xxPercent"}
    latency = resources["ApiLatencyAlarm"]["Properties"]
    assert (latency["Namespace"], latency["MetricName"], latency["ExtendedStatistic"]) == ("AWS/ApiGateway", "Latency", "p99")
    assert latency["Threshold"] == {"Ref": "AlarmP99LatencyMs"}
    assert resources["ApiThrottleAlarm"]["Properties"]["MetricName"] == "Throttles"
    # Every table the stack creates is watched for throttling, reads and writes.
    tables = {
        r["Properties"]["TableName"]["Fn::Sub"]
        for r in resources.values()
        if r["Type"] == "AWS::DynamoDB::Table"
    }
    for kind in ["Read", "Write"]:
        watched = {
            m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::Sub"]
            for m in resources[f"DynamoDb{kind}ThrottleAlarm"]["Properties"]["Metrics"]
            if "MetricStat" in m
        }
        assert watched == tables, kind
