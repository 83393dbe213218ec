//! The demo's call floor: sample contacts in several countries, a running
//! predictive campaign, two inbound queues with simulated callers ringing
//! in, and demo agents who work both through the HTTP API like any other
//! client (sign in, log in to work, set dispositions), so that calls flow
//! and the supervisor's live view moves as soon as the demo starts. Real
//! people can sign in as `agent` and take calls beside them.

use super::accounts::{InitialPassword, cli_audit, create_user};
use crate::config::Installation;
use serde_json::{Value, json};
use std::time::Duration;
use trustline_app::SystemClock;
use trustline_crypto::{PasswordHasher, random_password};
use trustline_domain::dialing::{CampaignInput, CampaignStatus};
use trustline_domain::routing::{QueueInput, SkillLevels};
use trustline_domain::{AuditAction, Clock, Role, UserId};
use trustline_import::{ImportRequest, ImportSource, run_import};
use trustline_phone::PhoneRules;
use trustline_store::{CampaignDraft, QueueDraft, Tenant};
use trustline_telephony::{InboundTraffic, SeededRandom};
use trustline_vault::Vault;
use zeroize::Zeroizing;

const LIST: &str = "demo-contacts";
pub const CAMPAIGN: &str = "Demo renewals";
const FLOOR_AGENTS: usize = 6;
/// The floor agents who also have the billing skill.
const BILLING_AGENTS: usize = 3;
pub const CARE_NUMBER: &str = "+442079460990";
pub const BILLING_NUMBER: &str = "+442079460991";
/// Simulated inbound calls per hour, across both queues.
const INBOUND_PER_HOUR: f64 = 40.0;

/// Callers ring the two queues from drama numbers: half of them are demo
/// contacts already, half are new and become contacts when they call.
pub fn inbound_traffic() -> InboundTraffic {
    let callers = (200..400).map(|i| format!("+44207946{i:04}")).collect();
    InboundTraffic::new(vec![CARE_NUMBER.into(), BILLING_NUMBER.into()], callers, INBOUND_PER_HOUR)
}

fn demo_queues() -> [QueueInput; 2] {
    let care = QueueInput {
        name: "Customer care".into(),
        number: CARE_NUMBER.into(),
        callback_after_seconds: Some(60),
        answer_within_seconds: Some(20),
        script: Some("Thank you for calling the Demo Contact Center. How can I help?".into()),
        ..QueueInput::default()
    };
    let billing = QueueInput {
        name: "Billing".into(),
        number: BILLING_NUMBER.into(),
        skills: SkillLevels::new([("billing".into(), 3)]),
        priority: Some(7),
        overflow_after_seconds: Some(45),
        overflow_to: Some("Customer care".into()),
        callback_after_seconds: Some(90),
        script: Some("Billing, good afternoon. May I have your account number?".into()),
        ..QueueInput::default()
    };
    [care, billing]
}

/// Numbers reserved for drama and tests in each country, so the demo can
/// never call anyone real: Ofcom's 020 7946 0xxx, the NANP's 555-01xx in
/// three area codes, and ACMA's 0491 570 1xx.
fn sample_numbers() -> Vec<String> {
    let mut numbers = Vec::new();
    for i in 0..300 {
        numbers.push(format!("+44 20 7946 0{i:03}"));
    }
    for area in ["212", "312", "415"] {
        for i in 0..100 {
            numbers.push(format!("+1 {area} 555 01{i:02}"));
        }
    }
    for i in 0..100 {
        numbers.push(format!("+61 491 570 {:03}", 100 + i));
    }
    numbers
}

/// A floor agent's account, with the password it signs in with.
pub struct FloorAgent {
    pub id: UserId,
    pub username: String,
    pub password: Zeroizing<String>,
}

