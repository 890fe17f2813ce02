//! List pagination: `maxResults` and sealed `nextToken`s (random per process, so a token
//! reveals nothing and a forged or stale one is refused), and the page shapes lists answer.

use super::input::opt_text;
use crate::error::AwsError;
use crate::util;
use serde_json::{Map, Value};

pub fn page_args(input: &Value) -> (Option<i64>, Option<&str>) {
    (
        input.get("maxResults").and_then(Value::as_i64),
        opt_text(input, "nextToken"),
    )
}

/// The key page tokens are sealed with: random per process, so tokens reveal nothing and
/// cannot be forged (a restarted emulator refuses the old ones, as they may be stale).
fn page_token_key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| util::random_hex(64))
}

fn hmac_hex(parts: &[&str]) -> String {
    aws_sigv4::sign::v4::calculate_signature(page_token_key(), parts.join("\n").as_bytes())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The keystream (HMAC-SHA256 in counter mode) that hides a token's key.
fn keystream(nonce: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut block = 0u64;
    while out.len() < len {
        let counter = block.to_string();
        out.extend(unhex(&hmac_hex(&["stream", nonce, &counter])).unwrap_or_default());
        block += 1;
    }
    out.truncate(len);
    out
}

const NONCE_HEX: usize = 32;
const TAG_HEX: usize = 32;

/// An opaque page token for "continue after `last_key`" of the list `scope`: a random nonce,
/// the key encrypted under a keystream, and an HMAC over both (hex).
pub fn seal_page_token(scope: &str, last_key: &str) -> String {
    let nonce = util::random_hex(NONCE_HEX);
    let stream = keystream(&nonce, last_key.len());
    let sealed: String = last_key
        .bytes()
        .zip(stream)
        .map(|(b, k)| format!("{:02x}", b ^ k))
        .collect();
    let tag = hmac_hex(&["tag", scope, &nonce, &sealed]);
    format!("{nonce}{sealed}{}", &tag[..TAG_HEX])
}

/// The key a token of [`seal_page_token`] continues after, if the emulator issued it for
/// this list.
pub fn open_page_token(scope: &str, token: &str) -> Option<String> {
    if token.len() < NONCE_HEX + TAG_HEX || !token.is_ascii() {
        return None;
    }
    let (nonce, rest) = token.split_at(NONCE_HEX);
    let (sealed, tag) = rest.split_at(rest.len() - TAG_HEX);
    let expected = hmac_hex(&["tag", scope, nonce, sealed]);
    // Compare every byte, so timing does not tell how much of a forged tag was right.
    let same = expected.as_bytes()[..TAG_HEX]
        .iter()
        .zip(tag.as_bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0;
    if !same {
        return None;
    }
    let bytes = unhex(sealed)?;
    let stream = keystream(nonce, bytes.len());
    String::from_utf8(bytes.iter().zip(stream).map(|(b, k)| b ^ k).collect()).ok()
}

/// One page of `items` (sorted by key) with an opaque token for the rest; `scope` names the
/// list so a token of one list is refused by another. `util::paginate` makes the page (its
/// own token only says whether more follow).
pub fn paginate<K: AsRef<str> + Clone, T>(
    scope: &str,
    items: impl IntoIterator<Item = (K, T)>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let after = match next_token {
        None => None,
        Some(token) => Some(
            open_page_token(scope, token)
                .ok_or_else(|| AwsError::invalid_parameter("The nextToken provided is invalid."))?,
        ),
    };
    let remaining = items
        .into_iter()
        .filter(|(key, _)| after.as_deref().is_none_or(|a| key.as_ref() > a))
        .map(|(key, item)| (key.clone(), (key, item)));
    let (page, more) = util::paginate(remaining, max_results, None)?;
    let token = match (more, page.last()) {
        (Some(_), Some((key, _))) => Some(seal_page_token(scope, key.as_ref())),
        _ => None,
    };
    Ok((page.into_iter().map(|(_, item)| item).collect(), token))
}

/// A paginated list of names (already sorted) as `{member: [...], nextToken}`.
pub fn name_page<'a>(
    names: impl Iterator<Item = &'a String>,
    input: &Value,
    member: &str,
) -> Result<Value, AwsError> {
    // Only the page's names are copied, not every name.
    let (max, token) = page_args(input);
    let (page, next) = paginate(member, names.map(|n| (n, n)), max, token)?;
    let page = page.into_iter().map(|n| Value::String(n.clone())).collect();
    Ok(page_object(member, page, next))
}

/// A paginated list of `(sort key, item)` pairs (sorted by key) as `{member: [...], nextToken}`.
pub fn item_page(
    items: Vec<(String, Value)>,
    input: &Value,
    member: &str,
) -> Result<Value, AwsError> {
    let (max, token) = page_args(input);
    let (page, next) = paginate(member, items, max, token)?;
    Ok(page_object(member, page, next))
}

fn page_object(member: &str, page: Vec<Value>, next: Option<String>) -> Value {
    let mut out = Map::new();
    out.insert(member.into(), Value::Array(page));
    if let Some(next) = next {
        out.insert("nextToken".into(), Value::String(next));
    }
    Value::Object(out)
}
