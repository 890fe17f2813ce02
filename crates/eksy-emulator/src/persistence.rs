//! Snapshots and the state file: the whole state (resources, clock, timings, identities,
//! Kubernetes settings and objects, strict mode) as one JSON value, without the request log,
//! the faults or the live sockets. A snapshot restores in one step; a state file is written
//! atomically (a temporary file in the same directory, fsync, rename, fsync of the
//! directory), so a process killed during a save leaves the previous state readable.

use crate::identity::Identities;
use crate::kube::KubeSettings;
use crate::state::{RegionState, State};
use crate::timings::Timings;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// What a state file or snapshot says it is.
pub const FORMAT: &str = "eksy-emulator-state";
/// Bumped when the layout changes; a newer file is refused rather than misread.
pub const VERSION: u64 = 1;
/// The largest state file read at start.
pub const MAX_STATE_FILE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct RegionEntry {
    account_id: String,
    region: String,
    resources: RegionState,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    format: String,
    version: u64,
    clock_offset: f64,
    timings: Timings,
    identities: Identities,
    kube_settings: KubeSettings,
    strict: bool,
    regions: Vec<RegionEntry>,
}

pub fn snapshot(state: &State) -> Value {
    let mut regions: Vec<RegionEntry> = state
        .regions
        .iter()
        .map(|((account, region), resources)| RegionEntry {
            account_id: account.clone(),
            region: region.clone(),
            resources: resources.clone(),
        })
        .collect();
    regions.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    let saved = Saved {
        format: FORMAT.into(),
        version: VERSION,
        clock_offset: state.clock_offset,
        timings: state.timings,
        identities: state.identities.clone(),
        kube_settings: state.kube_settings,
        strict: state.strict,
        regions,
    };
    serde_json::to_value(saved).unwrap_or(Value::Null)
}

/// Checks a snapshot's format and version; the error says what is wrong.
fn parse(value: &Value) -> Result<Saved, String> {
    match value.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => return Err(format!("not an eksy emulator state (format {other:?})")),
        None => return Err("not an eksy emulator state (no \"format\" member)".into()),
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(newer) if newer > VERSION => {
            return Err(format!(
                "the state was written by a newer eksy (format version {newer}; this one reads {VERSION})"
            ))
        }
        other => return Err(format!("unsupported state format version {other:?}")),
    }
    Saved::deserialize(value).map_err(|e| format!("the state is damaged: {e}"))
}

/// Replaces the state's resources, clock, timings and identities with a snapshot's.
/// Kubernetes endpoints reopen (on their old ports when free) as clusters are next read.
pub fn restore(state: &mut State, value: &Value) -> Result<(), String> {
    let saved = parse(value)?;
    state.kube.stop_all();
    state.clock_offset = saved.clock_offset;
    state.timings = saved.timings;
    state.identities = saved.identities;
    state.kube_settings = saved.kube_settings;
    state.strict = saved.strict;
    state.regions = saved
        .regions
        .into_iter()
        .map(|entry| {
            let mut resources = entry.resources;
            resources.kube_dirty = resources.clusters.keys().cloned().collect();
            ((entry.account_id, entry.region), resources)
        })
        .collect();
    state.tick();
    Ok(())
}

/// Reads a state file; a missing file is `Ok(None)` (a new state), anything unreadable an
/// error naming the file. The file is never modified here.
pub fn read_file(path: &Path) -> Result<Option<Value>, String> {
    let shown = path.display();
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the state file {shown}: {e}")),
    };
    if metadata.len() > MAX_STATE_FILE_BYTES {
        return Err(format!(
            "the state file {shown} is larger than {MAX_STATE_FILE_BYTES} bytes"
        ));
    }
    let text =
        std::fs::read(path).map_err(|e| format!("cannot read the state file {shown}: {e}"))?;
    let value: Value = serde_json::from_slice(&text).map_err(|e| {
        format!("the state file {shown} is not valid JSON ({e}); it was left as it is")
    })?;
    parse(&value).map_err(|e| format!("the state file {shown}: {e}; it was left as it is"))?;
    Ok(Some(value))
}

/// Writes a state file atomically.
pub fn write_file(path: &Path, value: &Value) -> Result<(), String> {
    let shown = path.display();
    let directory = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("state.json");
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec(value).map_err(|e| e.to_string())?;
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(&directory)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write the state file {shown}: {e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snapshots_round_trip_and_bad_ones_are_refused() {
        let mut state = State {
            clock_offset: 42.0,
            ..State::default()
        };
        state.regions.insert(
            ("123456789012".into(), "us-east-1".into()),
            RegionState::default(),
        );
        let saved = snapshot(&state);
        let mut restored = State::default();
        restore(&mut restored, &saved).unwrap();
        assert_eq!(restored.clock_offset, 42.0);
        assert_eq!(snapshot(&restored), saved);
        assert!(restore(&mut restored, &json!({"format": "other"}))
            .unwrap_err()
            .contains("not an eksy"));
        let mut newer = saved.clone();
        newer["version"] = json!(VERSION + 1);
        assert!(restore(&mut restored, &newer)
            .unwrap_err()
            .contains("newer"));
        let mut damaged = saved;
        damaged["regions"] = json!("nope");
        assert!(restore(&mut restored, &damaged)
            .unwrap_err()
            .contains("damaged"));
    }
}