/// Creates the floor's agents (new passwords at every start), the sample
/// list and the running campaign, as needed. Returns the agents' accounts.
pub async fn prepare(
    inst: &Installation,
    hasher: &PasswordHasher,
    tenant: &Tenant,
    data_dir: &std::path::Path,
) -> anyhow::Result<Vec<FloorAgent>> {
    let mut agents = Vec::new();
    for i in 1..=FLOOR_AGENTS {
        let username = format!("floor{i}");
        let password = random_password();
        let id = match inst.store.user_by_username(tenant.id, &username).await? {
            Some(user) => {
                let audit =
                    cli_audit(tenant.id.0, AuditAction::UserPasswordReset, format!("user:{}", user.id)).detail("reason", "demo start");
                inst.store.set_password(tenant.id, user.id, &hasher.hash(&password)?, audit).await?;
                user.id
            }
            None => {
                create_user(
                    inst,
                    hasher,
                    tenant,
                    &username,
                    &format!("Demo floor agent {i}"),
                    Role::Agent,
                    InitialPassword::Chosen(&password),
                )
                .await?
                .id
            }
        };
        agents.push(FloorAgent { id, username, password });
    }
    for agent in agents.iter().take(BILLING_AGENTS) {
        let skills = SkillLevels::new([("billing".into(), 5)]);
        let audit = cli_audit(tenant.id.0, AuditAction::AgentSkills, format!("user:{}", agent.id)).detail("skills", "billing:5");
        inst.store.set_agent_skills(tenant.id, agent.id, &skills, SystemClock.now(), audit).await?;
    }
    let queues = inst.store.queues(tenant.id).await?;
    for input in demo_queues() {
        if queues.iter().any(|q| q.name == input.name) {
            continue;
        }
        let settings = input.validate().map_err(|fields| anyhow::anyhow!("demo queue: {fields:?}"))?;
        // The operator's part: the demo's numbers are assigned to the demo tenant.
        let number = settings.number.as_str();
        if !inst.store.inbound_numbers(tenant.id).await?.iter().any(|n| n.number == number) {
            let audit = cli_audit(tenant.id.0, AuditAction::NumberAssign, format!("number:{number}"));
            inst.store.assign_number(tenant.id, number, SystemClock.now(), audit).await?;
        }
        let draft = QueueDraft {
            tenant_id: tenant.id,
            name: settings.name.clone(),
            number: settings.number.as_str().to_owned(),
            settings,
            at: SystemClock.now(),
        };
        inst.store.create_queue(draft, cli_audit(tenant.id.0, AuditAction::QueueCreate, "queue")).await?;
    }
    let lists = inst.store.call_lists(tenant.id).await?;
    if !lists.iter().any(|l| l.name == LIST) {
        let path = data_dir.join("demo-contacts.csv");
        let mut csv = String::from("name,phone,language\n");
        for (i, number) in sample_numbers().iter().enumerate() {
            csv.push_str(&format!("Demo Contact {:03},{number},en\n", i + 1));
        }
        std::fs::write(&path, csv)?;
        let vault = Vault::new(inst.store.clone(), inst.keys.keyring.clone());
        let request = ImportRequest {
            tenant: tenant.id,
            list: LIST.into(),
            source: ImportSource::File(path.clone()),
            file_name: "demo-contacts.csv".into(),
            overrides: Vec::new(),
            phone_rules: PhoneRules { default_region: None },
            actor: "cli".into(),
            chunk_rows: 10_000,
        };
        run_import(&vault, &SystemClock, request, |_| {}).await?;
        std::fs::remove_file(&path)?;
    }
    let campaigns = inst.store.campaigns(tenant.id).await?;
    if !campaigns.iter().any(|c| c.name == CAMPAIGN) {
        let input = CampaignInput {
            name: CAMPAIGN.into(),
            mode: "predictive".into(),
            lists: vec![LIST.into()],
            max_attempts: Some(3),
            retry_delay_minutes: Some(30),
            script: Some("Hello, this is the Demo Contact Center calling about your renewal. Is now a good time?".into()),
            ..CampaignInput::default()
        };
        let settings = input.validate().map_err(|fields| anyhow::anyhow!("demo campaign: {fields:?}"))?;
        let list_ids = inst.store.call_lists(tenant.id).await?.into_iter().filter(|l| l.name == LIST).map(|l| l.id).collect();
        let draft = CampaignDraft { tenant_id: tenant.id, name: CAMPAIGN.into(), settings, list_ids, at: SystemClock.now() };
        let id = inst.store.create_campaign(draft, cli_audit(tenant.id.0, AuditAction::CampaignCreate, "campaign")).await?;
        let audit = cli_audit(tenant.id.0, AuditAction::CampaignStatus, format!("campaign:{id}")).detail("to", "running");
        inst.store.set_campaign_status(tenant.id, id, CampaignStatus::Draft, CampaignStatus::Running, SystemClock.now(), audit).await?;
    }
    Ok(agents)
}

