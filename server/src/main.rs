//! The Boardwalk binary: reads its settings from the environment and serves, locally or on
//! Lambda, until it is told to stop. With arguments it runs an admin command instead
//! (`boardwalk group add <username> <group>`), or prints the REST API's OpenAPI document
//! (`boardwalk openapi`, which needs no settings).

use std::process::ExitCode;

fn main() -> ExitCode {
    // Lambda hands a process one event at a time: one thread serves it, without the
    // multi-thread scheduler's workers and their stacks (less memory, less CPU per event).
    let mut runtime = if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(serve_or_administer()),
        Err(err) => {
            eprintln!("boardwalk: could not start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_or_administer() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["openapi"] {
        print!("{}", server::http::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    if !args.is_empty() {
        return admin(&args).await;
    }
    match server::startup::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("boardwalk: {}", server::telemetry::error_chain(&err));
            ExitCode::FAILURE
        }
    }
}

async fn admin(args: &[String]) -> ExitCode {
    let outcome = match server::configuration::Settings::from_env() {
        Ok(settings) => server::admin::run(args, &settings).await,
        Err(err) => {
            eprintln!("boardwalk: {err}");
            return ExitCode::FAILURE;
        }
    };
    match outcome {
        Ok(said) => {
            println!("{said}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("boardwalk: {err}");
            ExitCode::FAILURE
        }
    }
}
