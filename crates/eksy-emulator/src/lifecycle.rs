//! The lifecycle engine: a resource body in the model's wire form with its one pending
//! transition, applied lazily when state is read (the emulator clock decides what is due).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What happens when a pending transition is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Status(String),
    Remove,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub at: f64,
    pub outcome: Outcome,
    /// Top-level members merged into the body when the transition completes (for example
    /// the new `version` of a cluster update), so reads during the transition show old values.
    pub patch: Map<String, Value>,
    /// The update that completes with this transition.
    pub update_id: Option<String>,
}

/// A resource body in the model's output wire form, plus its pending transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    pub body: Value,
    pub pending: Option<Pending>,
}

impl Tracked {
    /// A resource that starts in `initial` and reaches `settled` after `delay` seconds. With
    /// no delay the create response still shows `initial`, as AWS's does, and the next read
    /// sees `settled` (so a waiter's first poll succeeds).
    pub fn born(mut body: Value, initial: &str, settled: &str, now: f64, delay: f64) -> Tracked {
        set_member(&mut body, "status", Value::from(initial));
        Tracked {
            body,
            pending: Some(Pending {
                at: now + delay.max(0.0),
                outcome: Outcome::Status(settled.to_string()),
                patch: Map::new(),
                update_id: None,
            }),
        }
    }

    pub fn status(&self) -> &str {
        self.body
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn get_str(&self, member: &str) -> &str {
        self.body.get(member).and_then(Value::as_str).unwrap_or("")
    }

    /// Starts a transition: status `during` now, then `outcome` after `delay` seconds. A zero
    /// delay is due at once and applied by the next settle (the next request).
    pub fn begin(
        &mut self,
        during: &str,
        outcome: Outcome,
        patch: Map<String, Value>,
        update_id: Option<String>,
        now: f64,
        delay: f64,
    ) {
        set_member(&mut self.body, "status", Value::from(during));
        self.pending = Some(Pending {
            at: now + delay,
            outcome,
            patch,
            update_id,
        });
    }

    /// Applies a due transition. Returns true when the resource is now gone.
    pub fn settle(&mut self, now: f64) -> bool {
        let Some(pending) = self.pending.take_if(|p| p.at <= now) else {
            return false;
        };
        if let Value::Object(body) = &mut self.body {
            body.extend(pending.patch);
            body.insert("modifiedAt".into(), Value::from(pending.at));
        }
        match pending.outcome {
            Outcome::Status(status) => {
                set_member(&mut self.body, "status", Value::from(status));
                false
            }
            Outcome::Remove => true,
        }
    }

    /// `settle`, then lowers `next_due` to the transition still pending, if any.
    pub fn settle_noting_next(&mut self, now: f64, next_due: &mut f64) -> bool {
        let gone = self.settle(now);
        if let Some(pending) = &self.pending {
            *next_due = next_due.min(pending.at);
        }
        gone
    }

    /// Forces a status, dropping any pending transition.
    pub fn force(&mut self, status: &str) {
        self.pending = None;
        set_member(&mut self.body, "status", Value::from(status));
    }
}

pub fn set_member(body: &mut Value, name: &str, value: Value) {
    if let Value::Object(map) = body {
        map.insert(name.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn transitions_apply_lazily() {
        let mut t = Tracked::born(json!({"name": "a"}), "CREATING", "ACTIVE", 100.0, 1.0);
        assert_eq!(t.status(), "CREATING");
        assert!(!t.settle(100.5));
        assert_eq!(t.status(), "CREATING");
        assert!(!t.settle(101.0));
        assert_eq!(t.status(), "ACTIVE");
        let patch = json!({"version": "1.31"}).as_object().cloned().unwrap();
        t.begin(
            "UPDATING",
            Outcome::Status("ACTIVE".into()),
            patch,
            None,
            200.0,
            1.0,
        );
        assert_eq!(t.body.get("version"), None);
        t.settle(201.0);
        assert_eq!(t.body["version"], "1.31");
        t.begin("DELETING", Outcome::Remove, Map::new(), None, 300.0, 0.0);
        assert!(t.settle(300.0));
    }
}
