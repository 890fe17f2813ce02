//! Each cluster's own certificate authority (CN `kubernetes`, as EKS names it) and the leaf
//! certificate its Kubernetes endpoint serves, valid for the endpoint's address and
//! `localhost`. ECDSA P-256 keys: generated in well under a millisecond, accepted by Go
//! (kubectl), OpenSSL (the Python clients) and rustls alike.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// EKS cluster CAs are valid for ten years; so are these (and their leaves).
const VALIDITY_DAYS: i64 = 3650;

#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClusterPki {
    /// PEM of the CA certificate: `certificateAuthority.data` is its base64.
    pub ca_pem: String,
    pub leaf_der: Vec<u8>,
    pub leaf_key_der: Vec<u8>,
}

impl std::fmt::Debug for ClusterPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterPki { .. }")
    }
}

fn validity(params: &mut CertificateParams) {
    // Wall clock, not the emulator clock: clients check validity against their own time.
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(VALIDITY_DAYS);
}

/// A new CA and a leaf for `ip` (and `localhost`, and the in-cluster service names).
pub fn generate(ip: IpAddr) -> Result<ClusterPki, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "kubernetes");
    ca.distinguished_name = name;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    validity(&mut ca);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(vec![
        "localhost".to_string(),
        "kubernetes".to_string(),
        "kubernetes.default".to_string(),
        "kubernetes.default.svc".to_string(),
    ])?;
    leaf.subject_alt_names.push(SanType::IpAddress(ip));
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "kube-apiserver");
    leaf.distinguished_name = name;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut leaf);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
    Ok(ClusterPki {
        ca_pem: ca_cert.pem(),
        leaf_der: leaf_cert.der().to_vec(),
        leaf_key_der: leaf_key.serialize_der(),
    })
}

/// The rustls configuration serving this cluster's leaf (HTTP/1.1 only).
pub fn server_config(pki: &ClusterPki) -> Result<rustls::ServerConfig, String> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.leaf_key_der.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(pki.leaf_der.clone())], key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_ca_signs_a_leaf_rustls_accepts() {
        let pki = generate("127.0.0.1".parse().unwrap()).unwrap();
        assert!(pki.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        server_config(&pki).unwrap();
        let other = generate("127.0.0.1".parse().unwrap()).unwrap();
        assert_ne!(pki.ca_pem, other.ca_pem);
    }
}
