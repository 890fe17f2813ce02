//! The HTTP clients shared by every eksy client of a process, each built on first use.
//!
//! Building the SDK's default HTTPS client reads and parses the system's trusted certificates
//! (the bundle and every file of `/etc/ssl/certs`: several milliseconds), which
//! `aws_sdk_eks::Client::new` would otherwise pay on every first client. Deferring it to the first
//! request keeps client construction cheap, and clients of an `http://` endpoint (a local
//! emulator) send through a plain-HTTP client that never loads them. Sharing lets clients share
//! connection pools.

use std::sync::{Mutex, OnceLock};

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

#[derive(Debug)]
struct LazyHttpClient {
    build: fn() -> SharedHttpClient,
    inner: OnceLock<SharedHttpClient>,
}

/// What both clients set on a connector: the SDK's settings and sleep, proxies from the environment.
fn configured<Tls>(
    mut connector: ConnectorBuilder<Tls>,
    settings: Option<&HttpConnectorSettings>,
    components: Option<&RuntimeComponents>,
) -> ConnectorBuilder<Tls> {
    connector.set_connector_settings(settings.cloned());
    if let Some(components) = components {
        connector.set_sleep_impl(components.sleep_impl());
    }
    connector.set_proxy_config(Some(ProxyConfig::from_env()));
    connector
}

/// The SDK's default client (rustls with ring, proxy settings from the environment).
fn default_https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let tls = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::Ring));
        configured(tls, settings, components).build()
    })
}

/// The same without TLS, for `http://` endpoints.
fn plain_http_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        configured(ConnectorBuilder::default(), settings, components).build_http()
    })
}

impl HttpClient for LazyHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner
            .get_or_init(self.build)
            .http_connector(settings, components)
    }
}

/// The client for requests to `endpoint_url` (the AWS endpoint when `None`): plain HTTP for an
/// `http://` endpoint, unless the proxy for it is itself reached over HTTPS.
pub fn for_endpoint(endpoint_url: Option<&str>) -> SharedHttpClient {
    let plain = endpoint_url.is_some_and(|url| {
        url.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    });
    if plain && !http_proxy_needs_tls() {
        static PLAIN: Mutex<Option<(u64, SharedHttpClient)>> = Mutex::new(None);
        current(&PLAIN, plain_http_client)
    } else {
        shared()
    }
}

/// The HTTPS client (also what credential providers use).
pub fn shared() -> SharedHttpClient {
    static HTTPS: Mutex<Option<(u64, SharedHttpClient)>> = Mutex::new(None);
    current(&HTTPS, default_https_client)
}

/// Whether the proxy the SDK would use for `http://` targets is an `https://` URL.
fn http_proxy_needs_tls() -> bool {
    ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .any(|proxy| {
            proxy
                .trim()
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        })
}

/// The process's client in `slot`; a forked child gets a new one, as the parent's pooled
/// connections and their tasks belong to the parent's runtime.
fn current(
    slot: &Mutex<Option<(u64, SharedHttpClient)>>,
    build: fn() -> SharedHttpClient,
) -> SharedHttpClient {
    let generation = crate::runtime::generation();
    let mut current = match slot.lock() {
        Ok(guard) => guard,
        // A panic elsewhere cannot leave the Option half-written; carry on with it.
        Err(poisoned) => poisoned.into_inner(),
    };
    match &*current {
        Some((made_in, client)) if *made_in == generation => client.clone(),
        _ => {
            let client = SharedHttpClient::new(LazyHttpClient {
                build,
                inner: OnceLock::new(),
            });
            *current = Some((generation, client.clone()));
            client
        }
    }
}
