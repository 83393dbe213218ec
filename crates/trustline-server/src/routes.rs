//! Every route, with what it requires. The router and the permission tests are
//! both built from this one table.

use crate::guard::{Access, Surface, guard};
use crate::handlers::{
    audit_api, contacts_api, custom_fields_api, health, imports_api, pages, retention_api, session_api, subject_rights_api, tenant_api,
    tokens_api, users_api,
};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use trustline_domain::Action;

/// A route as the permission tests see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    /// With `{id}` where a path parameter goes.
    pub path: &'static str,
    pub access: Access,
}

struct Entry {
    method: Method,
    path: &'static str,
    access: Access,
    surface: Surface,
    handler: MethodRouter<AppState>,
}

fn entry(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    let surface = if path.starts_with("/api/") { Surface::Api } else { Surface::Page };
    Entry { method, path, access, surface, handler }
}

fn entries() -> Vec<Entry> {
    use Access::{Allowed, AnySession, Enrolment, MfaPending, Public};
    vec![
        entry(Method::GET, "/healthz", Public, get(health::live)),
        entry(Method::GET, "/readyz", Public, get(health::ready)),
        entry(Method::GET, "/static/app.css", Public, get(pages::stylesheet)),
        // Pages.
        entry(Method::GET, "/", Allowed(Action::AccountView), get(pages::home)),
        entry(Method::GET, "/login", Public, get(pages::login_form)),
        entry(Method::POST, "/login", Public, post(pages::login_submit)),
        entry(Method::GET, "/login/mfa", MfaPending, get(pages::mfa_form)),
        entry(Method::POST, "/login/mfa", MfaPending, post(pages::mfa_submit)),
        entry(Method::GET, "/mfa/enrol", Enrolment, get(pages::enrol_form)),
        entry(Method::POST, "/mfa/enrol/start", Enrolment, post(pages::enrol_start)),
        entry(Method::POST, "/mfa/enrol", Enrolment, post(pages::enrol_submit)),
        entry(Method::GET, "/mfa/enrol/qr.svg", Enrolment, get(pages::enrol_qr)),
        entry(Method::POST, "/logout", AnySession, post(pages::logout)),
        // Session API.
        entry(Method::POST, "/api/session", Public, post(session_api::sign_in)),
        entry(Method::GET, "/api/session", AnySession, get(session_api::current)),
        entry(Method::DELETE, "/api/session", AnySession, delete(session_api::sign_out)),
        entry(Method::POST, "/api/session/mfa", MfaPending, post(session_api::second_factor)),
        entry(Method::POST, "/api/mfa/enrolment", Enrolment, post(session_api::start_enrolment)),
        entry(Method::POST, "/api/mfa/enrolment/confirm", Enrolment, post(session_api::confirm_enrolment)),
        // Account and administration API.
        entry(Method::GET, "/api/me", Allowed(Action::AccountView), get(users_api::me)),
        entry(Method::PUT, "/api/me/password", Allowed(Action::AccountView), put(users_api::change_own_password)),
        entry(Method::GET, "/api/users", Allowed(Action::UserRead), get(users_api::list)),
        entry(Method::POST, "/api/users", Allowed(Action::UserCreate), post(users_api::create)),
        entry(Method::GET, "/api/users/{id}", Allowed(Action::UserRead), get(users_api::show)),
        entry(Method::POST, "/api/users/{id}/disable", Allowed(Action::UserDisable), post(users_api::disable)),
        entry(Method::POST, "/api/users/{id}/enable", Allowed(Action::UserDisable), post(users_api::enable)),
        entry(Method::POST, "/api/users/{id}/reset-mfa", Allowed(Action::UserResetMfa), post(users_api::reset_mfa)),
        entry(Method::PUT, "/api/users/{id}/role", Allowed(Action::UserChangeRole), put(users_api::change_role)),
        entry(Method::GET, "/api/tokens", Allowed(Action::TokenManage), get(tokens_api::list)),
        entry(Method::POST, "/api/tokens", Allowed(Action::TokenManage), post(tokens_api::create)),
        entry(Method::DELETE, "/api/tokens/{id}", Allowed(Action::TokenManage), delete(tokens_api::revoke)),
        entry(Method::GET, "/api/audit/events", Allowed(Action::AuditRead), get(audit_api::events)),
        entry(Method::GET, "/api/audit/verify", Allowed(Action::AuditRead), get(audit_api::verify)),
        entry(Method::GET, "/api/tenant/settings", Allowed(Action::TenantSettingsRead), get(tenant_api::show)),
        entry(Method::PUT, "/api/tenant/settings", Allowed(Action::TenantSettingsUpdate), put(tenant_api::update)),
        // Contacts (personal data).
        entry(Method::GET, "/api/contacts", Allowed(Action::ContactRead), get(contacts_api::list)),
        entry(Method::POST, "/api/contacts", Allowed(Action::ContactWrite), post(contacts_api::create)),
        entry(Method::GET, "/api/contacts/lookup", Allowed(Action::ContactRead), get(contacts_api::lookup)),
        entry(Method::GET, "/api/contacts/{id}", Allowed(Action::ContactRead), get(contacts_api::show)),
        entry(Method::PUT, "/api/contacts/{id}", Allowed(Action::ContactWrite), put(contacts_api::rectify)),
        entry(Method::POST, "/api/contacts/{id}/reveal", Allowed(Action::ContactReveal), post(contacts_api::reveal)),
        entry(Method::POST, "/api/contacts/{id}/consent", Allowed(Action::ContactWrite), post(contacts_api::change_consent)),
        entry(Method::POST, "/api/contacts/{id}/notes", Allowed(Action::ContactWrite), post(contacts_api::add_note)),
        entry(Method::POST, "/api/contacts/{id}/assign", Allowed(Action::ContactAssign), post(contacts_api::assign)),
        entry(Method::GET, "/api/contacts/{id}/export", Allowed(Action::SubjectRights), get(subject_rights_api::export)),
        entry(Method::POST, "/api/contacts/{id}/erase", Allowed(Action::SubjectRights), post(subject_rights_api::erase)),
        entry(Method::POST, "/api/imports", Allowed(Action::ContactImport), post(imports_api::upload)),
        entry(Method::GET, "/api/imports/{id}", Allowed(Action::ContactImport), get(imports_api::show)),
        entry(Method::GET, "/api/imports/{id}/rejections", Allowed(Action::ContactImport), get(imports_api::rejections)),
        entry(Method::GET, "/api/retention", Allowed(Action::RetentionManage), get(retention_api::show)),
        entry(Method::PUT, "/api/retention", Allowed(Action::RetentionManage), put(retention_api::update)),
        entry(Method::GET, "/api/custom-fields", Allowed(Action::ContactRead), get(custom_fields_api::list)),
        entry(Method::PUT, "/api/custom-fields/{id}", Allowed(Action::CustomFieldsManage), put(custom_fields_api::put)),
        entry(Method::DELETE, "/api/custom-fields/{id}", Allowed(Action::CustomFieldsManage), delete(custom_fields_api::delete)),
    ]
}

/// Every route and what it requires.
pub fn route_table() -> Vec<RouteSpec> {
    entries().into_iter().map(|e| RouteSpec { method: e.method, path: e.path, access: e.access }).collect()
}

pub(crate) fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for e in entries() {
        let guarded = e.handler.route_layer(axum::middleware::from_fn_with_state((state.clone(), e.access, e.surface), guard));
        router = router.route(e.path, guarded);
    }
    router
        .fallback(health::not_found)
        .method_not_allowed_fallback(health::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::authenticate))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(state.config.tls, crate::headers::security_headers))
        .with_state(state)
}
