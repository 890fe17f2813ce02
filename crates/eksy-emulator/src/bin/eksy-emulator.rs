//! `eksy-emulator`: the local EKS emulator as a standalone program, for use without Python.
//!
//! It takes the flags of `eksy local` (python/eksy/cli/local.py) with the same defaults, prints
//! the same start-up line (`eksy-emulator: EKS emulator listening on URL (region R, account A);
//! press Ctrl-C to stop`), serves until SIGINT or SIGTERM, then stops cleanly with status 0.
//! Status 2 is a usage error, 1 a port that cannot be bound. tests/emulator/test_launchers.py
//! holds the two launchers to the same flags, defaults and start-up line.

use eksy_emulator::{Emulator, EmulatorConfig, DEFAULT_ACCOUNT_ID};
use serde_json::{Map, Value};
use std::net::IpAddr;
use std::process::ExitCode;
use tokio::signal::unix::{signal, SignalKind};

const PROG: &str = "eksy-emulator";
/// The port of `eksy local` (its DEFAULT_PORT), so both launchers answer at the same address.
const DEFAULT_PORT: u16 = 9566;

const USAGE: &str = "usage: eksy-emulator [-h] [--host HOST] [--port PORT] [--region REGION] \
                     [--account-id ACCOUNT_ID] [--timing NAME=SECONDS] [--state-file STATE_FILE]";

fn help() -> String {
    format!(
        "{USAGE}

Run the local Amazon EKS emulator in the foreground until SIGINT/SIGTERM.

options:
  -h, --help            show this help message and exit
  --host HOST           address to bind (default 127.0.0.1)
  --port PORT           port to bind; 0 picks a free one (default {DEFAULT_PORT})
  --region REGION       default region for controls (default us-east-1)
  --account-id ACCOUNT_ID
                        account for access keys that are not 12-digit account ids (default {DEFAULT_ACCOUNT_ID})
  --timing NAME=SECONDS
                        lifecycle duration, repeatable, e.g. --timing cluster_create=30 or --timing all=0
  --state-file STATE_FILE
                        restore state from this file at start and save it on every change"
    )
}

struct Options {
    host: String,
    port: i64,
    region: String,
    account_id: Option<String>,
    /// In the order given; a later value for the same name wins.
    timings: Vec<(String, f64)>,
    state_file: Option<String>,
}

enum Command {
    Help,
    Run(Options),
}

/// `NAME=SECONDS`, with `eksy local`'s messages.
fn timing(text: &str) -> Result<(String, f64), String> {
    let (name, seconds) = match text.split_once('=') {
        Some((name, seconds)) if !name.is_empty() => (name, seconds),
        _ => return Err("expected NAME=SECONDS, e.g. cluster_create=30 or all=0".into()),
    };
    let value: f64 = seconds
        .trim()
        .parse()
        .map_err(|_| format!("'{seconds}' is not a number of seconds"))?;
    if value < 0.0 {
        return Err("seconds must not be negative".into());
    }
    Ok((name.to_string(), value))
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options {
        host: "127.0.0.1".into(),
        port: i64::from(DEFAULT_PORT),
        region: "us-east-1".into(),
        account_id: None,
        timings: Vec::new(),
        state_file: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        if !matches!(
            flag.as_str(),
            "--host" | "--port" | "--region" | "--account-id" | "--timing" | "--state-file"
        ) {
            return Err(format!("unrecognized arguments: {arg}"));
        }
        let value = match inline.or_else(|| args.next()) {
            Some(value) => value,
            None => return Err(format!("argument {flag}: expected one argument")),
        };
        match flag.as_str() {
            "--host" => options.host = value,
            "--port" => {
                options.port = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("argument --port: invalid int value: '{value}'"))?
            }
            "--region" => options.region = value,
            "--account-id" => options.account_id = Some(value),
            "--state-file" => options.state_file = Some(value),
            _ => options
                .timings
                .push(timing(&value).map_err(|e| format!("argument --timing: {e}"))?),
        }
    }
    Ok(Command::Run(options))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("{USAGE}\n{PROG}: error: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{}", help());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(options)) => options,
        Err(message) => return usage_error(&message),
    };
    let Ok(port) = u16::try_from(options.port) else {
        eprintln!("{PROG}: invalid port {}", options.port);
        return ExitCode::from(2);
    };
    if !is_loopback(&options.host) {
        eprintln!(
            "{PROG}: warning: binding {}, reachable from other machines; the emulator accepts any credentials",
            options.host
        );
    }
    let mut changes = Map::new();
    for (name, seconds) in &options.timings {
        changes.insert(name.clone(), Value::from(*seconds));
    }
    let mut config = EmulatorConfig {
        host: options.host.clone(),
        port,
        region: options.region.clone(),
        account_id: options.account_id.clone(),
        state_file: options.state_file.as_ref().map(std::path::PathBuf::from),
        ..EmulatorConfig::default()
    };
    // The emulator orders "all" first and validates the names.
    config.timings = match config.timings.merged(&Value::Object(changes)) {
        Ok(timings) => timings,
        Err(message) => {
            eprintln!("{PROG}: invalid timings: {message}");
            return ExitCode::from(2);
        }
    };
    // Registered before serving, so a signal right after the start-up line is not lost.
    let (mut interrupt, mut terminate) = match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(interrupt), Ok(terminate)) => (interrupt, terminate),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("{PROG}: cannot handle signals: {error}");
            return ExitCode::FAILURE;
        }
    };
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!(
                "{PROG}: cannot listen on {}:{}: {error}",
                options.host, options.port
            );
            return ExitCode::FAILURE;
        }
    };
    let account = options.account_id.as_deref().unwrap_or(DEFAULT_ACCOUNT_ID);
    println!(
        "{PROG}: EKS emulator listening on {} (region {}, account {account}); press Ctrl-C to stop",
        emulator.endpoint_url(),
        options.region
    );
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    emulator.stop().await;
    println!("{PROG}: stopped");
    ExitCode::SUCCESS
}
