//! Reaching the server: one connection is tried first, so a failure is
//! reported at once, with the host and port and in the operator's terms
//! (refused, unknown host, wrong password, no such database), rather than
//! as a pool that timed out after ten seconds. The URL, which may hold a
//! password, is never repeated.

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::time::Duration;

/// How long the first connection may take before the server counts as not answering.
const FIRST_CONNECTION: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
#[error("cannot connect to PostgreSQL at {host}:{port}: {why}")]
pub(crate) struct ConnectFailure {
    host: String,
    port: u16,
    why: String,
}

/// The URL's options, or why it is not a PostgreSQL URL (without echoing it).
pub(crate) fn options(url: &str) -> Result<PgConnectOptions, ConnectFailure> {
    url.parse::<PgConnectOptions>().map_err(|_| ConnectFailure {
        host: "?".into(),
        port: 0,
        why: "the database URL is not a PostgreSQL URL (postgres://user:password@host:port/database)".into(),
    })
}

/// Opens and closes one connection, saying why it failed if it did.
pub(crate) async fn try_first(options: &PgConnectOptions) -> Result<(), ConnectFailure> {
    let failure = |why: String| ConnectFailure { host: options.get_host().to_owned(), port: options.get_port(), why };
    match tokio::time::timeout(FIRST_CONNECTION, PgConnection::connect_with(options)).await {
        Err(_) => Err(failure(format!("no answer within {} s (a firewall, or the wrong host?)", FIRST_CONNECTION.as_secs()))),
        Ok(Err(error)) => Err(failure(reason(options, &error))),
        Ok(Ok(connection)) => {
            let _closed = connection.close().await;
            Ok(())
        }
    }
}

/// What went wrong, in the words an operator looks for.
fn reason(options: &PgConnectOptions, error: &sqlx::Error) -> String {
    let user = options.get_username();
    let database = options.get_database().unwrap_or(user);
    match error {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is PostgreSQL running and listening there?)".into()
        }
        sqlx::Error::Io(io) if io.to_string().contains("lookup") || io.to_string().contains("not known") => {
            "unknown host (the name does not resolve)".into()
        }
        sqlx::Error::Io(io) => format!("the connection failed: {io}"),
        sqlx::Error::Tls(tls) => format!("TLS failed: {tls}"),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("28P01") => format!("wrong password for user {user:?}"),
            Some("28000") => format!("user {user:?} may not connect (no such role, or pg_hba.conf refuses it)"),
            Some("3D000") => format!("there is no database {database:?}"),
            _ => db.message().to_owned(),
        },
        other => other.to_string(),
    }
}
