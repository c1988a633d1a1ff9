//! The rules, generic over ports; nothing here knows HTTP or an SDK.

mod visits;

pub use visits::Visits;
