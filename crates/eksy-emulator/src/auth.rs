//! SigV4: shape checks and the caller's identity (region from the credential scope, account
//! from the access key id), and, in strict mode, verification of the signature itself.

use crate::error::AwsError;
use crate::identity::{account_for, Identities};
use crate::util::parse_amz_date;
use crate::wire::WireRequest;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use std::time::{Duration, UNIX_EPOCH};

/// Who is calling and where: state is kept apart per `(account, region)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub access_key_id: String,
    pub account: String,
    pub region: String,
}

fn incomplete(message: String) -> AwsError {
    AwsError::new("IncompleteSignatureException", message)
}

/// Checks that the request carries a well-formed SigV4 Authorization header (or presigned
/// query) and returns the caller; rejects as AWS does otherwise.
pub fn authenticate(req: &WireRequest, default_account: &str) -> Result<Caller, AwsError> {
    let query_credential = req.query_values("X-Amz-Credential").next();
    let credential = match (req.header("authorization"), query_credential) {
        (Some(header), _) => {
            let credential = parse_header(header)?;
            let has_date = req.header("x-amz-date").is_some() || req.header("date").is_some();
            if !has_date {
                return Err(incomplete(format!(
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header}"
                )));
            }
            credential
        }
        (None, Some(credential)) => {
            let complete = [
                "X-Amz-Algorithm",
                "X-Amz-Signature",
                "X-Amz-SignedHeaders",
                "X-Amz-Date",
            ]
            .iter()
            .all(|k| req.query_values(k).next().is_some());
            if !complete {
                return Err(incomplete(
                    "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'.".into(),
                ));
            }
            credential.to_string()
        }
        (None, None) => {
            return Err(AwsError::new(
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ))
        }
    };
    // Credential=AKID/DATE/REGION/SERVICE/aws4_request
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [akid, date, region, service, "aws4_request"]
            if !akid.is_empty() && date.len() == 8 && !region.is_empty() && !service.is_empty() =>
        {
            if !is_region_name(region) {
                return Err(AwsError::new(
                    "InvalidSignatureException",
                    format!("Credential should be scoped to a valid region, not '{region}'."),
                )
                .with_status(403));
            }
            Ok(Caller {
                access_key_id: akid.to_string(),
                account: account_for(akid, default_account),
                region: region.to_string(),
            })
        }
        _ => Err(incomplete(format!(
            "Credential should be scoped to a valid region, service and date, and end with 'aws4_request'. Credential={credential}"
        ))),
    }
}

/// An AWS region's shape (`us-east-1`, `us-gov-west-1`, `eu-central-2`): each one gets its own
/// state, so an invented scope string must not create one.
fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    region.len() <= 32
        && words.len() >= 2
        && words[0].len() == 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
fn parse_header(header: &str) -> Result<String, AwsError> {
    let Some(params) = header.trim().strip_prefix("AWS4-HMAC-SHA256") else {
        return Err(incomplete(format!(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={header}"
        )));
    };
    let mut credential = None;
    let mut signed_headers = false;
    let mut signature = false;
    for part in params.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        let present = !value.trim().is_empty();
        match key.trim() {
            "Credential" if present => credential = Some(value.trim().to_string()),
            "SignedHeaders" => signed_headers = present,
            "Signature" => signature = present,
            _ => {}
        }
    }
    let mut missing = Vec::new();
    for (name, ok) in [
        ("Credential", credential.is_some()),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if !ok {
            missing.push(format!("Authorization header requires '{name}' parameter."));
        }
    }
    match credential {
        Some(c) if missing.is_empty() => Ok(c),
        _ => Err(incomplete(format!(
            "{} Authorization={header}",
            missing.join(" ")
        ))),
    }
}

/// How far a request's `X-Amz-Date` may be from the wall clock (AWS allows 5 minutes).
/// Wall clock, not the emulator's: `advance` must not invalidate every signature.
pub const ALLOWED_SKEW_SECONDS: f64 = 300.0;

