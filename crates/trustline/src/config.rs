//! Where data lives and how to open it: flags first, then `TRUSTLINE_*`
//! environment variables, then defaults.

use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trustline_app::{Keys, UnlockError, unlock};
use trustline_crypto::{MasterKey, PasswordHasher};
use trustline_store::{LockedStore, Store};
use trustline_store_postgres::PostgresDatabase;
use trustline_store_sqlite::SqliteDatabase;

#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// Directory for the master key file and, without --database-url, the SQLite database.
    #[arg(long, env = "TRUSTLINE_DATA_DIR", default_value = "./trustline-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://...). Without it, embedded SQLite is used.
    #[arg(long, env = "TRUSTLINE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

const KEY_FILE: &str = "master.key";
/// A new master key written before the database switches to it.
const NEXT_KEY_FILE: &str = "master.key.next";
const KEY_ENV: &str = "TRUSTLINE_MASTER_KEY";

/// An opened installation: the store and every key derived from the master key.
pub struct Installation {
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
}

impl Installation {
    /// The tenant named by `slug`, or the only tenant when none is named.
    pub async fn tenant(&self, slug: Option<&str>) -> anyhow::Result<trustline_store::Tenant> {
        let tenant = match slug {
            Some(slug) => self.store.tenant_by_slug(slug).await?.with_context(|| format!("no tenant {slug:?}"))?,
            None => {
                let mut tenants = self.store.list_tenants().await?;
                tenants.retain(|t| t.ended_at.is_none());
                if tenants.len() != 1 {
                    bail!("there are {} tenants; say which with --tenant", tenants.len());
                }
                tenants.remove(0)
            }
        };
        if tenant.ended_at.is_some() {
            bail!("tenant {:?} has ended; its data no longer exists", tenant.slug);
        }
        Ok(tenant)
    }
}

impl DataArgs {
    pub fn key_path(&self) -> PathBuf {
        self.data_dir.join(KEY_FILE)
    }

    pub fn next_key_path(&self) -> PathBuf {
        self.data_dir.join(NEXT_KEY_FILE)
    }

    pub fn key_from_environment(&self) -> bool {
        std::env::var(KEY_ENV).is_ok()
    }

    /// Makes the next key the master key file (atomically).
    pub fn promote_next_key(&self) -> anyhow::Result<()> {
        std::fs::rename(self.next_key_path(), self.key_path()).context("cannot replace the master key file")?;
        std::fs::File::open(&self.data_dir).and_then(|dir| dir.sync_all()).context("cannot sync the data directory")
    }

    fn load_next_key(&self) -> anyhow::Result<MasterKey> {
        read_key_file(&self.next_key_path(), "")
    }

    /// The master key from the environment or the key file.
    pub fn load_key(&self) -> anyhow::Result<MasterKey> {
        if let Ok(text) = std::env::var(KEY_ENV) {
            return MasterKey::from_base64(&text).with_context(|| format!("{KEY_ENV} is not a valid master key"));
        }
        read_key_file(&self.key_path(), &format!("; run `trustline init` first or set {KEY_ENV}"))
    }

    /// Holds the data directory for a server's whole life: a second server
    /// on the same directory is refused before it changes anything.
    pub fn lock_for_server(&self) -> anyhow::Result<ServerLock> {
        use std::os::unix::fs::OpenOptionsExt;
        create_private_dir(&self.data_dir)?;
        let path = self.data_dir.join(SERVER_LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(ServerLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "the data directory {} is in use by a running Trustline server (it holds {}); stop that server first or choose another --data-dir",
                self.data_dir.display(),
                path.display()
            ),
            Err(std::fs::TryLockError::Error(error)) => Err(error).with_context(|| format!("cannot lock {}", path.display())),
        }
    }

    /// Creates the data directory (0700) if needed and returns it.
    pub fn ensure_data_dir(&self) -> anyhow::Result<PathBuf> {
        create_private_dir(&self.data_dir)?;
        Ok(self.data_dir.clone())
    }

    /// Creates the data directory (0700) and, unless the key comes from the
    /// environment, a new key file (0600). Returns whether a key was created.
    pub fn ensure_key(&self) -> anyhow::Result<bool> {
        create_private_dir(&self.data_dir)?;
        if std::env::var(KEY_ENV).is_ok() || self.key_path().exists() {
            return Ok(false);
        }
        let path = self.key_path();
        MasterKey::generate().write_new_file(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(true)
    }

    /// The database, opened and migrated but not yet unlocked.
    pub async fn database(&self) -> anyhow::Result<Box<dyn LockedStore>> {
        Ok(match &self.database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Box::new(PostgresDatabase::connect(url).await.context("cannot open the PostgreSQL database")?)
            }
            Some(_) => bail!("--database-url must start with postgres:// (without it, SQLite in --data-dir is used)"),
            None => {
                create_private_dir(&self.data_dir)?;
                let path = self.data_dir.join("trustline.db");
                Box::new(SqliteDatabase::open(&path).await.with_context(|| format!("cannot open {}", path.display()))?)
            }
        })
    }

    /// Opens and unlocks the installation. If the master key does not open
    /// it but a rotated key left by an interrupted `keys rotate-master` does,
    /// that rotation is completed.
    pub async fn open(&self) -> anyhow::Result<Installation> {
        let master = self.load_key()?;
        match unlock(self.database().await?, &master).await {
            Ok((store, keys)) => Ok(Installation { store, keys }),
            Err(UnlockError::WrongMasterKey) if self.next_key_path().exists() => {
                let next = self.load_next_key()?;
                let (store, keys) = unlock(self.database().await?, &next).await?;
                if self.key_from_environment() {
                    eprintln!(
                        "warning: the database uses the rotated key in {}; update TRUSTLINE_MASTER_KEY",
                        self.next_key_path().display()
                    );
                } else {
                    self.promote_next_key()?;
                    eprintln!("Completed an interrupted master key rotation: {} is now the master key.", self.key_path().display());
                }
                Ok(Installation { store, keys })
            }
            Err(other) => Err(other.into()),
        }
    }
}

pub fn hasher() -> anyhow::Result<Arc<PasswordHasher>> {
    Ok(Arc::new(PasswordHasher::new().context("cannot set up password hashing")?))
}

#[cfg(unix)]
pub fn create_private_dir(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if path.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(path).with_context(|| format!("cannot create {}", path.display()))
}

/// A master key file, refused if others can read it; `hint` follows the
/// message when the file cannot be read.
fn read_key_file(path: &Path, hint: &str) -> anyhow::Result<MasterKey> {
    check_private(path)?;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read the master key {}{hint}", path.display()))?,
    );
    MasterKey::from_base64(&text).with_context(|| format!("{} does not hold a valid master key", path.display()))
}

/// A key file others can read is refused rather than silently used.
#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        bail!("{} is readable by other users; run `chmod 600 {}`", path.display(), path.display());
    }
    Ok(())
}

/// The file a running server holds locked in its data directory.
const SERVER_LOCK_FILE: &str = "server.lock";

/// The data directory held by a running server; released when dropped
/// (and by the system when the process ends, however it ends).
pub struct ServerLock {
    _file: std::fs::File,
}
