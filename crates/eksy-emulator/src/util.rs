//! Small shared helpers: random identifiers, base64, pagination and ARNs.

use crate::error::AwsError;

pub fn uuid() -> String {
    let hex = random_hex(32);
    // Version 4, variant 1, laid out 8-4-4-4-12.
    let variant = ['8', '9', 'a', 'b'][fastrand::usize(..4)];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        variant,
        &hex[17..20],
        &hex[20..32]
    )
}

pub fn random_hex(len: usize) -> String {
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

const TOKEN_PREFIX: &str = "eksy-page:";

/// One page of `items`, which must be sorted by their key. The token is opaque to clients:
/// base64 of the last key returned. Any token the emulator did not issue is rejected.
pub fn paginate<K: AsRef<str>, T>(
    items: impl IntoIterator<Item = (K, T)>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let limit = max_results.map_or(100, |m| m.clamp(1, 100)) as usize;
    let after = match next_token {
        None => None,
        Some(token) => Some(
            base64_decode(token)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|s| s.strip_prefix(TOKEN_PREFIX).map(str::to_string))
                .ok_or_else(|| AwsError::invalid_parameter("The nextToken provided is invalid."))?,
        ),
    };
    let mut remaining = items
        .into_iter()
        .filter(|(key, _)| after.as_deref().is_none_or(|a| key.as_ref() > a))
        .peekable();
    let mut page = Vec::new();
    let mut last_key = None;
    while page.len() < limit {
        let Some((key, item)) = remaining.next() else {
            break;
        };
        page.push(item);
        last_key = Some(key);
    }
    let token = match (remaining.peek(), last_key) {
        (Some(_), Some(key)) => Some(base64_encode(
            format!("{TOKEN_PREFIX}{}", key.as_ref()).as_bytes(),
        )),
        _ => None,
    };
    Ok((page, token))
}

/// A parsed EKS ARN: `arn:PARTITION:eks:REGION:ACCOUNT:TYPE/PATH...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arn {
    pub region: String,
    pub account: String,
    pub kind: String,
    pub path: Vec<String>,
}

pub fn parse_arn(arn: &str) -> Option<Arn> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("eks"), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let mut path = resource.split('/').map(str::to_string);
    let kind = path.next().filter(|k| !k.is_empty())?;
    let path: Vec<String> = path.collect();
    let valid = !partition.is_empty()
        && !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !path.is_empty()
        && path.iter().all(|p| !p.is_empty());
    valid.then(|| Arn {
        region: region.to_string(),
        account: account.to_string(),
        kind,
        path,
    })
}

/// `2024-01-31T12:00:00Z` (whole seconds, UTC); out-of-range times clamp to the epoch.
pub fn rfc3339(epoch_seconds: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch_seconds.floor() as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Epoch seconds of a SigV4 date (`20240131T120000Z`).
pub fn parse_amz_date(text: &str) -> Option<f64> {
    let digits = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    if text.len() != 16 || text.as_bytes()[8] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(digits(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(digits(0..4)?).ok()?,
        month,
        u8::try_from(digits(6..8)?).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(digits(9..11)?).ok()?,
        u8::try_from(digits(11..13)?).ok()?,
        u8::try_from(digits(13..15)?).ok()?,
    )
    .ok()?;
    Some(date.with_time(clock).assume_utc().unix_timestamp() as f64)
}

pub fn arn(region: &str, account: &str, resource: &str) -> String {
    format!("arn:aws:eks:{region}:{account}:{resource}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_amz_date("20240131T120000Z"), Some(1_706_702_400.0));
        assert_eq!(rfc3339(1_706_702_400.5), "2024-01-31T12:00:00Z");
        assert_eq!(parse_amz_date("2024-01-31T12:00:00Z"), None);
        assert_eq!(parse_amz_date("20241331T120000Z"), None);
    }

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world!"] {
            assert_eq!(
                base64_decode(&base64_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert!(base64_decode("!!").is_none());
    }

    #[test]
    fn pages_are_stable_and_tokens_checked() {
        let items: Vec<(String, i32)> = (0..5).map(|i| (format!("k{i}"), i)).collect();
        let (page, token) = paginate(items.clone(), Some(2), None).unwrap();
        assert_eq!(page, vec![0, 1]);
        let (page, token) = paginate(items.clone(), Some(2), token.as_deref()).unwrap();
        assert_eq!(page, vec![2, 3]);
        let (page, token) = paginate(items.clone(), Some(2), token.as_deref()).unwrap();
        assert_eq!((page, token), (vec![4], None));
        assert!(paginate(items, None, Some("garbage")).is_err());
    }

    #[test]
    fn arns_parse() {
        let a = parse_arn("arn:aws:eks:us-west-2:123456789012:nodegroup/c/n/uuid").unwrap();
        assert_eq!((a.kind.as_str(), a.path.len()), ("nodegroup", 3));
        assert!(parse_arn("arn:aws:s3:::bucket").is_none());
        assert!(parse_arn("arn:aws:eks:us-west-2:123:cluster/x").is_none());
        assert_eq!(uuid().len(), 36);
    }
}
