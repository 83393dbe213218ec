use sqlx::{AssertSqlSafe, Executor, PgPool, SqlitePool};
use std::path::PathBuf;
use std::sync::Arc;
use trustline_app::Keys;
use trustline_crypto::{MasterKey, hex, random_bytes};
use trustline_store::{LockedStore, Store};
use trustline_store_postgres::PostgresDatabase;
use trustline_store_sqlite::SqliteDatabase;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

const PG_ENV: &str = "TRUSTLINE_TEST_DATABASE_URL";

impl Engine {
    /// Whether this engine can be tested here. Under `CI=true` a missing
    /// PostgreSQL is a failure, never a silent skip.
    pub fn available(self) -> bool {
        match self {
            Engine::Sqlite => true,
            Engine::Postgres => {
                let present = std::env::var(PG_ENV).is_ok_and(|v| !v.is_empty());
                if !present && std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("{PG_ENV} is not set but CI=true: PostgreSQL tests must run (use scripts/test)");
                }
                if !present {
                    eprintln!("skipping PostgreSQL: {PG_ENV} is not set");
                }
                present
            }
        }
    }
}

/// Direct SQL access, for tests that tamper with rows or make writes fail.
#[derive(Clone)]
pub enum RawDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl RawDb {
    /// Runs one or more statements.
    pub async fn execute(&self, sql: &str) {
        let sql = AssertSqlSafe(sql.to_owned());
        match self {
            RawDb::Sqlite(pool) => pool.execute(sqlx::raw_sql(sql)).await.map(|_| ()),
            RawDb::Postgres(pool) => pool.execute(sqlx::raw_sql(sql)).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("raw SQL failed: {e}"));
    }

    /// Makes every insert into the audit table fail, as a full disk or a
    /// broken replica would.
    pub async fn block_audit_inserts(&self) {
        match self {
            RawDb::Sqlite(_) => {
                self.execute("CREATE TRIGGER block_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END;")
                    .await
            }
            RawDb::Postgres(_) => {
                self.execute(
                    "CREATE FUNCTION block_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$ LANGUAGE plpgsql;
                     CREATE TRIGGER block_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION block_audit();",
                )
                .await
            }
        }
    }

    /// The first column of the first row, as an integer.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = AssertSqlSafe(sql.to_owned());
        match self {
            RawDb::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("raw SQL failed: {e}"))
    }

    /// The first column of the first row, as bytes.
    pub async fn bytes(&self, sql: &str) -> Vec<u8> {
        let sql = AssertSqlSafe(sql.to_owned());
        match self {
            RawDb::Sqlite(pool) => sqlx::query_scalar::<_, Vec<u8>>(sql).fetch_one(pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar::<_, Vec<u8>>(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("raw SQL failed: {e}"))
    }
}

/// A fresh, migrated database with its own master key in a temporary data
/// directory, laid out exactly as `trustline init` leaves it.
pub struct TestDb {
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub raw: RawDb,
    pub data_dir: PathBuf,
    /// Set for PostgreSQL: what `--database-url` must be for the CLI.
    pub database_url: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        master.write_new_file(&dir.path().join("master.key")).unwrap();
        let (locked, raw, database_url): (Box<dyn LockedStore>, RawDb, Option<String>) = match engine {
            Engine::Sqlite => {
                let db = SqliteDatabase::open(&dir.path().join("trustline.db")).await.unwrap();
                let raw = RawDb::Sqlite(db.pool().clone());
                (Box::new(db), raw, None)
            }
            Engine::Postgres => {
                let url = fresh_postgres_database().await;
                let db = PostgresDatabase::connect(&url).await.unwrap();
                let raw = RawDb::Postgres(db.pool().clone());
                (Box::new(db), raw, Some(url))
            }
        };
        let (store, keys) = trustline_app::unlock(locked, &master).await.unwrap();
        TestDb { engine, store, keys, raw, data_dir: dir.path().to_owned(), database_url, _dir: dir }
    }
}

impl TestDb {
    /// The master key in the data directory.
    pub fn master_key(&self) -> MasterKey {
        let text = std::fs::read_to_string(self.data_dir.join("master.key")).unwrap();
        MasterKey::from_base64(&text).unwrap()
    }

    /// A new machine to restore onto: an empty data directory holding the
    /// same master key and, for PostgreSQL, an empty database (its URL).
    pub async fn empty_target(&self) -> (tempfile::TempDir, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        self.master_key().write_new_file(&dir.path().join("master.key")).unwrap();
        let url = match self.engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(fresh_postgres_database().await),
        };
        (dir, url)
    }

    /// The same database opened again, locked, as another process would.
    pub async fn reopen(&self) -> Box<dyn LockedStore> {
        open_at(self.data_dir.clone(), self.database_url.clone()).await
    }

    /// Where `needle` appears in the database as stored: the SQLite files
    /// (database and write-ahead log) byte for byte, or any PostgreSQL table
    /// row in its text form (where bytes show as hex, so both are searched).
    pub async fn plaintext_locations(&self, needle: &str) -> Vec<String> {
        match &self.raw {
            RawDb::Sqlite(_) => ["trustline.db", "trustline.db-wal"]
                .into_iter()
                .filter(|file| {
                    let bytes = std::fs::read(self.data_dir.join(file)).unwrap_or_default();
                    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
                })
                .map(str::to_owned)
                .collect(),
            RawDb::Postgres(pool) => {
                let tables: Vec<String> =
                    sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let mut found = Vec::new();
                for table in tables {
                    let sql = format!("SELECT COUNT(*) FROM {table} t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0");
                    let count: i64 =
                        sqlx::query_scalar(AssertSqlSafe(sql)).bind(needle).bind(hex(needle.as_bytes())).fetch_one(pool).await.unwrap();
                    if count > 0 {
                        found.push(table);
                    }
                }
                found
            }
        }
    }
}

/// Creates `tl_test_<random>` through the admin URL and returns its URL.
async fn fresh_postgres_database() -> String {
    let admin = std::env::var(PG_ENV).unwrap();
    let name = format!("tl_test_{}", hex(random_bytes::<6>().as_ref()));
    let pool = PgPool::connect(&admin).await.unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {PG_ENV}: {e}"));
    pool.execute(sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))).await.unwrap();
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap_or((&admin, ""));
    format!("{base}/{name}")
}

/// The database of a test's data directory, or at a PostgreSQL URL, opened
/// anew (owned arguments: another runtime may open it, as another process
/// would).
pub async fn open_at(data_dir: PathBuf, database_url: Option<String>) -> Box<dyn LockedStore> {
    match database_url {
        None => Box::new(SqliteDatabase::open(&data_dir.join("trustline.db")).await.unwrap()),
        Some(url) => Box::new(PostgresDatabase::connect(&url).await.unwrap()),
    }
}
