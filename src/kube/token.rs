//! The token itself: a presigned STS `GetCallerIdentity` URL, made exactly as `aws eks get-token`
//! makes it (botocore's presigner is the test suite's reference).

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_sdk_sts::config::endpoint::{Params, ResolveEndpoint};
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_types::Document;
use aws_types::service_config::ServiceConfigKey;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::error::TokenError;

pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// What the CLI puts in `X-Amz-Expires`; EKS itself accepts a token for 15 minutes from its date.
const URL_EXPIRES: Duration = Duration::from_secs(60);
/// Issue time + 14 minutes, as the CLI reports it: clients refresh a minute before EKS would refuse.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);
const CLUSTER_HEADER: &str = "x-k8s-aws-id";
const QUERY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// RFC 3986 unreserved characters stay; everything else is %XX (botocore's `quote(safe='-_.~')`).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Where the token's URL points and the region it is signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsEndpoint {
    pub url: String,
    pub signing_region: String,
}

fn sts_setting(config: &SdkConfig, env: &'static str, profile: &'static str) -> Option<String> {
    let key = ServiceConfigKey::builder()
        .service_id("STS")
        .env(env)
        .profile(profile)
        .build()
        .ok()?;
    config.service_config()?.load_config(key)
}

/// The custom STS endpoint, chosen as the Rust SDK's STS client chooses it: an explicit
/// `endpoint_url`, else `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` / the profile's.
pub fn configured_endpoint_url(config: &SdkConfig) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_owned);
    }
    sts_setting(config, "AWS_ENDPOINT_URL", "endpoint_url")
        .or_else(|| config.endpoint_url().map(str::to_owned))
}

/// Resolves the STS endpoint with the SDK's STS rule set, with `AWS_STS_REGIONAL_ENDPOINTS` /
/// `sts_regional_endpoints` read as botocore reads them (the Rust SDK ignores the setting):
/// `legacy` sends the legacy regions to the global endpoint, signed for us-east-1.
pub async fn resolve_endpoint(config: &SdkConfig, region: &str) -> Result<StsEndpoint, TokenError> {
    let custom = configured_endpoint_url(config);
    let legacy = match sts_setting(
        config,
        "AWS_STS_REGIONAL_ENDPOINTS",
        "sts_regional_endpoints",
    )
    .as_deref()
    {
        None | Some("") | Some("regional") => false,
        Some("legacy") => true,
        Some(other) => {
            return Err(TokenError::Config(format!(
                "sts_regional_endpoints (AWS_STS_REGIONAL_ENDPOINTS) must be 'legacy' or 'regional', not {other:?}"
            )))
        }
    };
    // As botocore: a custom endpoint is used as given, never with the FIPS or dual-stack variants.
    let variants = custom.is_none();
    let params = Params::builder()
        .region(region)
        .use_fips(variants && config.use_fips().unwrap_or(false))
        .use_dual_stack(variants && config.use_dual_stack().unwrap_or(false))
        .set_endpoint(custom)
        .use_global_endpoint(legacy)
        .build()
        .map_err(|e| TokenError::Config(format!("cannot resolve the STS endpoint: {e}")))?;
    let endpoint = aws_sdk_sts::config::endpoint::DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| TokenError::Config(format!("cannot resolve the STS endpoint: {e}")))?;
    let from_scheme = |doc: Option<&Document>| match doc {
        Some(Document::String(r)) => Some(r.clone()),
        _ => None,
    };
    // The signing region the rule set names (us-east-1 for the global endpoint), in the typed
    // auth schemes or, in older resolvers, the `authSchemes` property.
    let signing_region = endpoint
        .auth_schemes()
        .iter()
        .find_map(|scheme| from_scheme(scheme.get("signingRegion")))
        .or_else(|| match endpoint.properties().get("authSchemes") {
            Some(Document::Array(list)) => list.iter().find_map(|scheme| match scheme {
                Document::Object(fields) => from_scheme(fields.get("signingRegion")),
                _ => None,
            }),
            _ => None,
        })
        .unwrap_or_else(|| region.to_owned());
    Ok(StsEndpoint {
        url: endpoint.url().to_owned(),
        signing_region,
    })
}

/// `endpoint` with botocore's request path: "/" when it has none, else its own path.
fn request_base(endpoint: &str) -> Result<String, TokenError> {
    let invalid = || TokenError::Param {
        path: "endpoint_url",
        message: format!(
            "{endpoint:?} is not an http:// or https:// URL without query or fragment"
        ),
    };
    let (scheme, rest) = endpoint.split_once("://").ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(invalid());
    }
    if rest.is_empty() || rest.contains(['?', '#']) || rest.starts_with('/') {
        return Err(invalid());
    }
    Ok(if rest.contains('/') {
        endpoint.to_owned()
    } else {
        format!("{endpoint}/")
    })
}

/// Rank of each presigning parameter in botocore's URL: the signature last, the session token
/// just before it.
fn botocore_rank(name: &str) -> usize {
    match name {
        "X-Amz-Algorithm" => 0,
        "X-Amz-Credential" => 1,
        "X-Amz-Date" => 2,
        "X-Amz-Expires" => 3,
        "X-Amz-SignedHeaders" => 4,
        "X-Amz-Signature" => 7,
        "X-Amz-Security-Token" => 6,
        _ => 5,
    }
}

/// The presigned `GetCallerIdentity` URL for `cluster` (its name, or its id on Outposts).
pub fn presign(
    credentials: &Credentials,
    endpoint: &StsEndpoint,
    cluster: &str,
    time: SystemTime,
) -> Result<String, TokenError> {
    let unsigned = format!("{}?{QUERY}", request_base(&endpoint.url)?);
    let identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(URL_EXPIRES);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&endpoint.signing_region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| TokenError::Config(format!("cannot sign the token: {e}")))?
        .into();
    let request = SignableRequest::new(
        "GET",
        Cow::Borrowed(unsigned.as_str()),
        std::iter::once((CLUSTER_HEADER, cluster)),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| TokenError::Config(format!("cannot sign the token: {e}")))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| TokenError::Config(format!("cannot sign the token: {e}")))?
        .into_parts();
    let mut signed: Vec<(&str, &str)> = instructions
        .params()
        .iter()
        .map(|(name, value)| (*name, value.as_ref()))
        .collect();
    signed.sort_by_key(|(name, _)| botocore_rank(name));
    let mut url = unsigned;
    for (name, value) in signed {
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY_VALUE));
    }
    Ok(url)
}

/// `k8s-aws-v1.` + the URL in unpadded base64url.
pub fn token_of(url: &str) -> String {
    let mut token = String::from(TOKEN_PREFIX);
    token.push_str(&base64_simd::URL_SAFE_NO_PAD.encode_to_string(url.as_bytes()));
    token
}
