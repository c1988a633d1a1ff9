//! Implementations of the ports: SQLite and the local identity provider for the embedded
//! default, DynamoDB and Cognito for AWS. SDK and driver types stop here; errors leave as the
//! port's error with the SDK's error kept as the source, for the log.

pub mod cognito;
pub mod dynamo;
pub mod local_idp;
pub mod sqlite;

use aws_config::{BehaviorVersion, SdkConfig};

/// Loads the AWS SDK configuration (region and credentials from the environment, as on
/// Lambda), pointing every client at `endpoint_url` when one is given (an emulator).
pub async fn aws_sdk_config(endpoint_url: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}
