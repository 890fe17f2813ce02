//! EKS Anywhere subscriptions (per account and region): create, describe, list, update,
//! delete. `CREATING → ACTIVE` on the emulator clock; an ACTIVE subscription past its
//! expiration date renews (auto-renew) or becomes `EXPIRED` when read.

use super::context::{initial_tags, Ctx};
use super::input::{opt_text, present, text, without};
use super::paging::item_page;
use crate::error::AwsError;
use crate::lifecycle::{set_member, Outcome, Tracked};
use crate::state::RegionState;
use crate::util::{random_hex, uuid};
use serde_json::{json, Map, Value};

const DAY: f64 = 86_400.0;
/// Subscriptions may be cancelled (deleted while active) within this many days of creation.
const CANCELLATION_DAYS: f64 = 7.0;

fn not_found(id: &str) -> AwsError {
    AwsError::not_found(format!("No EKS Anywhere subscription found with id: {id}"))
        .field("subscriptionId", id)
}

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message)
}

fn term_seconds(body: &Value) -> f64 {
    let months = body
        .pointer("/term/duration")
        .and_then(Value::as_f64)
        .unwrap_or(12.0);
    months / 12.0 * 365.0 * DAY
}

/// Applies expiry or renewal due at `now`.
fn refresh(sub: &mut Tracked, now: f64) {
    if sub.status() != "ACTIVE" {
        return;
    }
    let Some(expires) = sub.body.get("expirationDate").and_then(Value::as_f64) else {
        return;
    };
    if now < expires {
        return;
    }
    if sub.body.get("autoRenew") == Some(&json!(true)) {
        // Whole terms renewed since expiry (arithmetic, as the clock may jump far ahead).
        let term = term_seconds(&sub.body).max(DAY);
        let terms = ((now - expires) / term).floor() + 1.0;
        set_member(
            &mut sub.body,
            "expirationDate",
            json!(expires + terms * term),
        );
    } else {
        sub.force("EXPIRED");
    }
}

/// The wire form: the shape models neither the name (kept to enforce uniqueness) nor the
/// `modifiedAt` a settled transition stamps.
fn view(sub: &Tracked) -> Value {
    without(&sub.body, &["name", "modifiedAt"])
}

fn subscription<'a>(
    resources: &'a mut RegionState,
    id: &str,
    now: f64,
) -> Result<&'a mut Tracked, AwsError> {
    let sub = resources
        .children
        .subscriptions
        .get_mut(id)
        .ok_or_else(|| not_found(id))?;
    refresh(sub, now);
    Ok(sub)
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let name = text(input, "name");
    super::rules::check_name("name", name)?;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(invalid(format!(
            "The subscription name {name} is invalid: it must start with an alphabetic character."
        )));
    }
    super::rules::check_tags(input)?;
    let term = present(input, "term").unwrap_or_else(|| json!({}));
    let duration = term.get("duration").and_then(Value::as_i64);
    if !matches!(duration, Some(12 | 36)) || text(&term, "unit") != "MONTHS" {
        return Err(invalid("The term must be 12 or 36 MONTHS."));
    }
    let quantity = input
        .get("licenseQuantity")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if !(1..=100).contains(&quantity) {
        return Err(invalid("The licenseQuantity must be between 1 and 100."));
    }
    let license_type = opt_text(input, "licenseType").unwrap_or("Cluster");
    if ctx
        .resources
        .children
        .subscriptions
        .values()
        .any(|s| s.get_str("name") == name)
    {
        // CreateEksAnywhereSubscription models no ResourceInUseException.
        return Err(invalid(format!(
            "An EKS Anywhere subscription named {name} already exists in this account and Region."
        )));
    }
    let id = uuid();
    let arn = ctx.arn(&format!("eks-anywhere-subscription/{id}"));
    let account = ctx.account.to_string();
    let licenses: Vec<Value> = (0..quantity)
        .map(|_| json!({"id": uuid(), "token": random_hex(64)}))
        .collect();
    let license_arns: Vec<Value> = licenses
        .iter()
        .map(|_| {
            json!(format!(
                "arn:aws:license-manager::{account}:license:l-{}",
                random_hex(32)
            ))
        })
        .collect();
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert("name".into(), json!(name));
    body.insert("arn".into(), json!(arn));
    body.insert("createdAt".into(), json!(ctx.now));
    body.insert("effectiveDate".into(), json!(ctx.now));
    body.insert("licenseQuantity".into(), json!(quantity));
    body.insert("licenseType".into(), json!(license_type));
    body.insert("term".into(), term);
    body.insert(
        "autoRenew".into(),
        present(input, "autoRenew").unwrap_or(json!(false)),
    );
    body.insert("licenseArns".into(), Value::Array(license_arns));
    body.insert("licenses".into(), Value::Array(licenses));
    body.insert("tags".into(), initial_tags(input));
    let mut body = Value::Object(body);
    let expires = ctx.now + term_seconds(&body);
    set_member(&mut body, "expirationDate", json!(expires));
    let tracked = Tracked::born(
        body,
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.subscription_create,
    );
    let out = view(&tracked);
    ctx.resources.children.subscriptions.insert(id, tracked);
    Ok(json!({ "subscription": out }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let sub = subscription(ctx.resources, text(input, "id"), ctx.now)?;
    Ok(json!({ "subscription": view(sub) }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let now = ctx.now;
    let statuses: Vec<&str> = input
        .get("includeStatus")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for sub in ctx.resources.children.subscriptions.values_mut() {
        refresh(sub, now);
    }
    let mut items: Vec<(String, Value)> = ctx
        .resources
        .children
        .subscriptions
        .values()
        .filter(|sub| statuses.is_empty() || statuses.contains(&sub.status()))
        .map(|sub| (sub.get_str("name").to_string(), view(sub)))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    // AWS pages ten subscriptions at a time unless asked otherwise.
    let mut paged = input.clone();
    if paged.get("maxResults").is_none_or(Value::is_null) {
        set_member(&mut paged, "maxResults", json!(10));
    }
    item_page(items, &paged, "subscriptions")
}

pub fn update(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let id = text(input, "id");
    let now = ctx.now;
    let sub = subscription(ctx.resources, id, ctx.now)?;
    if sub.status() != "ACTIVE" {
        return Err(AwsError::invalid_request(format!(
            "Subscription {id} is in {} status and can't be updated.",
            sub.status()
        ))
        .field("subscriptionId", id));
    }
    set_member(
        &mut sub.body,
        "autoRenew",
        present(input, "autoRenew").unwrap_or(json!(false)),
    );
    refresh(sub, now);
    Ok(json!({ "subscription": view(sub) }))
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let id = text(input, "id");
    let sub = subscription(ctx.resources, id, ctx.now)?;
    let created = sub
        .body
        .get("createdAt")
        .and_then(Value::as_f64)
        .unwrap_or(ctx.now);
    let cancellable = ctx.now - created <= CANCELLATION_DAYS * DAY;
    if sub.status() == "ACTIVE" && !cancellable {
        return Err(AwsError::invalid_request(format!(
            "Subscription {id} is active; only expired or inactive subscriptions, or ones created in the last 7 days, can be deleted."
        ))
        .field("subscriptionId", id));
    }
    if sub.status() != "DELETING" {
        sub.begin(
            "DELETING",
            Outcome::Remove,
            Map::new(),
            None,
            ctx.now,
            ctx.timings.subscription_delete,
        );
    }
    Ok(json!({ "subscription": view(sub) }))
}
