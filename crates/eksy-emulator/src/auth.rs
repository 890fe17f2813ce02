//! SigV4 shape checks (the signature itself is not verified) and the caller's identity:
//! region from the credential scope, account from the access key id.

use crate::error::AwsError;
use crate::wire::WireRequest;

/// Who is calling and where: state is kept apart per `(account, region)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub access_key_id: String,
    pub account: String,
    pub region: String,
}

/// The account of an access key id: a key id of exactly 12 digits *is* the account id (so a
/// test can act as several accounts); any other key belongs to the default account.
pub fn account_for(access_key_id: &str, default_account: &str) -> String {
    if access_key_id.len() == 12 && access_key_id.bytes().all(|b| b.is_ascii_digit()) {
        access_key_id.to_string()
    } else {
        default_account.to_string()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
