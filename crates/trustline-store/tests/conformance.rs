//! The storage contract, run against every engine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;
use trustline_audit::{AuditDraft, ChainVerifier};
use trustline_domain::agent::{AgentState, BreakReason};
use trustline_domain::control_checks::ControlCheck;
use trustline_domain::dialing::{CampaignInput, CampaignStatus, DialingMode, DispositionOutcome};
use trustline_domain::routing::{QueueInput, SkillLevels};
use trustline_domain::trunks::SignallingTransport;
use trustline_domain::{Action, AuditAction, CallResult, Role, SessionStage, SessionTimes, TenantId, UserId};
use trustline_store::{
    AccessDecisionRecord, AgentMove, AttemptOutcome, CallChange, CallDirection, CallDisposition, CallMode, CallState, CampaignDraft,
    ControlEvidence, Fence, IdempotencyClaim, IncidentState, JobRunRecord, NewApiToken, NewCall, NewDelivery, NewIncident, NewSipTrunk,
    NewUser, NewWebhook, NodeBeat, NodeId, QueueDraft, SealedLogin, Session, Store, StoreError, Tenant, TimelineEntry, TrunkRegistration,
    jobs, registers,
};
use trustline_testdb::{Engine, RawDb, TestDb, on_both_engines};

fn draft(tenant: i64, action: AuditAction) -> AuditDraft {
    AuditDraft::new(1000, tenant, "test", action, "x")
}

async fn tenant(store: &dyn Store, slug: &str) -> Tenant {
    store.create_tenant(slug, "Name", draft(0, AuditAction::TenantCreate)).await.unwrap()
}

fn new_user(tenant: &Tenant, username: &str) -> NewUser {
    NewUser {
        tenant_id: tenant.id,
        username: username.into(),
        display_name: "D".into(),
        role: Role::Agent,
        password_hash: "h".into(),
        created_at: 1000,
        password_must_change: false,
    }
}

/// Verifies a tenant's whole chain against its recorded head; returns its length.
async fn verified_length(db: &TestDb, tenant: TenantId) -> i64 {
    let events = db.store.audit_events(tenant, 0, 100_000).await.unwrap();
    let mut verifier = ChainVerifier::new(&db.keys.chain, tenant.0);
    for e in &events {
        verifier.feed(e).unwrap();
    }
    verifier.finish(db.store.audit_head(tenant).await.unwrap(), &[], &[], |_| None).unwrap().events
}

on_both_engines!(
    tenants_and_users_round_trip,
    every_change_appends_to_the_chain,
    audit_failure_rolls_back_the_change,
    concurrent_appends_keep_one_valid_chain,
    sessions_rotate_and_end,
    one_time_secrets_are_used_once,
    login_failures_are_counted_per_key,
    api_tokens_are_found_by_digest,
    users_are_isolated_by_tenant,
    one_batch_extends_several_chains,
    the_last_enabled_owner_stays,
    campaigns_and_queues_come_back_as_the_domain_wrote_them,
    a_call_moves_only_from_its_state_and_comes_back_typed,
    webhook_deliveries_are_claimed_once_and_retried_until_they_end,
    trunks_belong_to_their_tenant_and_keep_their_login_sealed,
    an_idempotency_key_answers_its_own_request_only,
    an_incident_is_raised_once_moves_from_its_status_and_is_reminded_once_per_mark,
    courses_and_completions_belong_to_their_tenant,
    register_entries_are_replaced_whole_within_their_register,
    an_access_review_covers_the_enabled_accounts_and_each_is_decided_once,
    live_changes_reach_every_listener_where_the_engine_has_them,
    job_runs_evidence_and_control_checks_keep_their_newest_per_tenant,
    keys_and_sealed_contacts_live_and_are_erased_under_the_master_on_record,
    an_import_commits_chunk_by_chunk_from_where_it_stands_and_resumes,
    a_node_command_is_taken_once_answered_once_or_withdrawn,
    a_lease_has_one_holder_and_a_lost_one_fences_nothing,
);

async fn one_batch_extends_several_chains(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let a = tenant(s, "alpha").await;
    let b = tenant(s, "beta").await;
    let drafts = (0..10).map(|i| draft(if i % 3 == 0 { b.id.0 } else { a.id.0 }, AuditAction::ContactRead)).collect();
    s.append_audit(drafts).await.unwrap();
    for (t, expected) in [(&a, 7), (&b, 5)] {
        assert_eq!(verified_length(&db, t.id).await, expected);
    }
}

