//! Implementations of the ports: SQLite and the local identity provider for the embedded
//! default, DynamoDB and Cognito for AWS. SDK and driver types stop here; errors leave as the
//! port's error with the SDK's error kept as the source, for the log.

pub mod cognito;
pub mod dynamo;
pub mod flags;
pub mod live;
pub mod local_idp;
pub mod media;
pub mod sqlite;

use aws_config::{BehaviorVersion, Region, SdkConfig, meta::region::RegionProviderChain};
use aws_credential_types::Credentials;

/// Loads the AWS SDK configuration: region and credentials from the environment, as on
/// Lambda. With `endpoint_url` (an emulator such as moto) every client goes there, signing
/// with dummy credentials (emulators do not check them) in the environment's region or
/// us-east-1, so an emulator run needs no AWS settings at all.
pub async fn aws_sdk_config(endpoint_url: Option<&str>) -> SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest());
    match endpoint_url {
        Some(url) => {
            let region = RegionProviderChain::default_provider().or_else(Region::new("us-east-1"));
            loader
                .endpoint_url(url)
                .region(region)
                .credentials_provider(Credentials::new(
                    "emulator", "emulator", None, None, "emulator",
                ))
                .load()
                .await
        }
        None => loader.load().await,
    }
}
