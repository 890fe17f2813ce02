//! EKS Auth `AssumeRoleForPodIdentity`: trades a projected service account token for
//! credentials of the role of the matching pod identity association. The token's signature
//! is not verified; its payload claims are read (`sub` = `system:serviceaccount:NS:SA`,
//! optional `aud` and `exp`). Credentials are fake but shaped like STS's.

use super::context::{cluster, Ctx};
use super::input::text;
use super::pod_identity;
use crate::error::AwsError;
use crate::util::{base64_decode, base64_encode, random_hex, uuid};
use serde_json::{json, Map, Value};

const AUDIENCE: &str = "pods.eks.amazonaws.com";
const CREDENTIAL_SECONDS: f64 = 6.0 * 3600.0;

fn invalid_token(message: impl Into<String>) -> AwsError {
    AwsError::new("InvalidTokenException", message)
}

/// The JSON payload of a JWT (base64url, unpadded).
fn claims(token: &str) -> Result<Map<String, Value>, AwsError> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid_token("The service account token is not a JWT."))?;
    let standard: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    base64_decode(&standard)
        .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
        .ok_or_else(|| invalid_token("The service account token payload is not valid JSON."))
}

fn upper_alnum(len: usize) -> String {
    let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..len)
        .map(|_| char::from(chars[fastrand::usize(..chars.len())]))
        .collect()
}

pub fn assume_role_for_pod_identity(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let claims = claims(text(input, "token"))?;
    let subject = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let Some((namespace, service_account)) = subject
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
        .filter(|(ns, sa)| !ns.is_empty() && !sa.is_empty())
    else {
        return Err(invalid_token(
            "The token subject must be system:serviceaccount:<namespace>:<service account>.",
        ));
    };
    let audience = match claims.get("aud") {
        None => AUDIENCE.to_string(),
        Some(Value::String(aud)) if aud == AUDIENCE => aud.clone(),
        Some(Value::Array(auds)) if auds.iter().any(|a| a == AUDIENCE) => AUDIENCE.to_string(),
        Some(_) => {
            return Err(invalid_token(format!(
                "The token audience must include {AUDIENCE}."
            )))
        }
    };
    if claims
        .get("exp")
        .and_then(Value::as_f64)
        .is_some_and(|exp| exp < ctx.now)
    {
        return Err(AwsError::new(
            "ExpiredTokenException",
            "The service account token has expired.",
        ));
    }
    let pod = claims
        .get("kubernetes.io")
        .and_then(|k| k.pointer("/pod/name"))
        .and_then(Value::as_str)
        .unwrap_or("pod")
        .to_string();
    let now = ctx.now;
    let state = cluster(ctx.resources, cluster_name)
        .map_err(|_| AwsError::not_found(format!("No cluster found for name: {cluster_name}.")))?;
    let association = pod_identity::find(state, namespace, service_account).ok_or_else(|| {
        AwsError::not_found(format!(
            "No Pod Identity Association found for service account {namespace}/{service_account} in cluster {cluster_name}."
        ))
    })?;
    let role = association
        .body
        .get("targetRoleArn")
        .and_then(Value::as_str)
        .unwrap_or_else(|| association.get_str("roleArn"));
    // arn:aws:iam::ACCOUNT:role/path/NAME
    let role_account = role.split(':').nth(4).unwrap_or("");
    let role_name = role.rsplit('/').next().unwrap_or("");
    let mut session = format!("eks-{cluster_name}-{pod}-{}", uuid());
    session.truncate(64);
    Ok(json!({
        "subject": {"namespace": namespace, "serviceAccount": service_account},
        "audience": audience,
        "podIdentityAssociation": {
            "associationArn": association.get_str("associationArn"),
            "associationId": association.get_str("associationId"),
        },
        "assumedRoleUser": {
            "arn": format!("arn:aws:sts::{role_account}:assumed-role/{role_name}/{session}"),
            "assumeRoleId": format!("AROA{}:{session}", upper_alnum(17)),
        },
        "credentials": {
            "accessKeyId": format!("ASIA{}", upper_alnum(16)),
            // 30 bytes encode to the 40 characters of an AWS secret key.
            "secretAccessKey": base64_encode(random_hex(30).as_bytes()),
            "sessionToken": base64_encode(format!("eksy-pod-identity:{}", random_hex(200)).as_bytes()),
            "expiration": now + CREDENTIAL_SECONDS,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jwt_claims() {
        let payload = base64_encode(
            br#"{"sub":"system:serviceaccount:ns:sa","aud":["pods.eks.amazonaws.com"]}"#,
        )
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
        let claims = claims(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")).unwrap();
        assert_eq!(claims["sub"], "system:serviceaccount:ns:sa");
        assert!(super::claims("a.!!.c").is_err());
    }
}
