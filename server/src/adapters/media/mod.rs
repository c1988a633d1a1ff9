//! Where picture bytes live: S3 on AWS, files in the data directory on the embedded
//! default. Both hand browsers a signed POST form in S3's shape ([`policy`]).

mod local;
mod policy;
mod s3;

pub use local::LocalMediaStore;
pub use s3::{S3MediaStore, S3Settings};
