//! The statements that end a tenant. The audit chain stays (it holds no
//! personal data and is the evidence of what happened); the tenant row stays,
//! marked ended, so the chain stays attributable and a restore can end the
//! tenant again.

/// What is deleted, and how; `$1` is the tenant id. The same SQL runs on
/// both engines.
pub const TENANT_DELETIONS: &[(&str, &str)] = &[
    ("idempotency_keys", "DELETE FROM idempotency_keys WHERE tenant_id = $1"),
    ("webhook_deliveries", "DELETE FROM webhook_deliveries WHERE tenant_id = $1"),
    ("webhooks", "DELETE FROM webhooks WHERE tenant_id = $1"),
    ("sip_trunks", "DELETE FROM sip_trunks WHERE tenant_id = $1"),
    ("desk_phone_logins", "DELETE FROM desk_phone_logins WHERE tenant_id = $1"),
    ("job_runs", "DELETE FROM job_runs WHERE tenant_id = $1"),
    ("access_review_items", "DELETE FROM access_review_items WHERE tenant_id = $1"),
    ("access_reviews", "DELETE FROM access_reviews WHERE tenant_id = $1"),
    ("register_entries", "DELETE FROM register_entries WHERE tenant_id = $1"),
    ("control_evidence", "DELETE FROM control_evidence WHERE tenant_id = $1"),
    ("control_checks", "DELETE FROM control_checks WHERE tenant_id = $1"),
    ("incident_timeline", "DELETE FROM incident_timeline WHERE tenant_id = $1"),
    ("incidents", "DELETE FROM incidents WHERE tenant_id = $1"),
    ("detection_cursors", "DELETE FROM detection_cursors WHERE tenant_id = $1"),
    ("course_completions", "DELETE FROM course_completions WHERE tenant_id = $1"),
    ("courses", "DELETE FROM courses WHERE tenant_id = $1"),
    ("calls", "DELETE FROM calls WHERE tenant_id = $1"),
    ("agent_skills", "DELETE FROM agent_skills WHERE tenant_id = $1"),
    ("queues", "DELETE FROM queues WHERE tenant_id = $1"),
    ("inbound_numbers", "DELETE FROM inbound_numbers WHERE tenant_id = $1"),
    ("campaign_contacts", "DELETE FROM campaign_contacts WHERE tenant_id = $1"),
    ("campaign_lists", "DELETE FROM campaign_lists WHERE tenant_id = $1"),
    ("campaigns", "DELETE FROM campaigns WHERE tenant_id = $1"),
    ("import_rejections", "DELETE FROM import_rejections WHERE import_id IN (SELECT id FROM imports WHERE tenant_id = $1)"),
    ("imports", "DELETE FROM imports WHERE tenant_id = $1"),
    ("list_members", "DELETE FROM list_members WHERE tenant_id = $1"),
    ("call_lists", "DELETE FROM call_lists WHERE tenant_id = $1"),
    ("contact_notes", "DELETE FROM contact_notes WHERE tenant_id = $1"),
    ("consent_events", "DELETE FROM consent_events WHERE tenant_id = $1"),
    ("contact_phones", "DELETE FROM contact_phones WHERE tenant_id = $1"),
    ("contact_emails", "DELETE FROM contact_emails WHERE tenant_id = $1"),
    ("agent_assignments", "DELETE FROM agent_assignments WHERE tenant_id = $1"),
    ("suppressions", "DELETE FROM suppressions WHERE tenant_id = $1"),
    ("erasure_ledger", "DELETE FROM erasure_ledger WHERE tenant_id = $1"),
    ("contacts", "DELETE FROM contacts WHERE tenant_id = $1"),
    ("custom_fields", "DELETE FROM custom_fields WHERE tenant_id = $1"),
    ("retention_policies", "DELETE FROM retention_policies WHERE tenant_id = $1"),
    ("agent_state_history", "DELETE FROM agent_state_history WHERE tenant_id = $1"),
    ("agent_states", "DELETE FROM agent_states WHERE tenant_id = $1"),
    ("recovery_codes", "DELETE FROM recovery_codes WHERE user_id IN (SELECT id FROM users WHERE tenant_id = $1)"),
    ("sessions", "DELETE FROM sessions WHERE tenant_id = $1"),
    ("api_tokens", "DELETE FROM api_tokens WHERE tenant_id = $1"),
    ("users", "DELETE FROM users WHERE tenant_id = $1"),
    ("tenant_keys", "DELETE FROM tenant_keys WHERE tenant_id = $1"),
    ("tenant_index_keys", "DELETE FROM tenant_index_keys WHERE tenant_id = $1"),
];

/// Marks the tenant ended; `$1` the time, `$2` the tenant.
pub const MARK_TENANT_ENDED: &str = "UPDATE tenants SET ended_at = $1, require_mfa = TRUE WHERE id = $2 AND ended_at IS NULL";
