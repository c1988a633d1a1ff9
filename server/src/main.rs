//! The Boardwalk binary: reads its settings from the environment and serves, locally or on
//! Lambda, until it is told to stop.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match server::startup::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("boardwalk: {}", server::telemetry::error_chain(&err));
            std::process::ExitCode::FAILURE
        }
    }
}
