use crate::{Engine, ManualClock, TestClient, TestDb};
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_crypto::{PasswordHasher, Totp, TotpSecret, sha256};
use trustline_dialer::EngineSettings;
use trustline_domain::{AuditAction, Clock, Role, UserId};
use trustline_server::{App, AppConfig};
use trustline_store::{NewUser, Tenant};
use trustline_telephony::{CarrierProfile, SimulatedTelephony};

/// A running server over a fresh database, with the clock in the test's hands.
pub struct TestServer {
    pub db: TestDb,
    pub clock: Arc<ManualClock>,
    pub base: String,
    /// A tenant created at start (`acme`).
    pub tenant: Tenant,
    pub app: App,
    hasher: Arc<PasswordHasher>,
}

/// An account created by the test, with what is needed to sign in as it.
pub struct TestUser {
    pub id: UserId,
    pub tenant: String,
    pub username: String,
    pub password: String,
    pub role: Role,
    pub totp: Option<TotpSecret>,
}

/// A fixed starting time keeps runs reproducible.
const START: i64 = 1_900_000_000;

impl TestServer {
    pub async fn start(engine: Engine) -> TestServer {
        Self::start_with(engine, AppConfig::default()).await
    }

    pub async fn start_with(engine: Engine, config: AppConfig) -> TestServer {
        let db = TestDb::new(engine).await;
        let clock = Arc::new(ManualClock::new(START));
        let hasher = Arc::new(PasswordHasher::new().unwrap());
        let app = App::new(config, db.store.clone(), clock.clone(), db.keys.clone(), hasher.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(trustline_server::serve(listener, app.router(), None));
        let mut server = TestServer { tenant: placeholder_tenant(), db, clock, base, app, hasher };
        server.tenant = server.create_tenant("acme").await;
        server
    }

    /// Starts the call engine over the simulated carrier, `speed` times
    /// faster than real time, looking at the campaigns every 50 ms. The
    /// carrier is returned so that tests can ring callers in.
    pub fn start_engine(&self, profile: CarrierProfile, speed: f64) -> Arc<SimulatedTelephony> {
        let telephony = Arc::new(SimulatedTelephony::new(profile, 1, speed));
        self.app.start_engine(telephony.clone(), EngineSettings { tick: std::time::Duration::from_millis(50) });
        telephony
    }

    pub fn audit(&self, tenant: &Tenant, action: AuditAction) -> AuditDraft {
        AuditDraft::new(self.clock.now(), tenant.id.0, "test", action, "setup")
    }

    pub async fn create_tenant(&self, slug: &str) -> Tenant {
        let draft = AuditDraft::new(self.clock.now(), 0, "test", AuditAction::TenantCreate, "tenant");
        self.db.store.create_tenant(slug, &format!("{slug} Ltd"), draft).await.unwrap()
    }

    /// Assigns inbound numbers to a tenant, as the operator does.
    pub async fn assign_numbers(&self, tenant: &Tenant, numbers: &[&str]) {
        for number in numbers {
            self.db.store.assign_number(tenant.id, number, self.clock.now(), self.audit(tenant, AuditAction::NumberAssign)).await.unwrap();
        }
    }

    /// Creates an account; with `mfa`, also a confirmed authenticator.
    pub async fn create_user(&self, tenant: &Tenant, username: &str, role: Role, mfa: bool) -> TestUser {
        let password = format!("{username} lantern orbit meadow 42");
        let new = NewUser {
            tenant_id: tenant.id,
            username: username.to_owned(),
            display_name: format!("Test {username}"),
            role,
            password_hash: self.hasher.hash(&password).unwrap(),
            created_at: self.clock.now(),
            password_must_change: false,
        };
        let user = self.db.store.create_user(new, self.audit(tenant, AuditAction::UserCreate)).await.unwrap();
        let totp = if mfa {
            let seed = TotpSecret::generate();
            let sealed = self.db.keys.totp.seal(seed.as_bytes(), &format!("user:{}:totp", user.id)).unwrap();
            let store = &self.db.store;
            store.begin_totp_enrolment(tenant.id, user.id, &sealed, self.audit(tenant, AuditAction::MfaEnrolmentStart)).await.unwrap();
            // Mark an old step as used so that a code for "now" is fresh.
            let step = Totp::step_at(self.clock.now()) - 4;
            let recovery = [sha256(format!("{username}-recovery").as_bytes())];
            store.confirm_totp(tenant.id, user.id, step, &recovery, self.audit(tenant, AuditAction::MfaEnrol)).await.unwrap();
            Some(seed)
        } else {
            None
        };
        TestUser { id: user.id, tenant: tenant.slug.clone(), username: username.to_owned(), password, role, totp }
    }

    /// Another server node over the same database, as a second process
    /// behind a load balancer would be; returns its base URL once both
    /// nodes hear each other (PostgreSQL only).
    pub async fn second_node(&self) -> String {
        let (store, keys) = trustline_app::unlock(self.db.reopen().await, &self.db.master_key()).await.unwrap();
        let app = App::new(AppConfig::default(), store, self.clock.clone(), keys, self.hasher.clone());
        self.until_heard(&app).await;
        serve_on_any_port(&app).await
    }

    /// Another node over the same database running the call engine over
    /// its own simulated carrier, on a runtime of its own: [`EngineNode::kill`]
    /// stops it at once, as `kill -9` stops a process (PostgreSQL only).
    pub async fn engine_node(&self, profile: CarrierProfile, speed: f64) -> EngineNode {
        let (data_dir, url, master) = (self.db.data_dir.clone(), self.db.database_url.clone(), self.db.master_key());
        let (clock, hasher) = (self.clock.clone(), self.hasher.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let started = runtime.spawn(async move {
            let (store, keys) = trustline_app::unlock(trustline_testdb::open_at(data_dir, url).await, &master).await.unwrap();
            let app = App::new(AppConfig::default(), store, clock, keys, hasher);
            let telephony = Arc::new(SimulatedTelephony::new(profile, 1, speed));
            app.start_engine(telephony.clone(), EngineSettings { tick: std::time::Duration::from_millis(50) });
            (app.node_id(), serve_on_any_port(&app).await, telephony, app)
        });
        let (node, base, telephony, app) = started.await.unwrap();
        self.until_heard(&app).await;
        EngineNode { node, base, telephony, runtime: Some(runtime) }
    }

    /// Waits until `app` and this server hear each other.
    async fn until_heard(&self, app: &App) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while !(app.hears_other_nodes() && self.app.hears_other_nodes()) {
            assert!(tokio::time::Instant::now() < deadline, "the nodes do not hear each other");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn client(&self) -> TestClient {
        TestClient::new(&self.base)
    }

    /// The current TOTP code of `user`.
    pub fn code(&self, user: &TestUser) -> String {
        let seed = user.totp.as_ref().expect("user has no authenticator");
        format!("{:06}", Totp::code(seed, Totp::step_at(self.clock.now())))
    }

    /// A client fully signed in as `user` (password, then TOTP if enrolled).
    /// Moves the clock one TOTP step so each sign-in uses a fresh code.
    pub async fn signed_in(&self, user: &TestUser) -> TestClient {
        self.signed_in_at(&self.base, user).await
    }

    /// Like [`signed_in`](Self::signed_in), on the node at `base`.
    pub async fn signed_in_at(&self, base: &str, user: &TestUser) -> TestClient {
        let client = TestClient::new(base);
        let reply = client.sign_in(&user.tenant, &user.username, &user.password).await;
        assert_eq!(reply.status, 200, "sign-in of {} failed: {}", user.username, reply.body);
        if user.totp.is_some() {
            self.clock.advance(Totp::STEP_SECONDS);
            let reply = client.post("/api/session/mfa", serde_json::json!({ "code": self.code(user) })).await;
            assert_eq!(reply.status, 200, "MFA of {} failed: {}", user.username, reply.body);
        }
        client
    }
}

fn placeholder_tenant() -> Tenant {
    Tenant {
        id: trustline_domain::TenantId(0),
        slug: String::new(),
        name: String::new(),
        require_mfa: false,
        created_at: 0,
        ended_at: None,
        default_region: None,
    }
}

/// Serves `app` on a loopback port the system picks; its base URL.
async fn serve_on_any_port(app: &App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(trustline_server::serve(listener, app.router(), None));
    base
}

/// A node running the call engine on a runtime of its own.
pub struct EngineNode {
    /// Its name in the nodes table.
    pub node: String,
    pub base: String,
    pub telephony: Arc<SimulatedTelephony>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl EngineNode {
    /// Stops the node at once: its tasks, connections and listeners are
    /// dropped, nothing is released or settled.
    pub fn kill(self) {
        drop(self);
    }
}

impl Drop for EngineNode {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
