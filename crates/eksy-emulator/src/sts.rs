//! STS on the emulator's endpoint: `GetCallerIdentity` and `AssumeRole` in the STS query
//! protocol (form-encoded `Action=...&Version=2011-06-15`, XML answers), so `role_arn` flows
//! and `aws sts get-caller-identity` work offline. Any caller may assume any role (there
//! are no IAM policies here); assumed credentials join the identity registry and expire on
//! the emulator clock.

use crate::auth::Caller;
use crate::identity::Identities;
use crate::util::rfc3339;
use crate::wire::WireRequest;
use percent_encoding::percent_decode_str;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Seconds an AssumeRole session lasts unless `DurationSeconds` says otherwise (as AWS).
const DEFAULT_SESSION_SECONDS: i64 = 3600;
const MIN_SESSION_SECONDS: i64 = 900;
const MAX_SESSION_SECONDS: i64 = 43_200;

/// An STS answer: status and XML body.
pub struct StsResponse {
    pub status: u16,
    pub body: String,
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space).
pub fn parse_form(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// The STS parameters of a request, when it is an STS query call (`/` with an `Action`).
pub fn sts_params(req: &WireRequest) -> Option<Vec<(String, String)>> {
    if req.path != "/" {
        return None;
    }
    let mut params = req.query.clone();
    if req.method == "POST" {
        params.extend(parse_form(&String::from_utf8_lossy(&req.body)));
    }
    params.iter().any(|(k, _)| k == "Action").then_some(params)
}

pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// STS's name for a signature error the JSON services name otherwise.
pub fn code_for(code: &str) -> &str {
    match code {
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "ExpiredTokenException" => "ExpiredToken",
        other => other.trim_end_matches("Exception"),
    }
}

/// The `<Code>` of an STS error body.
pub fn error_code(body: &str) -> String {
    body.split("<Code>")
        .nth(1)
        .and_then(|rest| rest.split("</Code>").next())
        .unwrap_or("")
        .to_string()
}

pub fn error(status: u16, code: &str, message: &str, request_id: &str) -> StsResponse {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    StsResponse {
        status,
        body: format!(
            "<ErrorResponse xmlns=\"{XMLNS}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
            xml_escape(code),
            xml_escape(message)
        ),
    }
}

fn success(action: &str, result: &str, request_id: &str) -> StsResponse {
    StsResponse {
        status: 200,
        body: format!(
            "<{action}Response xmlns=\"{XMLNS}\">\n  <{action}Result>\n{result}  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n"
        ),
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn invalid(message: String, request_id: &str) -> StsResponse {
    error(400, "ValidationError", &message, request_id)
}

/// Runs one STS call for `caller` (already checked for a well-formed signature).
pub fn handle(
    params: &[(String, String)],
    caller: &Caller,
    identities: &mut Identities,
    default_account: &str,
    now: f64,
    request_id: &str,
) -> StsResponse {
    if let Some(identity) = identities.get(&caller.access_key_id) {
        if identity.expired(now) {
            return error(
                400,
                "ExpiredToken",
                "The security token included in the request is expired",
                request_id,
            );
        }
    }
    match param(params, "Action").unwrap_or("") {
        "GetCallerIdentity" => {
            let (arn, account, user_id) = match identities.get(&caller.access_key_id) {
                Some(i) => (i.arn.clone(), i.account.clone(), i.user_id.clone()),
                None => (
                    identities.principal_for(&caller.access_key_id, default_account),
                    caller.account.clone(),
                    caller.access_key_id.clone(),
                ),
            };
            let result = format!(
                "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
                xml_escape(&arn),
                xml_escape(&user_id),
                xml_escape(&account)
            );
            success("GetCallerIdentity", &result, request_id)
        }
        "AssumeRole" => assume_role(params, identities, now, request_id),
        other => error(
            400,
            "InvalidAction",
            &format!("Could not find operation {other} for version 2011-06-15 (the eksy emulator serves GetCallerIdentity and AssumeRole)"),
            request_id,
        ),
    }
}

fn assume_role(
    params: &[(String, String)],
    identities: &mut Identities,
    now: f64,
    request_id: &str,
) -> StsResponse {
    let Some(role_arn) = param(params, "RoleArn") else {
        return invalid(
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null".into(),
            request_id,
        );
    };
    let Some(session) = param(params, "RoleSessionName") else {
        return invalid(
            "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null".into(),
            request_id,
        );
    };
    let session_ok = (2..=64).contains(&session.len())
        && session
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if !session_ok {
        return invalid(
            format!("1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
            request_id,
        );
    }
    let duration = match param(params, "DurationSeconds") {
        None => DEFAULT_SESSION_SECONDS,
        Some(text) => match text.parse::<i64>() {
            Ok(d) if (MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&d) => d,
            _ => {
                return invalid(
                    format!("1 validation error detected: Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must have value between {MIN_SESSION_SECONDS} and {MAX_SESSION_SECONDS}"),
                    request_id,
                )
            }
        },
    };
    let expires_at = now + duration as f64;
    let Some(assumed) = identities.assume_role(role_arn, session, expires_at, now) else {
        return invalid(
            format!("{role_arn} is not a valid IAM role ARN"),
            request_id,
        );
    };
    let result = format!(
        "    <AssumedRoleUser>\n      <Arn>{}</Arn>\n      <AssumedRoleId>{}</AssumedRoleId>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{}</Expiration>\n    </Credentials>\n    <PackedPolicySize>0</PackedPolicySize>\n",
        xml_escape(&assumed.arn),
        xml_escape(&assumed.user_id),
        assumed.access_key_id,
        assumed.secret_access_key,
        assumed.session_token.as_deref().unwrap_or(""),
        rfc3339(expires_at)
    );
    success("AssumeRole", &result, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(key: &str) -> Caller {
        Caller {
            access_key_id: key.into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn caller_identity_and_assume_role() {
        let mut ids = Identities::with_default("123456789012");
        let who = handle(
            &params(&[("Action", "GetCallerIdentity")]),
            &caller("testing"),
            &mut ids,
            "123456789012",
            1000.0,
            "r",
        );
        assert_eq!(who.status, 200);
        assert!(who
            .body
            .contains("<Arn>arn:aws:iam::123456789012:user/testing</Arn>"));
        let assumed = handle(
            &params(&[
                ("Action", "AssumeRole"),
                ("RoleArn", "arn:aws:iam::111122223333:role/dev"),
                ("RoleSessionName", "alice"),
                ("DurationSeconds", "900"),
            ]),
            &caller("testing"),
            &mut ids,
            "123456789012",
            1000.0,
            "r",
        );
        assert_eq!(assumed.status, 200, "{}", assumed.body);
        assert!(assumed
            .body
            .contains("arn:aws:sts::111122223333:assumed-role/dev/alice"));
        let key = assumed
            .body
            .split("<AccessKeyId>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_string();
        let identity = ids.get(&key).unwrap();
        assert_eq!(identity.expires_at, Some(1900.0));
        let expired = handle(
            &params(&[("Action", "GetCallerIdentity")]),
            &caller(&key),
            &mut ids,
            "123456789012",
            1900.0,
            "r",
        );
        assert!(expired.body.contains("ExpiredToken"));
        let bad = handle(
            &params(&[
                ("Action", "AssumeRole"),
                ("RoleArn", "arn:aws:iam::111122223333:role/dev"),
                ("RoleSessionName", "a"),
            ]),
            &caller("testing"),
            &mut ids,
            "123456789012",
            1000.0,
            "r",
        );
        assert_eq!(bad.status, 400);
    }

    #[test]
    fn form_bodies_decode_plus_as_space() {
        assert_eq!(
            parse_form("Action=AssumeRole&RoleSessionName=a+b%2Bc"),
            params(&[("Action", "AssumeRole"), ("RoleSessionName", "a b+c")])
        );
    }
}
