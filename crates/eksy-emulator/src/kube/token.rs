//! Bearer-token authentication as EKS does it (aws-iam-authenticator's rules): the token is
//! `k8s-aws-v1.` + unpadded base64url of a presigned STS `GetCallerIdentity` URL. Where the
//! authenticator would then send that URL to STS, the emulator recomputes its SigV4
//! signature with the AWS crates and the secret its identity registry holds for the key.

use crate::identity::{canonical_arn, session_name, Identities};
use crate::util::parse_amz_date;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use percent_encoding::percent_decode_str;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// The authenticator's limit on a token's length.
pub const MAX_TOKEN_BYTES: usize = 4096;
/// The longest `X-Amz-Expires` accepted, and the default age limit of `X-Amz-Date`.
pub const MAX_EXPIRES_SECONDS: i64 = 900;
pub const DEFAULT_MAX_TOKEN_AGE: f64 = 900.0;
/// How far in the future a signing date may lie (STS's allowed clock skew).
const ALLOWED_SKEW_SECONDS: f64 = 300.0;

const ALLOWED_PARAMETERS: &[&str] = &[
    "action",
    "version",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signature",
    "x-amz-signedheaders",
];

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenIdentity {
    /// As STS's GetCallerIdentity would return it (an assumed-role ARN for roles).
    pub arn: String,
    /// The authenticator's canonical form (an assumed role becomes its role ARN).
    pub canonical_arn: String,
    pub account: String,
    pub user_id: String,
    pub access_key_id: String,
    pub session_name: Option<String>,
}

/// What a token must match besides its signature.
pub struct Expectations<'a> {
    /// The cluster's name, then its id (Outposts local clusters): `x-k8s-aws-id` is one of them.
    pub cluster_ids: &'a [&'a str],
    pub region: &'a str,
    /// Emulator clock, epoch seconds.
    pub now: f64,
    /// How old `X-Amz-Date` may be (15 minutes on EKS; a setting here).
    pub max_age: f64,
    /// `host:port` of the emulator's own endpoint, which also serves STS.
    pub emulator_authority: &'a str,
}

fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover sextet cannot come from whole bytes.
    (text.len() % 4 != 1).then_some(out)
}

fn valid_sts_host(host: &str, region: &str, emulator_authority: &str) -> bool {
    host == emulator_authority
        || host == "sts.amazonaws.com"
        || host == format!("sts.{region}.amazonaws.com")
        || host == format!("sts.{region}.amazonaws.com.cn")
        || host == format!("sts.{region}.api.aws")
}

/// Verifies a bearer token; the error is the reason, for the 401's details (it never
/// repeats the token or a secret).
pub fn verify(
    token: &str,
    expect: &Expectations,
    identities: &Identities,
) -> Result<TokenIdentity, String> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!("token is too large (over {MAX_TOKEN_BYTES} bytes)"));
    }
    let Some(encoded) = token.strip_prefix(TOKEN_PREFIX) else {
        return Err(format!("token is missing expected {TOKEN_PREFIX:?} prefix"));
    };
    let url = decode_base64url(encoded)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or("token is not valid unpadded base64url")?;
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("the token's pre-signed URL is not a URL")?;
    let (authority, path_and_query) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let own = authority == expect.emulator_authority;
    if scheme != "https" && !(own && scheme == "http") {
        return Err(format!("unexpected scheme {scheme:?} in pre-signed URL"));
    }
    if !valid_sts_host(authority, expect.region, expect.emulator_authority) {
        return Err(format!(
            "unexpected hostname {authority:?} in pre-signed URL"
        ));
    }
    if path != "/" {
        return Err(format!("unexpected path {path:?} in pre-signed URL"));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let key = percent_decode_str(k).decode_utf8_lossy().to_lowercase();
        let value = percent_decode_str(v).decode_utf8_lossy().into_owned();
        if !ALLOWED_PARAMETERS.contains(&key.as_str()) {
            return Err(format!("non-whitelisted query parameter {key:?}"));
        }
        if params.iter().any(|(existing, _)| *existing == key) {
            return Err("query parameter with multiple values not supported".into());
        }
        params.push((key, value));
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("action") != Some("GetCallerIdentity") {
        return Err("unexpected action parameter in pre-signed URL".into());
    }
    let signed_headers = get("x-amz-signedheaders").unwrap_or("");
    if !signed_headers.split(';').any(|h| h == "x-k8s-aws-id") {
        return Err("client did not sign the x-k8s-aws-id header in the pre-signed URL".into());
    }
    if signed_headers
        .split(';')
        .any(|h| h != "host" && h != "x-k8s-aws-id")
    {
        return Err(format!(
            "the pre-signed URL signs headers other than host and x-k8s-aws-id ({signed_headers})"
        ));
    }
    let expires = get("x-amz-expires")
        .and_then(|e| e.parse::<i64>().ok())
        .filter(|e| (0..=MAX_EXPIRES_SECONDS).contains(e))
        .ok_or("X-Amz-Expires parameter out of range (0 to 900 seconds)")?;
    let date_text = get("x-amz-date").unwrap_or("");
    let date = parse_amz_date(date_text).ok_or("X-Amz-Date parameter is missing or malformed")?;
    if expect.now - date > expect.max_age {
        return Err(format!(
            "X-Amz-Date parameter is expired ({} second expiration)",
            expect.max_age
        ));
    }
    if date - expect.now > ALLOWED_SKEW_SECONDS {
        return Err("X-Amz-Date parameter is in the future (signature not yet current)".into());
    }
    // Credential = AKID/DATE/REGION/sts/aws4_request
    let credential = get("x-amz-credential").unwrap_or("");
    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, day, scope_region, "sts", "aws4_request"] = scope.as_slice() else {
        return Err("X-Amz-Credential is not scoped to sts".into());
    };
    if !date_text.starts_with(day) {
        return Err("X-Amz-Credential's date does not match X-Amz-Date".into());
    }
    let Some(identity) = identities.get(akid) else {
        return Err("InvalidClientTokenId: the security token included in the request is invalid (unknown access key)".into());
    };
    if identity.expired(expect.now) {
        return Err("ExpiredToken: the security token included in the request is expired".into());
    }
    if get("x-amz-security-token") != identity.session_token.as_deref() {
        return Err(
            "InvalidClientTokenId: the session token does not belong to the access key".into(),
        );
    }
    let given = get("x-amz-signature").unwrap_or("");
    // The signature covers every parameter but itself; the signer adds the auth ones back.
    let base_query: Vec<String> = query
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !key.starts_with("x-amz-")
        })
        .map(str::to_string)
        .collect();
    let unsigned_url = format!("{scheme}://{authority}/?{}", base_query.join("&"));
    let credentials = Credentials::new(
        identity.access_key_id.clone(),
        identity.secret_access_key.clone(),
        identity.session_token.clone(),
        None,
        "eksy-emulator",
    );
    let signing_identity = credentials.into();
    let signing_time = UNIX_EPOCH + Duration::from_secs(date.max(0.0) as u64);
    let matches = |cluster_id: &str, body: SignableBody| -> bool {
        signature_for(
            &unsigned_url,
            cluster_id,
            body,
            &signing_identity,
            scope_region,
            signing_time,
            expires,
        )
        .is_some_and(|computed| constant_time_eq(computed.as_bytes(), given.as_bytes()))
    };
    let signed_for_this_cluster = expect.cluster_ids.iter().any(|id| {
        matches(id, SignableBody::UnsignedPayload) || matches(id, SignableBody::Bytes(&[]))
    });
    if !signed_for_this_cluster {
        return Err("SignatureDoesNotMatch: the signature does not match this cluster's x-k8s-aws-id and the key's secret".into());
    }
    Ok(TokenIdentity {
        canonical_arn: canonical_arn(&identity.arn),
        session_name: session_name(&identity.arn).map(str::to_string),
        arn: identity.arn.clone(),
        account: identity.account.clone(),
        user_id: identity.user_id.clone(),
        access_key_id: identity.access_key_id.clone(),
    })
}

