//! The HTTP client shared by every eksy client of a process, built on first use.
//!
//! Building the SDK's default HTTPS client reads and parses the system's trusted certificates
//! (several milliseconds), which `aws_sdk_eks::Client::new` would otherwise pay on every first
//! client, even one pointed at a local `http://` emulator. Deferring it to the first request keeps
//! client construction cheap; sharing it lets clients share connection pools.

use std::sync::{Mutex, OnceLock};

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

#[derive(Debug, Default)]
struct LazyHttpClient {
    inner: OnceLock<SharedHttpClient>,
}

/// The SDK's default client (rustls with aws-lc, proxy settings from the environment).
fn default_https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

impl HttpClient for LazyHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner
            .get_or_init(default_https_client)
            .http_connector(settings, components)
    }
}

/// The process's client; a forked child gets a new one, as the parent's pooled connections and
/// their tasks belong to the parent's runtime.
pub fn shared() -> SharedHttpClient {
    static CURRENT: Mutex<Option<(u64, SharedHttpClient)>> = Mutex::new(None);
    let generation = crate::runtime::generation();
    let mut current = match CURRENT.lock() {
        Ok(guard) => guard,
        // A panic elsewhere cannot leave the Option half-written; carry on with it.
        Err(poisoned) => poisoned.into_inner(),
    };
    match &*current {
        Some((made_in, client)) if *made_in == generation => client.clone(),
        _ => {
            let client = SharedHttpClient::new(LazyHttpClient::default());
            *current = Some((generation, client.clone()));
            client
        }
    }
}