fn invalid_signature() -> AwsError {
    AwsError::new(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

fn unrecognized() -> AwsError {
    AwsError::new(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

/// Strict mode: the request's SigV4 signature (Authorization header form) must verify with
/// the secret the identity registry holds for its access key, recomputed with aws-sigv4.
pub fn verify_signature(
    req: &WireRequest,
    caller: &Caller,
    identities: &Identities,
    emulator_now: f64,
) -> Result<(), AwsError> {
    let Some(header) = req.header("authorization") else {
        return Err(AwsError::new(
            "IncompleteSignatureException",
            "Strict mode verifies signatures in the Authorization header only.",
        ));
    };
    let field = |name: &str| {
        header
            .split([',', ' '])
            .find_map(|part| part.trim().strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("")
    };
    let (signed_headers, given) = (field("SignedHeaders"), field("Signature"));
    let scope: Vec<&str> = field("Credential").split('/').collect();
    let [_, _, scope_region, service, _] = scope.as_slice() else {
        return Err(incomplete(format!(
            "Credential is malformed. Authorization={header}"
        )));
    };
    let Some(identity) = identities.get(&caller.access_key_id) else {
        return Err(unrecognized());
    };
    if identity.expired(emulator_now) {
        return Err(AwsError::new(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        ));
    }
    if req.header("x-amz-security-token") != identity.session_token.as_deref() {
        return Err(unrecognized());
    }
    let date_text = req.header("x-amz-date").unwrap_or("");
    let date = parse_amz_date(date_text).ok_or_else(|| {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{date_text}'."
        ))
    })?;
    let wall = crate::state::wall_now();
    if (date - wall).abs() > ALLOWED_SKEW_SECONDS {
        let (relation, bound, sign) = if date < wall {
            ("is now earlier than", wall - ALLOWED_SKEW_SECONDS, '-')
        } else {
            ("is still later than", wall + ALLOWED_SKEW_SECONDS, '+')
        };
        let kind = if date < wall {
            "expired"
        } else {
            "not yet current"
        };
        return Err(AwsError::new(
            "InvalidSignatureException",
            format!(
                "Signature {kind}: {date_text} {relation} {} ({} {sign} 5 min.)",
                amz_date(bound),
                amz_date(wall)
            ),
        ));
    }
    let host = req.header("host").unwrap_or("");
    let url = if req.raw_query.is_empty() {
        format!("http://{host}{}", req.path)
    } else {
        format!("http://{host}{}?{}", req.path, req.raw_query)
    };
    let headers: Vec<(&str, &str)> = signed_headers
        .split(';')
        .filter(|name| !matches!(*name, "x-amz-date" | "x-amz-security-token"))
        .map(|name| (name, req.header(name).unwrap_or("")))
        .collect();
    let body = match req.header("x-amz-content-sha256") {
        Some(hash) => SignableBody::Precomputed(hash.to_string()),
        None => SignableBody::Bytes(&req.body),
    };
    let credentials = aws_credential_types::Credentials::new(
        identity.access_key_id.clone(),
        identity.secret_access_key.clone(),
        identity.session_token.clone(),
        None,
        "eksy-emulator",
    );
    let signing_identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(vec![std::borrow::Cow::Borrowed("authorization")]);
    let time = UNIX_EPOCH + Duration::from_secs(date.max(0.0) as u64);
    let computed = v4::SigningParams::builder()
        .identity(&signing_identity)
        .region(scope_region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .ok()
        .and_then(|params| {
            let params = params.into();
            let request = SignableRequest::new(&req.method, url, headers.into_iter(), body).ok()?;
            sign(request, &params)
                .ok()
                .map(|out| out.signature().to_string())
        });
    match computed {
        Some(signature) if signature == given => Ok(()),
        _ => Err(invalid_signature()),
    }
}

fn amz_date(epoch: f64) -> String {
    crate::util::rfc3339(epoch).replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_region_shaped_scopes_are_regions() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "eu-central-2",
            "ap-southeast-5",
            "cn-north-1",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-123",
            "x-east-1",
            "us--1",
            "a/b",
            "us-east-1 ",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    fn req(auth: Option<&str>) -> WireRequest {
        let mut headers = vec![("x-amz-date".to_string(), "20240101T000000Z".to_string())];
        if let Some(a) = auth {
            headers.push(("authorization".to_string(), a.to_string()));
        }
        WireRequest {
            headers,
            ..Default::default()
        }
    }

    #[test]
    fn reads_region_and_account() {
        let ok = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/eks/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
        let caller = authenticate(&req(Some(ok)), "123456789012").unwrap();
        assert_eq!(caller.region, "eu-west-1");
        assert_eq!(caller.account, "123456789012");
        let as_account = ok.replace("AKIDEXAMPLE", "111122223333");
        assert_eq!(
            authenticate(&req(Some(&as_account)), "123456789012")
                .unwrap()
                .account,
            "111122223333"
        );
    }

    #[test]
    fn rejects_missing_and_malformed() {
        assert_eq!(
            authenticate(&req(None), "1").unwrap_err().code,
            "MissingAuthenticationTokenException"
        );
        for bad in [
            "Bearer x",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AK/2024/r/eks, SignedHeaders=h, Signature=s",
        ] {
            let err = authenticate(&req(Some(bad)), "1").unwrap_err();
            assert_eq!(err.code, "IncompleteSignatureException", "{bad}");
            assert_eq!(err.status, 403);
        }
    }
}