fn signature_for(
    url: &str,
    cluster_id: &str,
    body: SignableBody,
    identity: &aws_smithy_runtime_api::client::identity::Identity,
    region: &str,
    time: SystemTime,
    expires: i64,
) -> Option<String> {
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(u64::try_from(expires).ok()?));
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .ok()?
        .into();
    let headers = [("x-k8s-aws-id", cluster_id)];
    let request = SignableRequest::new("GET", url, headers.into_iter(), body).ok()?;
    let output = sign(request, &params).ok()?;
    Some(output.signature().to_string())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    fn registry() -> Identities {
        let mut ids = Identities::with_default("123456789012");
        ids.insert(Identity {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/alice".into(),
            user_id: "AIDAEXAMPLE".into(),
            expires_at: None,
        });
        ids
    }

    /// Made by botocore 1.43.125's presigner (RequestSigner.generate_presigned_url, as the
    /// AWS CLI's `eks get-token` calls it) for cluster `demo`, region `us-east-1`, the
    /// credentials above and the clock frozen at 2024-01-31T12:00:00Z, outside this crate.
    const BOTOCORE_TOKEN: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTMxJTJGdXMtZWFzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMzFUMTIwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZjdhZDJlOTQzMzk4MWM1MGMwYWVkNDM0MTM3YTE5MDA2NTMxYzg5ZWE4MzM4M2NjZWQ0YzkzMTY5NGY2ZGMwZA";

    fn expect(now: f64) -> Expectations<'static> {
        Expectations {
            cluster_ids: &["demo"],
            region: "us-east-1",
            now,
            max_age: DEFAULT_MAX_TOKEN_AGE,
            emulator_authority: "127.0.0.1:1",
        }
    }

    const SIGNED_AT: f64 = 1_706_702_400.0;

    #[test]
    fn a_botocore_token_verifies() {
        let ids = registry();
        let who = verify(&fixed_vector(), &expect(SIGNED_AT + 30.0), &ids).unwrap();
        assert_eq!(who.arn, "arn:aws:iam::123456789012:user/alice");
        assert_eq!(who.canonical_arn, who.arn);
    }

    #[test]
    fn the_same_token_fails_for_another_cluster_late_or_tampered() {
        let ids = registry();
        let token = fixed_vector();
        let mut other = expect(SIGNED_AT);
        other.cluster_ids = &["other"];
        assert!(verify(&token, &other, &ids)
            .unwrap_err()
            .contains("SignatureDoesNotMatch"));
        assert!(verify(&token, &expect(SIGNED_AT + 901.0), &ids)
            .unwrap_err()
            .contains("expired"));
        let tampered = token.replace('A', "B");
        assert!(verify(&tampered, &expect(SIGNED_AT), &ids).is_err());
        let unknown = Identities::with_default("123456789012");
        assert!(verify(&token, &expect(SIGNED_AT), &unknown)
            .unwrap_err()
            .contains("InvalidClientTokenId"));
        assert!(verify("Bearer", &expect(SIGNED_AT), &ids)
            .unwrap_err()
            .contains("prefix"));
    }

    fn fixed_vector() -> String {
        BOTOCORE_TOKEN.to_string()
    }
}
