//! Development server for testing the emulator without the Python extension:
//! `eksy-emulator [--host H] [--port P] [--region R] [--account-id A] [--timings JSON]`.
//! Prints `eksy emulator listening on URL`, serves until Ctrl-C or SIGTERM.

use eksy_emulator::{Emulator, EmulatorConfig};

fn config_from_args() -> Result<EmulatorConfig, String> {
    let mut config = EmulatorConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--host" => config.host = value,
            "--port" => config.port = value.parse().map_err(|_| format!("bad port {value}"))?,
            "--region" => config.region = value,
            "--account-id" => config.account_id = Some(value),
            "--timings" => {
                let json = serde_json::from_str(&value).map_err(|e| e.to_string())?;
                config.timings = config.timings.merged(&json)?;
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = config_from_args().map_err(std::io::Error::other)?;
    let emulator = Emulator::start(config).await?;
    println!("eksy emulator listening on {}", emulator.endpoint_url());
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    emulator.stop().await;
    Ok(())
}