async fn tenants_and_users_round_trip(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    assert_eq!(s.tenant_by_slug("acme").await.unwrap(), Some(t.clone()));
    assert!(matches!(s.create_tenant("acme", "Again", draft(0, AuditAction::TenantCreate)).await, Err(StoreError::Conflict(_))));
    let u = s.create_user(new_user(&t, "alice"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    assert_eq!(s.user_by_username(t.id, "alice").await.unwrap().map(|x| x.id), Some(u.id));
    assert!(matches!(s.create_user(new_user(&t, "alice"), draft(t.id.0, AuditAction::UserCreate)).await, Err(StoreError::Conflict(_))));
    s.set_user_role(t.id, u.id, Role::Supervisor, draft(t.id.0, AuditAction::UserChangeRole)).await.unwrap();
    s.set_user_disabled(t.id, u.id, true, draft(t.id.0, AuditAction::UserDisable)).await.unwrap();
    assert!(!s.user(t.id, u.id).await.unwrap().unwrap().manual_calls, "nobody calls out unless allowed");
    s.set_user_manual_calls(t.id, u.id, true, draft(t.id.0, AuditAction::UserManualCalls)).await.unwrap();
    let u = s.user(t.id, u.id).await.unwrap().unwrap();
    assert_eq!((u.role, u.disabled, u.manual_calls), (Role::Supervisor, true, true));
    assert!(matches!(
        s.set_user_manual_calls(t.id, UserId(9999), true, draft(t.id.0, AuditAction::UserManualCalls)).await,
        Err(StoreError::NotFound)
    ));
    s.set_tenant_require_mfa(t.id, true, draft(t.id.0, AuditAction::TenantSettingsUpdate)).await.unwrap();
    assert!(s.tenant(t.id).await.unwrap().unwrap().require_mfa);
    assert!(matches!(
        s.set_user_disabled(t.id, UserId(9999), true, draft(t.id.0, AuditAction::UserDisable)).await,
        Err(StoreError::NotFound)
    ));
}

async fn every_change_appends_to_the_chain(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let u = s.create_user(new_user(&t, "bob"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    s.set_password(t.id, u.id, "h2", draft(t.id.0, AuditAction::UserPasswordChange)).await.unwrap();
    let events = s.audit_events(t.id, 0, 100).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.body.action.as_str()).collect();
    assert_eq!(actions, ["tenant.create", "user.create", "user.password_change"]);
    assert_eq!(events[1].body.target, format!("user:{}", u.id));
    assert_eq!(s.audit_head(t.id).await.unwrap().map(|h| h.0), Some(3));
    assert_eq!(verified_length(&db, t.id).await, 3);
    // A refused change (unknown row) leaves no event behind.
    assert!(s.set_password(t.id, UserId(424242), "h", draft(t.id.0, AuditAction::UserPasswordChange)).await.is_err());
    assert_eq!(verified_length(&db, t.id).await, 3);
}

async fn audit_failure_rolls_back_the_change(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    db.raw.block_audit_inserts().await;
    let result = s.create_user(new_user(&t, "carol"), draft(t.id.0, AuditAction::UserCreate)).await;
    assert!(matches!(result, Err(StoreError::AuditWrite(_))), "{result:?}");
    assert_eq!(s.user_by_username(t.id, "carol").await.unwrap(), None);
    assert!(matches!(s.append_audit(vec![draft(t.id.0, AuditAction::UserRead)]).await, Err(StoreError::AuditWrite(_))));
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM users").await, 0);
}

async fn concurrent_appends_keep_one_valid_chain(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store: Arc<dyn Store> = db.store.clone();
    let t = tenant(store.as_ref(), "acme").await;
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25 {
                store
                    .append_audit(vec![AuditDraft::new(1000, t.id.0, "test", AuditAction::ContactRead, format!("{worker}:{i}"))])
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(verified_length(&db, t.id).await, 201);
}

fn session(t: &Tenant, user: UserId, digest: u8, stage: SessionStage) -> Session {
    Session {
        token_digest: [digest; 32],
        tenant_id: t.id,
        user_id: user,
        stage,
        times: SessionTimes { created_at: 1000, last_seen_at: 1000 },
    }
}

async fn sessions_rotate_and_end(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let u = s.create_user(new_user(&t, "dan"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    s.create_session(session(&t, u.id, 1, SessionStage::MfaPending), draft(t.id.0, AuditAction::SessionLogin)).await.unwrap();
    s.rotate_session(&[1; 32], session(&t, u.id, 2, SessionStage::SignedIn), draft(t.id.0, AuditAction::SessionMfa)).await.unwrap();
    assert_eq!(s.session(&[1; 32]).await.unwrap(), None);
    assert_eq!(s.session(&[2; 32]).await.unwrap().map(|x| x.stage), Some(SessionStage::SignedIn));
    s.touch_session(&[2; 32], 1500).await.unwrap();
    assert_eq!(s.session(&[2; 32]).await.unwrap().unwrap().times.last_seen_at, 1500);
    // A privilege change ends every session of the user.
    s.set_user_role(t.id, u.id, Role::Admin, draft(t.id.0, AuditAction::UserChangeRole)).await.unwrap();
    assert_eq!(s.session(&[2; 32]).await.unwrap(), None);
    s.create_session(session(&t, u.id, 3, SessionStage::SignedIn), draft(t.id.0, AuditAction::SessionLogin)).await.unwrap();
    assert_eq!(s.delete_sessions_created_before(1001).await.unwrap(), 1);
}

async fn one_time_secrets_are_used_once(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let u = s.create_user(new_user(&t, "erin"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    s.begin_totp_enrolment(t.id, u.id, b"sealed", draft(t.id.0, AuditAction::MfaEnrolmentStart)).await.unwrap();
    s.confirm_totp(t.id, u.id, 100, &[[7; 32], [8; 32]], draft(t.id.0, AuditAction::MfaEnrol)).await.unwrap();
    let user = s.user(t.id, u.id).await.unwrap().unwrap();
    assert_eq!((user.totp_seed.as_deref(), user.totp_pending.as_deref()), (Some(&b"sealed"[..]), None));
    assert!(!s.use_totp_step(t.id, u.id, 100).await.unwrap(), "a used step is refused");
    assert!(s.use_totp_step(t.id, u.id, 101).await.unwrap());
    assert!(!s.use_totp_step(t.id, u.id, 100).await.unwrap(), "an older step is refused");
    assert!(s.use_recovery_code(t.id, u.id, &[7; 32], 2000).await.unwrap());
    assert!(!s.use_recovery_code(t.id, u.id, &[7; 32], 2001).await.unwrap());
    assert!(!s.use_recovery_code(t.id, u.id, &[9; 32], 2001).await.unwrap());
    assert_eq!(s.unused_recovery_codes(t.id, u.id).await.unwrap(), 1);
    s.reset_mfa(t.id, u.id, draft(t.id.0, AuditAction::UserResetMfa)).await.unwrap();
    assert!(!s.user(t.id, u.id).await.unwrap().unwrap().has_mfa());
    assert_eq!(s.unused_recovery_codes(t.id, u.id).await.unwrap(), 0);
}

async fn login_failures_are_counted_per_key(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    s.record_login_failure(&["a".into(), "ip".into()], 100).await.unwrap();
    s.record_login_failure(&["a".into()], 200).await.unwrap();
    assert_eq!(s.login_failures("a", 0).await.unwrap(), (2, Some(100)));
    assert_eq!(s.login_failures("a", 150).await.unwrap(), (1, Some(200)));
    assert_eq!(s.login_failures("ip", 0).await.unwrap(), (1, Some(100)));
    s.clear_login_failures("a").await.unwrap();
    assert_eq!(s.login_failures("a", 0).await.unwrap(), (0, None));
    assert_eq!(s.delete_login_failures_before(101).await.unwrap(), 1);
    assert_eq!(s.login_failures("ip", 0).await.unwrap(), (0, None));
}

async fn api_tokens_are_found_by_digest(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let u = s.create_user(new_user(&t, "fay"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    let new = NewApiToken {
        tenant_id: t.id,
        name: "crm".into(),
        role: Role::Admin,
        scopes: vec![Action::UserRead, Action::AuditRead],
        created_by: u.id,
        created_at: 1000,
        expires_at: 2000,
        digest: [5; 32],
    };
    let token = s.create_token(new, draft(t.id.0, AuditAction::TokenCreate)).await.unwrap();
    let found = s.token_by_digest(&[5; 32]).await.unwrap().unwrap();
    assert_eq!(found, token);
    assert_eq!(found.scopes, vec![Action::UserRead, Action::AuditRead]);
    s.revoke_token(t.id, token.id, draft(t.id.0, AuditAction::TokenRevoke)).await.unwrap();
    assert!(s.token_by_digest(&[5; 32]).await.unwrap().unwrap().revoked);
    // Disabling the creator revokes their tokens too.
    let second = NewApiToken { digest: [6; 32], ..new_token_like(&token, u.id, t.id) };
    s.create_token(second, draft(t.id.0, AuditAction::TokenCreate)).await.unwrap();
    s.set_user_disabled(t.id, u.id, true, draft(t.id.0, AuditAction::UserDisable)).await.unwrap();
    assert!(s.token_by_digest(&[6; 32]).await.unwrap().unwrap().revoked);
}

fn new_token_like(token: &trustline_store::ApiToken, user: UserId, tenant: TenantId) -> NewApiToken {
    NewApiToken {
        tenant_id: tenant,
        name: token.name.clone(),
        role: token.role,
        scopes: token.scopes.clone(),
        created_by: user,
        created_at: token.created_at,
        expires_at: token.expires_at,
        digest: [0; 32],
    }
}

async fn users_are_isolated_by_tenant(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let a = tenant(s, "alpha").await;
    let b = tenant(s, "beta").await;
    let ua = s.create_user(new_user(&a, "gil"), draft(a.id.0, AuditAction::UserCreate)).await.unwrap();
    assert_eq!(s.user(b.id, ua.id).await.unwrap(), None);
    assert!(matches!(s.set_user_disabled(b.id, ua.id, true, draft(b.id.0, AuditAction::UserDisable)).await, Err(StoreError::NotFound)));
    assert!(s.list_users(b.id).await.unwrap().is_empty());
    // Each tenant has its own chain starting at 1.
    assert_eq!(s.audit_events(b.id, 0, 10).await.unwrap()[0].body.seq, 1);
}

/// Both engines' migrations describe the same tables and columns.
#[tokio::test]
async fn engines_share_one_schema() {
    if !Engine::Postgres.available() {
        return;
    }
    let sqlite = TestDb::new(Engine::Sqlite).await;
    let pg = TestDb::new(Engine::Postgres).await;
    let RawDb::Sqlite(lite) = &sqlite.raw else { unreachable!() };
    let RawDb::Postgres(pool) = &pg.raw else { unreachable!() };
    let mut lite_cols: Vec<String> = sqlx::query_scalar(
        "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .fetch_all(lite)
    .await
    .unwrap();
    let mut pg_cols: Vec<String> = sqlx::query_scalar(
        "SELECT table_name || '.' || column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    lite_cols.sort();
    pg_cols.sort();
    assert_eq!(lite_cols, pg_cols);
}

async fn the_last_enabled_owner_stays(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let owner = |name: &str| NewUser { role: Role::Owner, ..new_user(&t, name) };
    let olive = s.create_user(owner("olive"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    let otto = s.create_user(owner("otto"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    let agent = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap();
    s.set_user_disabled(t.id, olive.id, true, draft(t.id.0, AuditAction::UserDisable)).await.unwrap();
    let before = verified_length(&db, t.id).await;
    let disabled = s.set_user_disabled(t.id, otto.id, true, draft(t.id.0, AuditAction::UserDisable)).await;
    assert!(matches!(disabled, Err(StoreError::LastOwner)), "{disabled:?}");
    let demoted = s.set_user_role(t.id, otto.id, Role::Admin, draft(t.id.0, AuditAction::UserChangeRole)).await;
    assert!(matches!(demoted, Err(StoreError::LastOwner)), "{demoted:?}");
    assert_eq!(verified_length(&db, t.id).await, before, "a refused change appends nothing");
    let otto = s.user(t.id, otto.id).await.unwrap().unwrap();
    assert_eq!((otto.role, otto.disabled), (Role::Owner, false));
    // Other accounts, and a change that keeps the role, are not held back.
    s.set_user_disabled(t.id, agent.id, true, draft(t.id.0, AuditAction::UserDisable)).await.unwrap();
    s.set_user_role(t.id, otto.id, Role::Owner, draft(t.id.0, AuditAction::UserChangeRole)).await.unwrap();
    s.set_user_disabled(t.id, olive.id, false, draft(t.id.0, AuditAction::UserEnable)).await.unwrap();
    s.set_user_role(t.id, otto.id, Role::Admin, draft(t.id.0, AuditAction::UserChangeRole)).await.unwrap();
}

/// Records carry the domain's types, decoded once at the store: a campaign's
/// status and settings and a queue's settings come back as written, and a
/// row edited behind the store's back is reported corrupt, not passed on.
async fn campaigns_and_queues_come_back_as_the_domain_wrote_them(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let input = CampaignInput {
        name: "Renewals".into(),
        mode: "predictive".into(),
        lists: vec!["spring".into()],
        max_attempts: Some(4),
        ..CampaignInput::default()
    };
    let settings = input.validate().unwrap();
    let campaign = CampaignDraft { tenant_id: t.id, name: "Renewals".into(), settings: settings.clone(), list_ids: Vec::new(), at: 1000 };
    let id = s.create_campaign(campaign, draft(t.id.0, AuditAction::CampaignCreate)).await.unwrap();
    let stored = s.campaign(t.id, id).await.unwrap().unwrap();
    assert_eq!((stored.status, &stored.settings), (CampaignStatus::Draft, &settings));
    let moved =
        s.set_campaign_status(t.id, id, CampaignStatus::Draft, CampaignStatus::Running, 1001, draft(t.id.0, AuditAction::CampaignStatus));
    moved.await.unwrap();
    let stale =
        s.set_campaign_status(t.id, id, CampaignStatus::Draft, CampaignStatus::Paused, 1002, draft(t.id.0, AuditAction::CampaignStatus));
    assert!(matches!(stale.await, Err(StoreError::Conflict(_))), "a status that moved meanwhile is not overwritten");
    assert_eq!(s.campaigns(t.id).await.unwrap()[0].status, CampaignStatus::Running);

    let number = "+442079460000";
    s.assign_number(t.id, number, 1000, draft(t.id.0, AuditAction::NumberAssign)).await.unwrap();
    let queue = QueueInput { name: "Care".into(), number: number.into(), ..QueueInput::default() }.validate().unwrap();
    let new = QueueDraft { tenant_id: t.id, name: "Care".into(), number: number.into(), settings: queue.clone(), at: 1000 };
    let queue_id = s.create_queue(new, draft(t.id.0, AuditAction::QueueCreate)).await.unwrap();
    assert_eq!(s.queue(t.id, queue_id).await.unwrap().unwrap().settings, queue);

    // An agent's state is the domain's, break reason included.
    let agent = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let lunch = AgentState::Break { reason: BreakReason::parse("lunch").unwrap() };
    for (from, to) in [(AgentState::Offline, AgentState::Available), (AgentState::Available, lunch.clone())] {
        let change = AgentMove { tenant_id: t.id, user_id: agent, event: "test".into(), from, to, at: 1000 };
        s.move_agent(change, draft(t.id.0, AuditAction::AgentState)).await.unwrap();
    }
    assert_eq!(s.agent_status(t.id, agent).await.unwrap().unwrap().state, lunch);
    let skills = SkillLevels::new([("billing".into(), 4), ("french".into(), 2)]);
    s.set_agent_skills(t.id, agent, &skills, 1000, draft(t.id.0, AuditAction::AgentSkills)).await.unwrap();
    assert_eq!(s.agent_skills(t.id).await.unwrap(), [(agent, skills)]);

    db.raw.execute(&format!("UPDATE campaigns SET settings = '{{\"mode\": 7}}' WHERE id = {id}")).await;
    assert!(matches!(s.campaign(t.id, id).await, Err(StoreError::Corrupt(_))));
    db.raw.execute(&format!("UPDATE agent_skills SET skills = '[1]' WHERE user_id = {agent}")).await;
    assert!(matches!(s.agent_skills(t.id).await, Err(StoreError::Corrupt(_))));
    db.raw.execute(&format!("UPDATE queues SET settings = 'not json' WHERE id = {queue_id}")).await;
    assert!(matches!(s.queues(t.id).await, Err(StoreError::Corrupt(_))));
}

/// A call and its agent move together, only from the states on record; the
/// call reads back with the domain's types (mode, direction, result,
/// disposition outcome), and a stored name the domain does not know is
/// reported as corrupt rather than passed on.
async fn a_call_moves_only_from_its_state_and_comes_back_typed(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let settings =
        CampaignInput { name: "Renewals".into(), mode: "predictive".into(), lists: vec!["spring".into()], ..CampaignInput::default() }
            .validate()
            .unwrap();
    let campaign = CampaignDraft { tenant_id: t.id, name: "Renewals".into(), settings, list_ids: Vec::new(), at: 1000 };
    let campaign = s.create_campaign(campaign, draft(t.id.0, AuditAction::CampaignCreate)).await.unwrap();
    let agent = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let agent_move =
        |from: AgentState, to: AgentState, at: i64| AgentMove { tenant_id: t.id, user_id: agent, event: "test".into(), from, to, at };
    s.move_agent(agent_move(AgentState::Offline, AgentState::Available, 1000), draft(t.id.0, AuditAction::AgentState)).await.unwrap();

    let new = NewCall {
        tenant_id: t.id,
        direction: CallDirection::Outbound,
        campaign_id: Some(campaign),
        queue_id: None,
        contact_id: None,
        agent_id: None,
        mode: CallMode::Dialing(DialingMode::Predictive),
        state: CallState::Ringing,
        at: 1010,
        transferred_from: None,
        owner_node: Some(NodeId("n1".into())),
        fence: None,
    };
    let id = s.open_call(new, None, None, draft(t.id.0, AuditAction::CallPlace)).await.unwrap();
    assert_eq!(s.call_owner(id).await.unwrap(), Some(NodeId("n1".into())), "the node holding its audio is on record");
    let answered = CallChange::new(t.id, id, CallState::Ringing, CallState::Answered, 1020);
    s.change_call(answered, None).await.unwrap();
    let stale = CallChange { result: Some(CallResult::Failed), ..CallChange::new(t.id, id, CallState::Ringing, CallState::Done, 1021) };
    assert!(matches!(s.change_call(stale, None).await, Err(StoreError::Conflict(_))), "a call that moved meanwhile is not moved again");
    // The agent moved meanwhile: neither the call nor the agent moves.
    let connect = CallChange {
        agent_id: Some(agent),
        agent_move: Some(agent_move(AgentState::OnCall, AgentState::OnCall, 1022)),
        ..CallChange::new(t.id, id, CallState::Answered, CallState::Connected, 1022)
    };
    assert!(matches!(s.change_call(connect, None).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.call(t.id, id).await.unwrap().unwrap().state, CallState::Answered, "a refused change changes nothing");
    let connect = CallChange {
        agent_id: Some(agent),
        agent_move: Some(agent_move(AgentState::Available, AgentState::OnCall, 1022)),
        ..CallChange::new(t.id, id, CallState::Answered, CallState::Connected, 1022)
    };
    s.change_call(connect, Some(draft(t.id.0, AuditAction::CallConnect))).await.unwrap();
    assert_eq!(s.agent_call(t.id, agent).await.unwrap().map(|c| c.id), Some(id));
    let hung_up = CallChange {
        result: Some(CallResult::Person),
        agent_move: Some(agent_move(AgentState::OnCall, AgentState::WrapUp, 1100)),
        ..CallChange::new(t.id, id, CallState::Connected, CallState::WrapUp, 1100)
    };
    s.change_call(hung_up, None).await.unwrap();
    let disposition = CallDisposition {
        tenant_id: t.id,
        call_id: id,
        code: "success".into(),
        outcome: DispositionOutcome::Success,
        at: 1130,
        attempts: None,
        agent_move: agent_move(AgentState::WrapUp, AgentState::Available, 1130),
    };
    s.dispose_call(disposition.clone(), draft(t.id.0, AuditAction::CallDisposition)).await.unwrap();
    assert!(matches!(s.dispose_call(disposition, draft(t.id.0, AuditAction::CallDisposition)).await, Err(StoreError::Conflict(_))));

    let call = s.call(t.id, id).await.unwrap().unwrap();
    assert_eq!(
        (call.direction, call.mode, call.state),
        (CallDirection::Outbound, CallMode::Dialing(DialingMode::Predictive), CallState::Done)
    );
    assert_eq!(
        (call.result, call.outcome, call.disposition.as_deref()),
        (Some(CallResult::Person), Some(DispositionOutcome::Success), Some("success"))
    );
    assert_eq!(
        (call.placed_at, call.answered_at, call.connected_at, call.ended_at, call.disposed_at),
        (Some(1010), Some(1020), Some(1022), Some(1100), Some(1130))
    );
    assert_eq!(s.agent_status(t.id, agent).await.unwrap().unwrap().state, AgentState::Available);
    assert!(s.open_calls_left(t.id, &NodeId("elsewhere".into())).await.unwrap().is_empty());
    assert_eq!(s.agent_call(t.id, agent).await.unwrap(), None);
    assert_eq!(s.campaign_answers(t.id, campaign, 0).await.unwrap(), [(0, 1, 0)], "one answer in the hour from 00:00, none abandoned");

    for (column, value) in [("result", "sold"), ("outcome", "maybe"), ("mode", "telepathy"), ("direction", "sideways")] {
        db.raw.execute(&format!("UPDATE calls SET {column} = '{value}' WHERE id = {id}")).await;
        assert!(matches!(s.call(t.id, id).await, Err(StoreError::Corrupt(_))), "{column} {value:?} is refused");
        let fixed = match column {
            "result" => "person",
            "outcome" => "success",
            "mode" => "predictive",
            _ => "outbound",
        };
        db.raw.execute(&format!("UPDATE calls SET {column} = '{fixed}' WHERE id = {id}")).await;
    }
    assert_eq!(s.call(t.id, id).await.unwrap().unwrap(), call);
}

/// A subscription's deliveries: queued due at once, claimed by one node at
/// a time (a claim moves the next attempt to the lease's end), retried when
/// told, and ended delivered or failed; another tenant sees none of it.
async fn webhook_deliveries_are_claimed_once_and_retried_until_they_end(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let new = NewWebhook {
        tenant_id: t.id,
        url: "https://crm.example.com/hook".into(),
        events: "[\"interaction.finished\"]".into(),
        description: "CRM".into(),
        sealed_secret: vec![7; 40],
        at: 1000,
    };
    let hook = s.create_webhook(new, draft(t.id.0, AuditAction::WebhookCreate)).await.unwrap();
    assert_eq!(s.webhooks(t.id).await.unwrap().iter().map(|w| w.id).collect::<Vec<_>>(), [hook]);
    assert_eq!(s.webhook(other.id, hook).await.unwrap(), None, "another tenant's subscription is not found");
    let delivery = |payload: &str| NewDelivery {
        tenant_id: t.id,
        webhook_id: hook,
        event: "interaction.finished".into(),
        payload: payload.into(),
        at: 1000,
    };
    s.enqueue_deliveries(vec![delivery("{\"n\":1}"), delivery("{\"n\":2}")]).await.unwrap();
    let claimed = s.claim_deliveries(1000, 1060, 10).await.unwrap();
    assert_eq!(claimed.iter().map(|d| d.payload.as_str()).collect::<Vec<_>>(), ["{\"n\":1}", "{\"n\":2}"], "oldest first");
    assert!(s.claim_deliveries(1001, 1061, 10).await.unwrap().is_empty(), "claimed deliveries are not due for another node");
    let (first, second) = (claimed[0].id, claimed[1].id);
    s.finish_attempt(first, AttemptOutcome::Delivered { status: 204 }, 1002).await.unwrap();
    let retry = AttemptOutcome::Retry { status: Some(503), error: "unavailable".into(), retry_at: 1100 };
    s.finish_attempt(second, retry, 1002).await.unwrap();
    assert!(s.claim_deliveries(1099, 1160, 10).await.unwrap().is_empty(), "a retry waits for its time");
    let again = s.claim_deliveries(1100, 1160, 10).await.unwrap();
    assert_eq!(again.iter().map(|d| (d.id, d.attempts)).collect::<Vec<_>>(), [(second, 1)]);
    let failed = AttemptOutcome::Failed { status: None, error: "connection refused".into() };
    s.finish_attempt(second, failed, 1101).await.unwrap();
    assert!(s.claim_deliveries(5000, 5060, 10).await.unwrap().is_empty(), "ended deliveries are never claimed again");
    let kept = s.deliveries(t.id, hook, 10).await.unwrap();
    let states: Vec<(i64, &str, u32, Option<i64>)> = kept.iter().map(|d| (d.id, d.state.as_str(), d.attempts, d.last_status)).collect();
    assert_eq!(states, [(second, "failed", 2, None), (first, "delivered", 1, Some(204))], "newest first");
    assert!(s.deliveries(other.id, hook, 10).await.unwrap().is_empty());
    s.delete_webhook(t.id, hook, draft(t.id.0, AuditAction::WebhookDelete)).await.unwrap();
    assert!(s.webhooks(t.id).await.unwrap().is_empty());
}

/// A tenant's trunks come back as written, oldest first; another tenant
/// neither sees nor removes them; the edge's list spans tenants; a login's
/// name and sealed password are kept or absent together.
async fn trunks_belong_to_their_tenant_and_keep_their_login_sealed(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let new = |tenant: TenantId, name: &str, digest: Option<SealedLogin>| NewSipTrunk {
        tenant_id: tenant,
        name: name.into(),
        host: "sip.carrier.example".into(),
        port: 5080,
        transport: SignallingTransport::Udp,
        srtp: false,
        sources: vec!["203.0.113.7".parse().unwrap(), "2001:db8::7".parse().unwrap()],
        caller_id: Some("+442079460990".into()),
        digest,
        at: 1000,
    };
    let login = SealedLogin { username: "acme-42".into(), sealed_password: vec![9; 48], register: true };
    let first = s.create_trunk(new(t.id, "Main", Some(login.clone())), draft(t.id.0, AuditAction::TrunkCreate)).await.unwrap();
    let second = s.create_trunk(new(t.id, "Backup", None), draft(t.id.0, AuditAction::TrunkCreate)).await.unwrap();
    let theirs = s.create_trunk(new(other.id, "Theirs", None), draft(other.id.0, AuditAction::TrunkCreate)).await.unwrap();
    let mine = s.trunks(t.id).await.unwrap();
    assert_eq!(mine.iter().map(|k| k.id).collect::<Vec<_>>(), [first, second], "oldest first");
    assert_eq!(mine[0].digest, Some(login.clone()));
    assert_eq!(mine[0].sources, new(t.id, "Main", None).sources);
    assert_eq!((mine[0].port, mine[0].caller_id.as_deref(), mine[1].digest.as_ref()), (5080, Some("+442079460990"), None));
    let everyone: Vec<(TenantId, i64)> = s.every_trunk().await.unwrap().iter().map(|k| (k.tenant_id, k.id)).collect();
    assert_eq!(everyone, [(t.id, first), (t.id, second), (other.id, theirs)]);
    let changed = NewSipTrunk {
        host: "sbc.carrier.example".into(),
        port: 5061,
        transport: SignallingTransport::Tls,
        srtp: true,
        caller_id: None,
        at: 9999,
        ..new(t.id, "Main (SBC)", None)
    };
    s.update_trunk(first, changed.clone(), draft(t.id.0, AuditAction::TrunkUpdate)).await.unwrap();
    let kept = s.trunks(t.id).await.unwrap().remove(0);
    assert_eq!(
        (kept.name.as_str(), kept.host.as_str(), kept.port, kept.transport, kept.srtp, kept.caller_id),
        ("Main (SBC)", "sbc.carrier.example", 5061, SignallingTransport::Tls, true, None)
    );
    assert_eq!((mine[1].transport, mine[1].srtp), (SignallingTransport::Udp, false));
    let keys_in_clear = NewSipTrunk { transport: SignallingTransport::Tcp, ..changed.clone() };
    let refused = s.update_trunk(first, keys_in_clear.clone(), draft(t.id.0, AuditAction::TrunkUpdate)).await;
    assert!(refused.is_err(), "the database itself keeps SRTP's keys off signalling in clear");
    assert!(s.create_trunk(keys_in_clear, draft(t.id.0, AuditAction::TrunkCreate)).await.is_err());
    assert_eq!(s.trunks(t.id).await.unwrap()[0].transport, SignallingTransport::Tls, "and nothing changed");
    assert_eq!((kept.created_at, kept.digest.as_ref()), (1000, Some(&login)), "its place in the order and its login stay");
    let refused = TrunkRegistration { state: "refused".into(), detail: "403 Forbidden".into(), at: 1200 };
    s.record_trunk_registration(first, refused.clone()).await.unwrap();
    s.record_trunk_registration(999_999, refused.clone()).await.unwrap();
    assert_eq!(s.trunks(t.id).await.unwrap()[0].registration, Some(refused), "a removed trunk's report is no error");
    s.remove_trunk_login(t.id, first, draft(t.id.0, AuditAction::TrunkUpdate)).await.unwrap();
    let unlogged = s.trunks(t.id).await.unwrap().remove(0);
    assert_eq!((unlogged.digest, unlogged.registration), (None, None), "a changed login forgets how the last one registered");
    let other_login = SealedLogin { username: "acme-43".into(), sealed_password: vec![3; 48], register: false };
    let relogged = NewSipTrunk { digest: Some(other_login.clone()), ..changed.clone() };
    s.update_trunk(first, relogged, draft(t.id.0, AuditAction::TrunkUpdate)).await.unwrap();
    assert_eq!(s.trunks(t.id).await.unwrap()[0].digest, Some(other_login));
    let foreign_change = NewSipTrunk { tenant_id: other.id, ..changed };
    let refused = s.update_trunk(first, foreign_change, draft(other.id.0, AuditAction::TrunkUpdate)).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let unlogged = s.remove_trunk_login(other.id, first, draft(other.id.0, AuditAction::TrunkUpdate)).await;
    assert!(matches!(unlogged, Err(StoreError::NotFound)), "{unlogged:?}");
    let foreign = s.delete_trunk(other.id, first, draft(other.id.0, AuditAction::TrunkDelete)).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    s.delete_trunk(t.id, first, draft(t.id.0, AuditAction::TrunkDelete)).await.unwrap();
    assert_eq!(s.trunks(t.id).await.unwrap().iter().map(|k| k.id).collect::<Vec<_>>(), [second]);
    assert_eq!(verified_length(&db, t.id).await, 7, "the tenant, two trunks, three changes and a removal, each audited in its own chain");
}

/// A key holds one request: the same request finds its answer (or that it
/// is still running), another request with the key is refused, a released
/// key can be used again, keys are per tenant, and old ones are forgotten.
async fn an_idempotency_key_answers_its_own_request_only(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let (request, different) = ([1u8; 32], [2u8; 32]);
    assert_eq!(s.claim_idempotency_key(t.id, "k1", &request, 1000).await.unwrap(), IdempotencyClaim::Fresh);
    assert_eq!(s.claim_idempotency_key(t.id, "k1", &request, 1001).await.unwrap(), IdempotencyClaim::InProgress);
    assert_eq!(s.claim_idempotency_key(t.id, "k1", &different, 1001).await.unwrap(), IdempotencyClaim::OtherRequest);
    assert_eq!(s.claim_idempotency_key(other.id, "k1", &different, 1001).await.unwrap(), IdempotencyClaim::Fresh, "keys are per tenant");
    s.answer_idempotency_key(t.id, "k1", 201, b"{\"id\":9}").await.unwrap();
    let answered = IdempotencyClaim::Answered { status: 201, body: b"{\"id\":9}".to_vec() };
    assert_eq!(s.claim_idempotency_key(t.id, "k1", &request, 1002).await.unwrap(), answered);
    assert_eq!(s.claim_idempotency_key(t.id, "k2", &request, 1003).await.unwrap(), IdempotencyClaim::Fresh);
    s.release_idempotency_key(t.id, "k2").await.unwrap();
    assert_eq!(s.claim_idempotency_key(t.id, "k2", &different, 1004).await.unwrap(), IdempotencyClaim::Fresh, "a released key is free");
    assert_eq!(s.delete_idempotency_keys_before(1002).await.unwrap(), 2, "acme's k1 and globex's k1");
    assert_eq!(
        s.claim_idempotency_key(t.id, "k1", &different, 1005).await.unwrap(),
        IdempotencyClaim::Fresh,
        "a forgotten key is new again"
    );
}

/// An incident is raised once while open (a second signal only adds to its
/// timeline), changes only from the status on record, is reminded at most
/// once per mark of the breach clock, and belongs to its tenant; the
/// detection cursor is kept per tenant.
async fn an_incident_is_raised_once_moves_from_its_status_and_is_reminded_once_per_mark(engine: Engine) {
    use trustline_domain::incidents::{IncidentKind, IncidentStatus, Severity};
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let new = |at: i64, entry: &str| NewIncident {
        tenant_id: t.id,
        kind: IncidentKind::CredentialStuffing,
        dedup_key: "credential_stuffing:203.0.113.9".into(),
        severity: Severity::High,
        title: "Sign-in failures from one address".into(),
        at,
        respond_by: at + 3600,
        breach_aware_at: Some(at),
        notify_by: Some(at + 72 * 3600),
        entry: entry.into(),
        actor: "system".into(),
    };
    let (id, fresh) = s.raise_incident(new(1000, "20 failures"), draft(t.id.0, AuditAction::IncidentRaise)).await.unwrap();
    assert!(fresh);
    let (again, fresh) = s.raise_incident(new(1100, "40 failures"), draft(t.id.0, AuditAction::IncidentRaise)).await.unwrap();
    assert_eq!((again, fresh), (id, false), "an open incident takes the new signal into its timeline");
    let (incident, timeline) = s.incident(t.id, id).await.unwrap().unwrap();
    assert_eq!(
        (incident.state.status, incident.severity, incident.kind),
        (IncidentStatus::Open, Severity::High, IncidentKind::CredentialStuffing)
    );
    assert_eq!(timeline.iter().map(|e| e.entry.as_str()).collect::<Vec<_>>(), ["20 failures", "40 failures"]);
    assert_eq!(s.incident(other.id, id).await.unwrap(), None, "another tenant's incident is not found");

    let entry = |at: i64, text: &str| TimelineEntry { at, actor: "user:1".into(), entry: text.into() };
    let investigating = IncidentState { status: IncidentStatus::Investigating, ..incident.state.clone() };
    let stale = s.update_incident(
        t.id,
        id,
        IncidentStatus::Contained,
        investigating.clone(),
        entry(1200, "x"),
        draft(t.id.0, AuditAction::IncidentChange),
    );
    assert!(matches!(stale.await, Err(StoreError::Conflict(_))), "a change from a status the incident is not in");
    s.update_incident(t.id, id, IncidentStatus::Open, investigating, entry(1200, "looking"), draft(t.id.0, AuditAction::IncidentChange))
        .await
        .unwrap();
    assert!(s.record_reminder(t.id, id, 48, entry(1300, "48 h left"), draft(t.id.0, AuditAction::IncidentRemind)).await.unwrap());
    assert!(
        !s.record_reminder(t.id, id, 48, entry(1301, "48 h left"), draft(t.id.0, AuditAction::IncidentRemind)).await.unwrap(),
        "once per mark"
    );
    assert!(
        !s.record_reminder(t.id, id, 72, entry(1302, "72 h left"), draft(t.id.0, AuditAction::IncidentRemind)).await.unwrap(),
        "never an earlier mark"
    );
    let (incident, timeline) = s.incident(t.id, id).await.unwrap().unwrap();
    assert_eq!((incident.state.status, incident.reminded_hours), (IncidentStatus::Investigating, Some(48)));
    assert_eq!(timeline.len(), 4, "two signals, the change, one reminder: {timeline:?}");
    assert_eq!(s.incidents(t.id).await.unwrap().len(), 1);
    assert!(s.incidents(other.id).await.unwrap().is_empty());

    for (column, value) in [("status", "lost"), ("severity", "dire"), ("kind", "hunch")] {
        db.raw.execute(&format!("UPDATE incidents SET {column} = '{value}' WHERE id = {id}")).await;
        assert!(matches!(s.incident(t.id, id).await, Err(StoreError::Corrupt(_))), "{column} {value:?} is refused");
    }

    assert_eq!(s.detection_cursor(t.id).await.unwrap(), 0);
    s.set_detection_cursor(t.id, 42).await.unwrap();
    assert_eq!((s.detection_cursor(t.id).await.unwrap(), s.detection_cursor(other.id).await.unwrap()), (42, 0));
}

/// A course title is taken once per tenant; a completion needs a course and
/// a user of the tenant; completions are read per tenant or per user.
async fn courses_and_completions_belong_to_their_tenant(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let ada = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let bob = s.create_user(new_user(&t, "bob"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let stranger = s.create_user(new_user(&other, "eve"), draft(other.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let course = s.create_course(t.id, "Data protection", 365, true, 1000, draft(t.id.0, AuditAction::TrainingCourseCreate)).await.unwrap();
    let taken = s.create_course(t.id, "Data protection", 30, false, 1001, draft(t.id.0, AuditAction::TrainingCourseCreate)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "one course of a title per tenant");
    s.create_course(other.id, "Data protection", 30, false, 1001, draft(other.id.0, AuditAction::TrainingCourseCreate)).await.unwrap();
    let courses = s.courses(t.id).await.unwrap();
    assert_eq!(
        courses.iter().map(|c| (c.id, c.title.as_str(), c.validity_days, c.required)).collect::<Vec<_>>(),
        [(course, "Data protection", 365, true)]
    );

    s.record_completion(t.id, course, ada, 1100, bob, draft(t.id.0, AuditAction::TrainingCompletion)).await.unwrap();
    s.record_completion(t.id, course, bob, 1200, bob, draft(t.id.0, AuditAction::TrainingCompletion)).await.unwrap();
    let foreign_user = s.record_completion(t.id, course, stranger, 1300, bob, draft(t.id.0, AuditAction::TrainingCompletion)).await;
    assert!(matches!(foreign_user, Err(StoreError::NotFound)), "{foreign_user:?}");
    let foreign_course =
        s.record_completion(other.id, course, stranger, 1300, stranger, draft(other.id.0, AuditAction::TrainingCompletion)).await;
    assert!(matches!(foreign_course, Err(StoreError::NotFound)), "{foreign_course:?}");
    let mut all = s.completions(t.id, None).await.unwrap();
    all.sort_unstable();
    assert_eq!(all, [(ada, course, 1100), (bob, course, 1200)]);
    assert_eq!(s.completions(t.id, Some(ada)).await.unwrap(), [(ada, course, 1100)]);
    assert!(s.completions(other.id, None).await.unwrap().is_empty());
}

/// Entries are kept per tenant and register and replaced whole; an entry
/// of another tenant or register is not found.
async fn register_entries_are_replaced_whole_within_their_register(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let audit = |tenant: &Tenant| draft(tenant.id.0, AuditAction::SupplierAdd);
    let id = s.add_register_entry(t.id, registers::SUPPLIERS, "{\"name\":\"Carrier\"}", 1000, audit(&t)).await.unwrap();
    s.add_register_entry(t.id, registers::RISKS, "{\"title\":\"Outage\"}", 1000, audit(&t)).await.unwrap();
    s.replace_register_entry(t.id, registers::SUPPLIERS, id, "{\"name\":\"Carrier Ltd\"}", 1100, audit(&t)).await.unwrap();
    let entries = s.register_entries(t.id, registers::SUPPLIERS).await.unwrap();
    let read: Vec<(i64, &str, i64, i64)> = entries.iter().map(|e| (e.id, e.body.as_str(), e.created_at, e.updated_at)).collect();
    assert_eq!(read, [(id, "{\"name\":\"Carrier Ltd\"}", 1000, 1100)]);
    let elsewhere = s.replace_register_entry(t.id, registers::RISKS, id, "{}", 1200, audit(&t)).await;
    assert!(matches!(elsewhere, Err(StoreError::NotFound)), "{elsewhere:?}");
    let foreign = s.replace_register_entry(other.id, registers::SUPPLIERS, id, "{}", 1200, audit(&other)).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert!(s.register_entries(other.id, registers::SUPPLIERS).await.unwrap().is_empty());
    assert_eq!(
        s.register_entries(t.id, registers::SUPPLIERS).await.unwrap()[0].body,
        "{\"name\":\"Carrier Ltd\"}",
        "refused changes change nothing"
    );

    // Through the typed functions: the domain's value in, the same value out; a body that does not read is corrupt.
    use trustline_domain::registers::Supplier;
    let supplier = Supplier {
        name: "Carrier".into(),
        service: "Telephony".into(),
        data_touched: "Phone numbers".into(),
        certifications: Vec::new(),
        last_review_at: None,
        last_review_outcome: None,
    };
    let typed = registers::add(s, other.id, &supplier, 1300, audit(&other)).await.unwrap();
    let read = registers::entry::<Supplier>(s, other.id, typed).await.unwrap().unwrap();
    assert_eq!((read.id, read.value, read.created_at), (typed, supplier, 1300));
    assert!(matches!(registers::entries::<Supplier>(s, t.id).await, Err(StoreError::Corrupt(_))), "acme's entry is not a supplier");
    assert_eq!(registers::entry::<Supplier>(s, other.id, id).await.unwrap(), None, "another tenant's entry");
}

/// A review lists the tenant's enabled accounts, pending; each is decided
/// once, an account outside the review is not found, and the last decision
/// completes the review.
async fn an_access_review_covers_the_enabled_accounts_and_each_is_decided_once(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let ada = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let bob = s.create_user(new_user(&t, "bob"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let eve = s.create_user(new_user(&other, "eve"), draft(other.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let review = s.start_access_review(t.id, ada, 1000, 1000 + 14 * 86_400, draft(t.id.0, AuditAction::AccessReviewStart)).await.unwrap();
    let items = s.access_review_items(t.id, review).await.unwrap();
    let mut listed: Vec<(UserId, &str)> = items.iter().map(|i| (i.user_id, i.decision.as_str())).collect();
    listed.sort_unstable();
    assert_eq!(listed, [(ada, "pending"), (bob, "pending")], "every enabled account of the tenant, none of another's");
    assert!(s.access_review_items(other.id, review).await.unwrap().is_empty());
    let decide = |user: UserId, decision: &str, at: i64| AccessDecisionRecord { review, user, decision: decision.into(), by: ada, at };
    s.decide_access(t.id, decide(bob, "confirmed", 1100), draft(t.id.0, AuditAction::AccessReviewDecide)).await.unwrap();
    let twice = s.decide_access(t.id, decide(bob, "revoked", 1101), draft(t.id.0, AuditAction::AccessReviewDecide)).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let outsider = s.decide_access(t.id, decide(eve, "confirmed", 1102), draft(t.id.0, AuditAction::AccessReviewDecide)).await;
    assert!(matches!(outsider, Err(StoreError::NotFound)), "{outsider:?}");
    assert_eq!(s.access_reviews(t.id).await.unwrap()[0].completed_at, None);
    s.decide_access(t.id, decide(ada, "confirmed", 1200), draft(t.id.0, AuditAction::AccessReviewDecide)).await.unwrap();
    let done = &s.access_reviews(t.id).await.unwrap()[0];
    assert_eq!((done.id, done.started_by, done.completed_at), (review, ada, Some(1200)), "the last decision completes the review");
    assert!(s.access_reviews(other.id).await.unwrap().is_empty());
}

/// On PostgreSQL a change announced on one connection reaches every
/// listener, in order; SQLite serves one node and has no listener.
async fn live_changes_reach_every_listener_where_the_engine_has_them(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let listener = s.listen().await.unwrap();
    match (engine, listener) {
        (Engine::Sqlite, None) => s.announce("{\"kind\":\"agent\"}").await.unwrap(),
        (Engine::Postgres, Some(mut listener)) => {
            let mut second = s.listen().await.unwrap().unwrap();
            s.announce("{\"n\":1}").await.unwrap();
            s.announce("{\"n\":2}").await.unwrap();
            let within = std::time::Duration::from_secs(10);
            for heard in [&mut listener, &mut second] {
                assert_eq!(tokio::time::timeout(within, heard.next()).await.unwrap().unwrap(), "{\"n\":1}");
                assert_eq!(tokio::time::timeout(within, heard.next()).await.unwrap().unwrap(), "{\"n\":2}");
            }
        }
        (engine, listener) => panic!("{engine:?} answered listen with {}", if listener.is_some() { "a listener" } else { "none" }),
    }
}

/// Job runs are kept per job and per tenant (or the installation), the
/// newest read back; evidence and control checks keep their newest per
/// control, and a control's history is newest first; no tenant reads
/// another's.
async fn job_runs_evidence_and_control_checks_keep_their_newest_per_tenant(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let run = |at: i64, ok: bool| JobRunRecord { at, ok, detail: format!("run at {at}") };
    s.record_job_run(jobs::RETENTION, Some(t.id), run(1000, true)).await.unwrap();
    s.record_job_run(jobs::RETENTION, Some(t.id), run(2000, false)).await.unwrap();
    s.record_job_run(jobs::BACKUP, None, run(1500, true)).await.unwrap();
    assert_eq!(s.last_job_run(jobs::RETENTION, Some(t.id)).await.unwrap(), Some(run(2000, false)));
    assert_eq!(s.last_job_run(jobs::RETENTION, Some(other.id)).await.unwrap(), None);
    assert_eq!(s.last_job_run(jobs::RETENTION, None).await.unwrap(), None, "a tenant's run is not the installation's");
    assert_eq!(s.last_job_run(jobs::BACKUP, None).await.unwrap(), Some(run(1500, true)));

    let ada = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let evidence = |at: i64, summary: &str| ControlEvidence {
        control_id: "AC-02".into(),
        summary: summary.into(),
        reference: "DOC-7".into(),
        attached_by: ada,
        attached_at: at,
    };
    s.attach_evidence(t.id, evidence(1000, "first review"), draft(t.id.0, AuditAction::TrustEvidence)).await.unwrap();
    s.attach_evidence(t.id, evidence(1100, "second review"), draft(t.id.0, AuditAction::TrustEvidence)).await.unwrap();
    assert_eq!(s.latest_evidence(t.id).await.unwrap(), [evidence(1100, "second review")]);
    assert!(s.latest_evidence(other.id).await.unwrap().is_empty());

    let check = |control: &str, status: &str, at: i64| ControlCheck {
        control_id: control.into(),
        status: status.into(),
        evidence: format!("{status} at {at}"),
        checked_at: at,
    };
    s.record_control_checks(t.id, &[check("AU-09", "PASS", 1000), check("SC-28", "PASS", 1000)]).await.unwrap();
    s.record_control_checks(t.id, &[check("AU-09", "FAIL", 1100)]).await.unwrap();
    let mut latest = s.latest_control_checks(t.id).await.unwrap();
    latest.sort_by(|a, b| a.control_id.cmp(&b.control_id));
    assert_eq!(latest, [check("AU-09", "FAIL", 1100), check("SC-28", "PASS", 1000)]);
    assert_eq!(s.control_history(t.id, "AU-09", 10).await.unwrap(), [check("AU-09", "FAIL", 1100), check("AU-09", "PASS", 1000)]);
    assert_eq!(s.control_history(t.id, "AU-09", 1).await.unwrap(), [check("AU-09", "FAIL", 1100)]);
    assert!(s.latest_control_checks(other.id).await.unwrap().is_empty());
    assert_eq!(s.erasure_remains(t.id).await.unwrap(), (0, 0), "nobody erased, nothing left behind");
}

/// Tenant keys are versioned under the master key on record; a contact's
/// sealed fields, lookups, consent, notes and subject key come back as
/// written, per tenant; erasing it removes them all, takes it out of every
/// lookup and enters it in the ledger, once.
async fn keys_and_sealed_contacts_live_and_are_erased_under_the_master_on_record(engine: Engine) {
    use trustline_domain::ContactId;
    use trustline_domain::contact::ConsentKind;
    use trustline_store::{
        ConsentChange, ConsentEvent, ConsentState, ContactLookups, ErasureEntry, IdKind, NewContact, SealedFields, SealedNote,
        WrappedIndexKey, WrappedTenantKey,
    };
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let master = s.master_wrapped().await.unwrap().master_fingerprint;
    let key = |version: u32| WrappedTenantKey { tenant_id: t.id, version, wrapped: vec![version as u8; 60] };
    s.add_tenant_key(key(1), master, draft(t.id.0, AuditAction::KeyTenantCreate)).await.unwrap();
    let again = s.add_tenant_key(key(1), master, draft(t.id.0, AuditAction::KeyTenantCreate)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let stale = s.add_tenant_key(key(2), [0; 16], draft(t.id.0, AuditAction::KeyTenantCreate)).await;
    assert!(matches!(stale, Err(StoreError::StaleMasterKey)), "{stale:?}");
    s.add_tenant_key(key(2), master, draft(t.id.0, AuditAction::KeyTenantCreate)).await.unwrap();
    assert_eq!(s.tenant_keys(t.id).await.unwrap(), [key(2), key(1)], "newest first");
    assert!(s.tenant_keys(other.id).await.unwrap().is_empty());
    let index = |byte: u8| WrappedIndexKey { tenant_id: t.id, wrapped: vec![byte; 60] };
    assert_eq!(s.add_index_key(index(1), master, draft(t.id.0, AuditAction::KeyIndexCreate)).await.unwrap(), vec![1; 60]);
    assert_eq!(
        s.add_index_key(index(2), master, draft(t.id.0, AuditAction::KeyIndexCreate)).await.unwrap(),
        vec![1; 60],
        "the first stays"
    );

    let id = ContactId(s.reserve_ids(IdKind::Contact, 1).await.unwrap());
    let phone = [9u8; 32];
    let fields = SealedFields { name: Some(vec![1; 40]), phones: Some(vec![2; 40]), ..SealedFields::default() };
    let new = NewContact {
        tenant_id: t.id,
        id,
        key_version: 1,
        data_key: vec![3; 60],
        fields: fields.clone(),
        lookups: ContactLookups {
            phones: vec![phone],
            emails: Vec::new(),
            region: Some("GB".into()),
            time_zone: Some("Europe/London".into()),
        },
        consent: ConsentState::unknown(),
        created_at: 1000,
    };
    s.create_contact(new.clone(), draft(t.id.0, AuditAction::ContactCreate)).await.unwrap();
    let taken = NewContact { id: ContactId(s.reserve_ids(IdKind::Contact, 1).await.unwrap()), ..new };
    assert!(
        matches!(s.create_contact(taken, draft(t.id.0, AuditAction::ContactCreate)).await, Err(StoreError::Conflict(_))),
        "a number has one owner"
    );
    let stored = s.contact(t.id, id).await.unwrap().unwrap();
    assert_eq!((&stored.fields, stored.key_version, stored.region.as_deref()), (&fields, Some(1), Some("GB")));
    assert_eq!(s.contact_by_phone(t.id, &phone).await.unwrap(), Some(id));
    assert_eq!(s.contact_by_phone(other.id, &phone).await.unwrap(), None);
    assert_eq!(s.contact(other.id, id).await.unwrap(), None);

    let event =
        ConsentEvent { at: 1100, kind: ConsentKind::DoNotContact, value: "on".into(), source: "letter".into(), actor: "user:1".into() };
    let state = ConsentState { do_not_contact: true, dnc_source: Some("letter".into()), dnc_at: Some(1100), ..ConsentState::unknown() };
    let change = ConsentChange { state: state.clone(), event: event.clone(), suppress: vec![phone] };
    s.change_consent(t.id, id, change, draft(t.id.0, AuditAction::ContactConsent)).await.unwrap();
    assert_eq!((s.contact(t.id, id).await.unwrap().unwrap().consent, s.consent_history(t.id, id).await.unwrap()), (state, vec![event]));
    assert_eq!(s.suppressed(t.id, &[phone, [8; 32]]).await.unwrap(), [phone], "the number is suppressed for new lists");
    assert!(s.suppressed(other.id, &[phone]).await.unwrap().is_empty());
    let author = s.create_user(new_user(&t, "ada"), draft(t.id.0, AuditAction::UserCreate)).await.unwrap().id;
    let note_id = s.reserve_ids(IdKind::Note, 1).await.unwrap();
    let note = SealedNote { tenant_id: t.id, id: note_id, contact_id: id, author_id: author, body: Some(vec![4; 30]), created_at: 1200 };
    s.add_note(note.clone(), draft(t.id.0, AuditAction::ContactNoteAdd)).await.unwrap();
    assert_eq!(s.notes(t.id, id).await.unwrap(), [note]);
    assert_eq!(s.subject_keys_below(t.id, 2, 10).await.unwrap().iter().map(|k| (k.contact_id, k.version)).collect::<Vec<_>>(), [(id, 1)]);
    assert_eq!(s.consent_history(t.id, id).await.unwrap().len(), 1);

    let erased = ErasureEntry { tenant_id: t.id, contact_id: id, erased_at: 1300, reason: "subject_request".into() };
    s.erase_contact(erased.clone(), draft(t.id.0, AuditAction::ContactErase)).await.unwrap();
    assert!(
        matches!(s.erase_contact(erased.clone(), draft(t.id.0, AuditAction::ContactErase)).await, Err(StoreError::NotFound)),
        "erased once"
    );
    let gone = s.contact(t.id, id).await.unwrap().unwrap();
    assert_eq!(
        (gone.erased_at, gone.data_key, gone.fields),
        (Some(1300), None, SealedFields::default()),
        "the key and every field are gone"
    );
    assert_eq!(s.contact_by_phone(t.id, &phone).await.unwrap(), None);
    assert!(s.notes(t.id, id).await.unwrap().iter().all(|n| n.body.is_none()), "no note keeps its text");
    assert!(s.subject_keys_below(t.id, 2, 10).await.unwrap().is_empty());
    assert_eq!(s.erasure_ledger(t.id).await.unwrap(), [erased]);
    assert_eq!(s.erasure_remains(t.id).await.unwrap(), (1, 0), "one erased, nothing of it left");
    assert_eq!(
        s.retire_tenant_keys(t.id, 2, draft(t.id.0, AuditAction::KeyTenantRetire)).await.unwrap(),
        1,
        "version 1 guards no data now"
    );
    assert_eq!(s.tenant_keys(t.id).await.unwrap(), [key(2)]);
    assert_eq!(s.consent_history(t.id, id).await.unwrap().len(), 1, "the consent record outlives the data");
}

/// An import goes chunk by chunk, each from the offset the import stands
/// at (a replayed chunk is refused and changes nothing); beginning the
/// same file into the same list again resumes it; finishing makes the list
/// ready with its members; rejections are read by line.
async fn an_import_commits_chunk_by_chunk_from_where_it_stands_and_resumes(engine: Engine) {
    use trustline_domain::ContactId;
    use trustline_store::{
        ConsentState, ContactLookups, IdKind, ImportChunk, ImportCounts, ImportRejection, ListStatus, NewContact, NewImport, SealedFields,
        WrappedTenantKey,
    };
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (t, other) = (tenant(s, "acme").await, tenant(s, "globex").await);
    let master = s.master_wrapped().await.unwrap().master_fingerprint;
    let key = WrappedTenantKey { tenant_id: t.id, version: 1, wrapped: vec![1; 60] };
    s.add_tenant_key(key, master, draft(t.id.0, AuditAction::KeyTenantCreate)).await.unwrap();
    let new = NewImport {
        tenant_id: t.id,
        list_name: "spring".into(),
        file_name: "spring.csv".into(),
        file_digest: [5; 32],
        mapping: "{}".into(),
        byte_offset: 10,
        line: 2,
        at: 1000,
    };
    let import = s.begin_import(new.clone(), draft(t.id.0, AuditAction::ImportStart)).await.unwrap();
    assert_eq!((import.byte_offset, import.line, import.finished), (10, 2, false));
    let lists = s.call_lists(t.id).await.unwrap();
    assert_eq!(
        lists.iter().map(|l| (l.id, l.name.as_str(), l.status, l.members)).collect::<Vec<_>>(),
        [(import.list_id, "spring", ListStatus::Importing, 0)]
    );
    assert!(s.call_lists(other.id).await.unwrap().is_empty());

    let contact = |digest: u8| async move {
        let id = ContactId(s.reserve_ids(IdKind::Contact, 1).await.unwrap());
        let lookups = ContactLookups { phones: vec![[digest; 32]], emails: Vec::new(), region: Some("GB".into()), time_zone: None };
        NewContact {
            tenant_id: t.id,
            id,
            key_version: 1,
            data_key: vec![3; 60],
            fields: SealedFields { phones: Some(vec![digest; 40]), ..SealedFields::default() },
            lookups,
            consent: ConsentState::unknown(),
            created_at: 1000,
        }
    };
    let (first, second) = (contact(1).await, contact(2).await);
    let rejection = ImportRejection { line: 3, field: "phone".into(), reason: "not a phone number".into() };
    let chunk = ImportChunk {
        tenant_id: t.id,
        import_id: import.id,
        list_id: import.list_id,
        from_offset: 10,
        to_offset: 80,
        to_line: 5,
        contacts: vec![first.clone()],
        linked: Vec::new(),
        rejections: vec![rejection.clone()],
        counts: ImportCounts { accepted: 1, rejected: 1, ..ImportCounts::default() },
        at: 1010,
    };
    s.commit_import_chunk(chunk.clone(), draft(t.id.0, AuditAction::ImportChunk)).await.unwrap();
    let replayed = s.commit_import_chunk(chunk, draft(t.id.0, AuditAction::ImportChunk)).await;
    assert!(matches!(replayed, Err(StoreError::Conflict(_))), "a chunk from an offset the import has left: {replayed:?}");
    let owners = s.phone_owners(t.id, &[[1; 32], [2; 32]]).await.unwrap();
    assert_eq!(owners.iter().map(|o| o.contact_id).collect::<Vec<_>>(), [first.id], "the committed contact owns its number");
    assert!(s.phone_owners(other.id, &[[1; 32]]).await.unwrap().is_empty());

    // The same file into the same list: the unfinished import, where it stands.
    let resumed = s.begin_import(new, draft(t.id.0, AuditAction::ImportStart)).await.unwrap();
    assert_eq!((resumed.id, resumed.byte_offset, resumed.line, resumed.counts.accepted), (import.id, 80, 5, 1));
    let next = ImportChunk {
        tenant_id: t.id,
        import_id: import.id,
        list_id: import.list_id,
        from_offset: 80,
        to_offset: 120,
        to_line: 7,
        contacts: vec![second.clone()],
        linked: Vec::new(),
        rejections: Vec::new(),
        counts: ImportCounts { accepted: 1, ..ImportCounts::default() },
        at: 1020,
    };
    s.commit_import_chunk(next, draft(t.id.0, AuditAction::ImportChunk)).await.unwrap();
    assert_eq!(s.list_members_among(import.list_id, &[first.id, second.id, ContactId(9_999)]).await.unwrap(), [first.id, second.id]);
    let done = s.finish_import(t.id, import.id, 1030, draft(t.id.0, AuditAction::ImportFinish)).await.unwrap();
    assert_eq!((done.finished, done.finished_at, done.counts.accepted, done.counts.rejected), (true, Some(1030), 2, 1));
    let list = &s.call_lists(t.id).await.unwrap()[0];
    assert_eq!((list.status, list.members), (ListStatus::Ready, 2));
    assert_eq!(s.import_rejections(t.id, import.id, 0, 10).await.unwrap(), [rejection]);
    assert!(s.import_rejections(t.id, import.id, 3, 10).await.unwrap().is_empty(), "after line 3");
    assert!(s.import_rejections(other.id, import.id, 0, 10).await.unwrap().is_empty());
    assert_eq!(s.import_record(other.id, import.id).await.unwrap(), None);
}

async fn a_node_command_is_taken_once_answered_once_or_withdrawn(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let (a, b) = (NodeId("a".into()), NodeId("b".into()));
    s.beat(&NodeBeat { id: a.clone(), started_at: 100, seen_at: 100, holds_calls: false }).await.unwrap();
    s.beat(&NodeBeat { id: b.clone(), started_at: 100, seen_at: 100, holds_calls: false }).await.unwrap();
    s.beat(&NodeBeat { id: b.clone(), started_at: 999, seen_at: 120, holds_calls: true }).await.unwrap();
    let alive = s.nodes_seen_since(110).await.unwrap();
    assert_eq!(alive, vec![NodeBeat { id: b.clone(), started_at: 100, seen_at: 120, holds_calls: true }], "a beat keeps the start");

    let id = s.send_node_command(&a, &b, b"hang up", 130).await.unwrap();
    assert_eq!(s.take_node_command(id, &a, 131).await.unwrap(), None, "only the node it is for takes it");
    assert_eq!(s.take_node_command(id, &b, 131).await.unwrap(), Some((a.clone(), b"hang up".to_vec())));
    assert_eq!(s.take_node_command(id, &b, 132).await.unwrap(), None, "taken once");
    assert!(!s.withdraw_node_command(id).await.unwrap(), "a taken command cannot be withdrawn");
    assert_eq!(s.collect_node_reply(id).await.unwrap(), None, "no reply yet");
    s.answer_node_command(id, &a, b"done").await.unwrap();
    assert_eq!(s.collect_node_reply(id).await.unwrap(), Some(b"done".to_vec()));
    assert_eq!(s.collect_node_reply(id).await.unwrap(), None, "collected once, then gone");
    assert!(matches!(s.answer_node_command(id, &a, b"again").await, Err(StoreError::NotFound)));

    let late = s.send_node_command(&a, &b, b"hold", 140).await.unwrap();
    assert!(s.withdraw_node_command(late).await.unwrap(), "nobody took it: withdrawn");
    assert_eq!(s.take_node_command(late, &b, 141).await.unwrap(), None, "a withdrawn command is never carried out");
    let left = s.send_node_command(&a, &b, b"hold", 150).await.unwrap();
    assert_eq!(s.forget_node_commands_before(151).await.unwrap(), 1);
    assert_eq!(s.take_node_command(left, &b, 152).await.unwrap(), None);
}

/// A lease is held by one node until it lapses; taking it over grows its
/// token, and a call opened under the old token is refused and leaves
/// nothing behind.
async fn a_lease_has_one_holder_and_a_lost_one_fences_nothing(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = db.store.as_ref();
    let t = tenant(s, "acme").await;
    let (a, b) = (NodeId("a".into()), NodeId("b".into()));
    let first = s.hold_lease("tenant:1", &a, 100, 106).await.unwrap().expect("a free lease is taken");
    assert_eq!(first.token, 1);
    assert_eq!(s.hold_lease("tenant:1", &b, 105, 111).await.unwrap(), None, "held by another until it lapses");
    let renewed = s.hold_lease("tenant:1", &a, 104, 110).await.unwrap().expect("its holder renews it");
    assert_eq!(renewed, first, "renewing keeps the token");
    assert_eq!(s.hold_lease("tenant:1", &b, 109, 115).await.unwrap(), None, "renewed: still held");
    let taken = s.hold_lease("tenant:1", &b, 110, 116).await.unwrap().expect("a lapsed lease is taken over");
    assert_eq!(taken.token, 2, "taken over: the token grows");
    assert_eq!(s.hold_lease("tenant:1", &a, 111, 117).await.unwrap(), None, "the old holder cannot renew what it lost");
    assert!(s.hold_lease("tenant:2", &a, 111, 117).await.unwrap().is_some(), "leases are held one by one");

    let call = |fence: &Fence| NewCall {
        tenant_id: t.id,
        direction: CallDirection::Outbound,
        campaign_id: None,
        queue_id: None,
        contact_id: None,
        agent_id: None,
        mode: CallMode::Dialing(DialingMode::Predictive),
        state: CallState::Ringing,
        at: 112,
        transferred_from: None,
        owner_node: Some(fence.holder.clone()),
        fence: Some(fence.clone()),
    };
    let refused = s.open_call(call(&first), None, None, draft(t.id.0, AuditAction::CallPlace)).await;
    assert!(matches!(refused, Err(StoreError::LeaseLost)), "{refused:?}");
    assert!(s.open_calls_left(t.id, &b).await.unwrap().is_empty(), "a refused call leaves nothing");
    let opened = s.open_call(call(&taken), None, None, draft(t.id.0, AuditAction::CallPlace)).await.unwrap();
    assert_eq!(s.call_owner(opened).await.unwrap(), Some(b.clone()));
    assert!(s.open_calls_left(t.id, &b).await.unwrap().is_empty(), "its holder's own call is not left behind");
    let left: Vec<i64> = s.open_calls_left(t.id, &a).await.unwrap().iter().map(|c| c.id).collect();
    assert_eq!(left, [opened], "to any other node it is");

    s.release_lease(&first).await.unwrap();
    assert_eq!(s.hold_lease("tenant:1", &a, 112, 118).await.unwrap(), None, "an old token releases nothing");
    s.release_lease(&taken).await.unwrap();
    let back = s.hold_lease("tenant:1", &a, 112, 118).await.unwrap().expect("a released lease is free at once");
    assert_eq!(back.token, 3, "and its token still grows");
    assert_eq!(s.lease("tenant:1").await.unwrap().map(|l| (l.holder, l.token, l.expires_at)), Some((a.clone(), 3, 118)));
    assert_eq!(s.lease("tenant:9").await.unwrap(), None);
    let on_record = s.leases().await.unwrap();
    assert_eq!(
        on_record.iter().map(|l| (l.name.as_str(), l.holder.0.as_str(), l.token)).collect::<Vec<_>>(),
        [("tenant:1", "a", 3), ("tenant:2", "a", 1)]
    );
}
