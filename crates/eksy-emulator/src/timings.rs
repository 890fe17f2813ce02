//! Lifecycle timings: seconds of emulator clock each transition takes. The fields and the
//! `realistic` figures come from the resource-kind registry (`generated/kinds.rs`). Zero (the
//! default) makes a transition complete by the next request: the create, update or delete
//! response shows the transitional status (CREATING, UPDATING, DELETING) as AWS's does, and the
//! next read the settled one, so waiters finish on their first poll.

use serde_json::{Map, Value};

pub use crate::resource_kinds::Timings;

/// The longest lifecycle step: a year is more than any EKS operation takes.
pub const MAX_TIMING_SECONDS: f64 = 365.0 * 86_400.0;

impl Default for Timings {
    fn default() -> Timings {
        Timings::instant()
    }
}

impl Timings {
    /// Every transition completes by the next request.
    pub fn instant() -> Timings {
        Timings::uniform(0.0)
    }

    /// Overrides fields from a JSON object of `{name: seconds}`; `"all"` sets every field.
    pub fn merged(&self, changes: &Value) -> Result<Timings, String> {
        let Some(changes) = changes.as_object() else {
            return Err("timings must be a JSON object of {name: seconds}".into());
        };
        let mut fields = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        // A preset first, then "all", so specific names given alongside them win.
        if let Some(preset) = changes.get("preset") {
            let base = match preset.as_str() {
                Some("instant") => Timings::instant(),
                Some("realistic") => Timings::realistic(),
                _ => return Err("preset must be \"instant\" or \"realistic\"".into()),
            };
            if let Ok(Value::Object(map)) = serde_json::to_value(base) {
                fields = map;
            }
        }
        let mut ordered: Vec<(&String, &Value)> =
            changes.iter().filter(|(k, _)| *k != "preset").collect();
        ordered.sort_by_key(|(k, _)| *k != "all");
        for (key, value) in ordered {
            let seconds = value
                .as_f64()
                .filter(|s| (0.0..=MAX_TIMING_SECONDS).contains(s))
                .ok_or_else(|| {
                    format!(
                        "timing {key} must be between 0 and {MAX_TIMING_SECONDS} seconds (a year)"
                    )
                })?;
            if key == "all" {
                fields.values_mut().for_each(|v| *v = Value::from(seconds));
            } else if fields.contains_key(key) {
                fields.insert(key.clone(), Value::from(seconds));
            } else {
                let known: Vec<&str> = crate::kinds::timing_names().collect();
                return Err(format!(
                    "unknown timing {key:?}; known: {known:?}, \"all\" and \"preset\""
                ));
            }
        }
        serde_json::from_value(Value::Object(fields)).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timings_merge() {
        let t = Timings::default()
            .merged(&json!({"all": 0, "cluster_create": 2.5}))
            .unwrap();
        assert_eq!(t.cluster_create, 2.5);
        assert_eq!(t.addon_delete, 0.0);
        assert!(Timings::default().merged(&json!({"bogus": 1})).is_err());
        assert!(Timings::default()
            .merged(&json!({"addon_create": -1}))
            .is_err());
    }

    #[test]
    fn realistic_takes_minutes_where_aws_does() {
        let t = Timings::realistic();
        assert_eq!(t.cluster_create, 600.0);
        assert_eq!(t.nodegroup_create, 210.0);
        assert_eq!(Timings::instant(), Timings::uniform(0.0));
    }
}
