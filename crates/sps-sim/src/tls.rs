//! TLS for `--tls`: one self-signed certificate, generated at start, naming every node's
//! address, so each node speaks HTTPS like a real appliance.

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::fleet::Fleet;

/// A TLS acceptor whose certificate covers `localhost`, 127.0.0.1 and every node's IP.
pub fn acceptor(fleet: &Fleet) -> Result<TlsAcceptor, String> {
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    names.extend(fleet.handles().iter().map(|h| h.address.to_string()));
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| format!("could not generate a certificate: {e}"))?;
    let certificate = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    // The provider is named explicitly: two crypto back ends are compiled in through
    // dependencies, and rustls refuses to guess between them.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS protocol setup failed: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .map_err(|e| format!("TLS certificate setup failed: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