/// Starts one client per floor agent against the server at `base`.
pub fn start(base: String, tenant: String, agents: Vec<FloorAgent>) {
    for (i, FloorAgent { username, password, .. }) in agents.into_iter().enumerate() {
        let (base, tenant) = (base.clone(), tenant.clone());
        tokio::spawn(async move {
            loop {
                if let Err(error) = work(&base, &tenant, &username, &password, i as u64).await {
                    tracing::warn!(%error, agent = %username, "a demo agent stopped; starting again");
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
    }
}

async fn send(client: &reqwest::Client, base: &str, csrf: &str, path: &str, body: Value) -> anyhow::Result<reqwest::Response> {
    Ok(client.post(format!("{base}{path}")).header("X-CSRF-Token", csrf).json(&body).send().await?)
}

/// A disposition for a call in wrap-up: an inbound call takes one of its
/// queue's, a campaign call one of the campaign's.
fn pick_disposition(work: &Value, draw: f64) -> Value {
    if work.pointer("/queue").is_some() {
        let code = if draw < 0.8 { "resolved" } else { "unresolved" };
        return json!({ "disposition": code });
    }
    if draw < 0.2 {
        json!({ "disposition": "success" })
    } else if draw < 0.3 {
        json!({ "disposition": "callback", "callback_at": SystemClock.now() + 3600 })
    } else if draw < 0.5 {
        json!({ "disposition": "retry_later" })
    } else {
        json!({ "disposition": "not_interested" })
    }
}

/// One agent's shift: sign in, log in to work, accept the calls ringing at
/// the desk, and set a disposition a few seconds into each wrap-up.
async fn work(base: &str, tenant: &str, username: &str, password: &str, seed: u64) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let session: Value = client
        .post(format!("{base}api/session"))
        .json(&json!({ "tenant": tenant, "username": username, "password": password }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let csrf = session.pointer("/csrf_token").and_then(Value::as_str).unwrap_or_default().to_owned();
    send(&client, base, &csrf, "api/agent/state", json!({ "event": "log_in" })).await?;
    let mut random = SeededRandom::new(seed ^ u64::try_from(SystemClock.now()).unwrap_or(0));
    let mut wrapping: Option<(i64, tokio::time::Instant)> = None;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let work: Value = client.get(format!("{base}api/agent/work")).send().await?.error_for_status()?.json().await?;
        let state = work.pointer("/call/state").and_then(Value::as_str);
        let ringing = state == Some("offered") && work.pointer("/call/direction").and_then(Value::as_str) == Some("inbound");
        if let Some(call) = work.pointer("/call/id").and_then(Value::as_i64).filter(|_| ringing) {
            // The caller rings at this desk: taken at once (a ringing-out caller meanwhile is no error).
            let _taken = send(&client, base, &csrf, &format!("api/calls/{call}/accept"), json!({})).await?;
            continue;
        }
        let in_wrap_up = state == Some("wrap_up");
        let Some(call) = work.pointer("/call/id").and_then(Value::as_i64).filter(|_| in_wrap_up) else { continue };
        match wrapping {
            Some((id, due)) if id == call => {
                if tokio::time::Instant::now() < due {
                    continue;
                }
                let disposition = pick_disposition(&work, random.unit());
                send(&client, base, &csrf, &format!("api/calls/{call}/disposition"), disposition).await?.error_for_status()?;
                wrapping = None;
            }
            _ => {
                let wrap = Duration::from_secs_f64(3.0 + 7.0 * random.unit());
                wrapping = Some((call, tokio::time::Instant::now() + wrap));
            }
        }
    }
}
