//! Every route, with what it requires. The router, the permission tests and
//! the OpenAPI document are all built from this one table.

use crate::assets;
use crate::error_code::ErrorCode;
use crate::guard::{Access, Surface, guard};
use crate::handlers::{
    access_reviews_api, agents_api, audit_api, calls_api, campaigns_api, contacts_api, csp_api, custom_fields_api, desk_phones_api, health,
    imports_api, incidents_api, live_api, manual_call_api, openapi, pages, queues_api, registers_api, reports_api, retention_api,
    session_api, softphone_api, subject_rights_api, tenant_api, tokens_api, training_api, transfer_api, trunks_api, trust_api, trust_pages,
    users_api, webhooks_api, work_api,
};
use crate::handlers::{admin_pages, floor_pages};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, delete, get, post, put};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use trustline_domain::Action;
use trustline_domain::contact::{ContactInput, CustomFieldDef, RetentionPolicy};
use trustline_domain::dialing::CampaignInput;
use trustline_domain::registers::{RiskInput, SupplierInput};
use trustline_domain::routing::QueueInput;
use trustline_domain::training::CourseInput;
use trustline_domain::trunks::TrunkInput;
use trustline_domain::webhooks::WebhookInput;

/// Describes the JSON form of the type a handler reads, for the API
/// document: the very type deserialised, so the two cannot differ.
pub type Describe = fn(&mut SchemaGenerator) -> Schema;

fn describe<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// What a request carries.
#[derive(Clone, Copy, Debug)]
pub enum RequestBody {
    Empty,
    Json(Describe),
    Csv,
}

/// What a successful answer carries.
#[derive(Clone, Copy, Debug)]
pub enum ResponseBody {
    Empty,
    /// JSON, described by the type the handler answers with when it has one.
    Json(Option<Describe>),
    Csv,
    /// JSON described by the type, or CSV with `format=csv`.
    JsonOrCsv(Describe),
    EventStream,
    /// A zip archive.
    Zip,
    /// A file to save, of the type its query asks for: JSON described by
    /// the type, or HTML.
    File(Describe),
}

/// A route as the permission tests and the API document see it.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub method: Method,
    /// With `{id}` where a path parameter goes.
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// The status of a successful answer.
    pub success: StatusCode,
    /// Takes an `Idempotency-Key` (creates something, answers no secret).
    pub idempotent: bool,
    pub request: RequestBody,
    /// The query string's parameters, as the type the handler reads.
    pub query: Option<Describe>,
    pub response: ResponseBody,
    /// The `{id}` in the path is a name, not a number; `Some(pattern)`
    /// when names have one.
    pub keyed_by_name: Option<Option<&'static str>>,
    /// Error codes of this route's own rules, besides those every route of
    /// its kind answers with (see `openapi::error_codes`).
    pub fails_with: &'static [ErrorCode],
}

struct Entry {
    spec: RouteSpec,
    surface: Surface,
    handler: MethodRouter<AppState>,
}

fn entry(method: Method, path: &'static str, summary: &'static str, access: Access, handler: MethodRouter<AppState>) -> Entry {
    let surface = if path.starts_with("/api/") { Surface::Api } else { Surface::Page };
    let spec = RouteSpec {
        method,
        path,
        summary,
        access,
        success: StatusCode::OK,
        idempotent: false,
        request: RequestBody::Empty,
        query: None,
        response: ResponseBody::Json(None),
        keyed_by_name: None,
        fails_with: &[],
    };
    Entry { spec, surface, handler }
}

impl Entry {
    fn answers(mut self, success: StatusCode) -> Self {
        self.spec.success = success;
        if success == StatusCode::NO_CONTENT {
            self.spec.response = ResponseBody::Empty;
        }
        self
    }

    fn idempotent(mut self) -> Self {
        self.spec.idempotent = true;
        self
    }

    fn takes<T: JsonSchema>(mut self) -> Self {
        self.spec.request = RequestBody::Json(describe::<T>);
        self
    }

    fn csv_upload(mut self) -> Self {
        self.spec.request = RequestBody::Csv;
        self
    }

    fn query<T: JsonSchema>(mut self) -> Self {
        self.spec.query = Some(describe::<T>);
        self
    }

    fn keyed_by_name(mut self, pattern: Option<&'static str>) -> Self {
        self.spec.keyed_by_name = Some(pattern);
        self
    }

    fn fails_with(mut self, codes: &'static [ErrorCode]) -> Self {
        self.spec.fails_with = codes;
        self
    }

    /// The handler answers with JSON of type `T`: the document's response
    /// schema is generated from it, as request schemas are from theirs.
    fn returns<T: JsonSchema>(mut self) -> Self {
        self.spec.response = ResponseBody::Json(Some(describe::<T>));
        self
    }

    fn gives(mut self, response: ResponseBody) -> Self {
        self.spec.response = response;
        self
    }
}

/// What the call engine may refuse an agent's move at the desk with: the
/// call is no longer in a state that allows it, the contact may not be
/// dialled, no carrier is connected, the agent's own state forbids it or
/// changed meanwhile, or the contact's data is gone or unreadable.
const DESK_REFUSALS: &[ErrorCode] = &[
    ErrorCode::WrongCallState,
    ErrorCode::NotDiallable,
    ErrorCode::NoTelephony,
    ErrorCode::IllegalTransition,
    ErrorCode::Conflict,
    ErrorCode::Erased,
    ErrorCode::Undecryptable,
];

fn entries() -> Vec<Entry> {
    use Access::{Allowed, AnySession, Enrolment, MfaPending, PasswordChange, Public, Report};
    vec![
        entry(Method::GET, "/healthz", "Liveness: the process answers", Public, get(health::live)).returns::<health::Live>(),
        entry(Method::GET, "/readyz", "Readiness: the database and the audit log are writable", Public, get(health::ready))
            .returns::<health::Ready>(),
        entry(Method::GET, "/static/app.css", "The stylesheet", Public, get(assets::app_css)),
        entry(Method::POST, "/csp-reports", "Browsers report content security policy violations here", Report, post(csp_api::receive))
            .answers(StatusCode::NO_CONTENT),
        entry(
            Method::GET,
            "/api/csp-reports",
            "The newest CSP violation reports this node received from your organisation",
            Allowed(Action::AuditRead),
            get(csp_api::list),
        )
        .returns::<Vec<crate::csp_reports::CspViolation>>(),
        entry(Method::GET, "/static/trust.css", "The trust center's stylesheet", Public, get(assets::trust_css)),
        entry(Method::GET, "/static/icon.svg", "The icon", Public, get(assets::icon)),
        entry(Method::GET, "/static/js/{file}", "The pages' script modules", Public, get(assets::script)),
        entry(
            Method::GET,
            "/trust",
            "Trust center page: the security controls and their live evidence, report downloads and the evidence bundle",
            Allowed(Action::TrustRead),
            get(trust_pages::controls),
        ),
        entry(
            Method::GET,
            "/trust/controls/{id}",
            "Trust center page: one control, its status now and the history of its checks",
            Allowed(Action::TrustRead),
            get(trust_pages::control),
        ),
        entry(
            Method::GET,
            "/trust/incidents",
            "Trust center page: security incidents",
            Allowed(Action::IncidentRead),
            get(trust_pages::incidents),
        ),
        entry(
            Method::GET,
            "/trust/training",
            "Trust center page: security training",
            Allowed(Action::TrustRead),
            get(trust_pages::training),
        ),
        entry(Method::GET, "/trust/suppliers", "Trust center page: suppliers", Allowed(Action::TrustRead), get(trust_pages::suppliers)),
        entry(
            Method::GET,
            "/trust/access-reviews",
            "Trust center page: access reviews",
            Allowed(Action::TrustRead),
            get(trust_pages::access_reviews),
        ),
        entry(Method::GET, "/trust/risks", "Trust center page: the risk register", Allowed(Action::TrustRead), get(trust_pages::risks)),
        entry(
            Method::GET,
            "/trust/audit",
            "Trust center page: the audit log and its verification",
            Allowed(Action::AuditRead),
            get(trust_pages::audit),
        ),
        // Pages.
        entry(Method::GET, "/", "Home page", Allowed(Action::AccountView), get(pages::home)),
        entry(
            Method::GET,
            "/admin",
            "Admin console: its first section you may open",
            Allowed(Action::AccountView),
            get(admin_pages::console),
        )
        .answers(StatusCode::SEE_OTHER),
        entry(Method::GET, "/admin/users", "Admin console: users", Allowed(Action::UserCreate), get(admin_pages::users::page)),
        entry(
            Method::GET,
            "/admin/imports",
            "Admin console: call-list imports",
            Allowed(Action::ContactImport),
            get(admin_pages::imports::page),
        ),
        entry(
            Method::GET,
            "/admin/campaigns",
            "Admin console: campaigns",
            Allowed(Action::CampaignManage),
            get(admin_pages::campaigns::page),
        ),
        entry(
            Method::GET,
            "/admin/queues",
            "Admin console: inbound queues and agents' skills",
            Allowed(Action::QueueManage),
            get(admin_pages::queues::page),
        ),
        entry(
            Method::GET,
            "/admin/retention",
            "Admin console: retention",
            Allowed(Action::RetentionManage),
            get(admin_pages::retention::page),
        ),
        entry(Method::GET, "/admin/tokens", "Admin console: API tokens", Allowed(Action::TokenManage), get(admin_pages::tokens::page)),
        entry(Method::GET, "/admin/webhooks", "Admin console: webhooks", Allowed(Action::WebhookManage), get(admin_pages::webhooks::page)),
        entry(Method::GET, "/admin/trunks", "Admin console: SIP trunks", Allowed(Action::TrunkManage), get(admin_pages::trunks::page)),
        entry(
            Method::GET,
            "/desk",
            "Agent desk: state, contact, script, call controls, disposition",
            Allowed(Action::AgentWork),
            get(floor_pages::desk),
        ),
        entry(
            Method::GET,
            "/wallboard",
            "Supervisor wallboard: agents, queues and campaigns, live",
            Allowed(Action::AgentMonitor),
            get(floor_pages::wallboard),
        ),
        entry(
            Method::GET,
            "/reports",
            "Reports page: campaigns, queues and agents' time over chosen days in a chosen time zone, with CSV files",
            Allowed(Action::AgentMonitor),
            get(floor_pages::reports),
        ),
        entry(
            Method::GET,
            "/wallboard/charts/calls.svg",
            "Chart: calls per hour of a day",
            Allowed(Action::AgentMonitor),
            get(floor_pages::calls_chart),
        )
        .query::<floor_pages::ChartDay>(),
        entry(
            Method::GET,
            "/wallboard/charts/abandonment.svg",
            "Chart: each campaign's abandonment rate per hour of a day against its cap",
            Allowed(Action::AgentMonitor),
            get(floor_pages::abandonment_chart),
        )
        .query::<floor_pages::ChartDay>(),
        entry(
            Method::GET,
            "/wallboard/charts/service-level.svg",
            "Chart: each queue's service level per hour of a day",
            Allowed(Action::AgentMonitor),
            get(floor_pages::service_chart),
        )
        .query::<floor_pages::ChartDay>(),
        entry(Method::GET, "/login", "Sign-in page", Public, get(pages::login_form)),
        entry(Method::POST, "/login", "Sign in (form)", Public, post(pages::login_submit)),
        entry(Method::GET, "/login/mfa", "Second-factor page", MfaPending, get(pages::mfa_form)),
        entry(Method::POST, "/login/mfa", "Second factor (form)", MfaPending, post(pages::mfa_submit)),
        entry(Method::GET, "/mfa/enrol", "Authenticator enrolment page", Enrolment, get(pages::enrol_form)),
        entry(Method::POST, "/mfa/enrol/start", "Start authenticator enrolment (form)", Enrolment, post(pages::enrol_start)),
        entry(Method::POST, "/mfa/enrol", "Confirm authenticator enrolment (form)", Enrolment, post(pages::enrol_submit)),
        entry(Method::GET, "/mfa/enrol/qr.svg", "Enrolment QR code", Enrolment, get(pages::enrol_qr)),
        entry(Method::POST, "/logout", "Sign out (form)", AnySession, post(pages::logout)),
        entry(Method::GET, "/password", "Choose your own password (page)", PasswordChange, get(pages::password_form)),
        entry(Method::POST, "/password", "Choose your own password (form)", PasswordChange, post(pages::password_submit)),
        // Session API.
        entry(Method::GET, "/api/openapi.json", "This document", Public, get(openapi::document)).returns::<openapi::ApiDocument>(),
        entry(Method::POST, "/api/session", "Sign in with organisation, username and password", Public, post(session_api::sign_in))
            .returns::<session_api::SessionStarted>()
            .takes::<session_api::SignIn>()
            .fails_with(&[ErrorCode::InvalidCredentials, ErrorCode::TooManyAttempts, ErrorCode::Busy]),
        entry(Method::GET, "/api/session", "The current session", AnySession, get(session_api::current))
            .returns::<session_api::SessionView>(),
        entry(Method::DELETE, "/api/session", "Sign out", AnySession, delete(session_api::sign_out)).answers(StatusCode::NO_CONTENT),
        entry(
            Method::POST,
            "/api/session/mfa",
            "Complete sign-in with a TOTP or recovery code",
            MfaPending,
            post(session_api::second_factor),
        )
        .returns::<session_api::SessionStarted>()
        .takes::<session_api::Code>()
        .fails_with(&[ErrorCode::InvalidCode, ErrorCode::TooManyAttempts, ErrorCode::MfaNotEnrolled]),
        entry(Method::POST, "/api/mfa/enrolment", "Start authenticator enrolment", Enrolment, post(session_api::start_enrolment))
            .returns::<session_api::EnrolmentStarted<'static>>()
            .fails_with(&[ErrorCode::MfaAlreadyEnrolled]),
        entry(
            Method::POST,
            "/api/mfa/enrolment/confirm",
            "Confirm authenticator enrolment; returns recovery codes",
            Enrolment,
            post(session_api::confirm_enrolment),
        )
        .returns::<session_api::EnrolmentConfirmed<'static>>()
        .takes::<session_api::Code>()
        .fails_with(&[ErrorCode::NoEnrolmentPending, ErrorCode::InvalidCode]),
        // Account and administration API.
        entry(Method::GET, "/api/me", "The signed-in account", Allowed(Action::AccountView), get(users_api::me)).returns::<users_api::Me>(),
        entry(
            Method::PUT,
            "/api/me/password",
            "Change your own password (ends your sessions)",
            PasswordChange,
            put(users_api::change_own_password),
        )
        .takes::<users_api::PasswordChange>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::WrongPassword, ErrorCode::WeakPassword, ErrorCode::TooManyAttempts, ErrorCode::Busy]),
        entry(Method::GET, "/api/users", "List staff accounts", Allowed(Action::UserRead), get(users_api::list))
            .returns::<Vec<crate::handlers::views::UserView>>(),
        entry(Method::POST, "/api/users", "Create a staff account", Allowed(Action::UserCreate), post(users_api::create))
            .returns::<users_api::NewUserView<'static>>()
            .takes::<users_api::NewUserInput>()
            .answers(StatusCode::CREATED)
            .fails_with(&[
                ErrorCode::InvalidUsername,
                ErrorCode::InvalidDisplayName,
                ErrorCode::InvalidRole,
                ErrorCode::RoleNotAssignable,
                ErrorCode::WeakPassword,
                ErrorCode::Conflict,
                ErrorCode::Busy,
            ]),
        entry(Method::GET, "/api/users/{id}", "One staff account", Allowed(Action::UserRead), get(users_api::show))
            .returns::<crate::handlers::views::UserView>(),
        entry(
            Method::POST,
            "/api/users/{id}/disable",
            "Disable an account (ends its sessions, revokes its tokens)",
            Allowed(Action::UserDisable),
            post(users_api::disable),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable, ErrorCode::LastOwner]),
        entry(Method::POST, "/api/users/{id}/enable", "Enable an account", Allowed(Action::UserDisable), post(users_api::enable))
            .answers(StatusCode::NO_CONTENT)
            .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable]),
        entry(
            Method::POST,
            "/api/users/{id}/reset-mfa",
            "Remove an account's authenticator",
            Allowed(Action::UserResetMfa),
            post(users_api::reset_mfa),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable]),
        entry(
            Method::PUT,
            "/api/users/{id}/role",
            "Change an account's role",
            Allowed(Action::UserChangeRole),
            put(users_api::change_role),
        )
        .takes::<users_api::RoleChange>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidRole, ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable, ErrorCode::LastOwner]),
        entry(
            Method::PUT,
            "/api/users/{id}/manual-calls",
            "Allow or stop an account's calls to numbers it types at the desk (roles that send calls outside always may)",
            Allowed(Action::UserChangeRole),
            put(users_api::set_manual_calls),
        )
        .takes::<users_api::ManualCallsChange>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable]),
        entry(
            Method::POST,
            "/api/users/{id}/desk-phone",
            "Give an account a SIP desk phone login in place of any it had (the password is shown once)",
            Allowed(Action::UserChangeRole),
            post(desk_phones_api::issue),
        )
        .returns::<desk_phones_api::IssuedDeskPhoneView>()
        .answers(StatusCode::CREATED)
        .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable, ErrorCode::NoCallWork]),
        entry(Method::GET, "/api/users/{id}/desk-phone", "An account's desk phone login, without its secret", Allowed(Action::UserChangeRole), get(desk_phones_api::show))
            .returns::<desk_phones_api::DeskPhoneView>()
            .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable]),
        entry(
            Method::DELETE,
            "/api/users/{id}/desk-phone",
            "Take an account's desk phone login away (the phone can no longer register)",
            Allowed(Action::UserChangeRole),
            delete(desk_phones_api::revoke),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::CannotChangeSelf, ErrorCode::RoleNotAssignable]),
        entry(Method::GET, "/api/tokens", "List API tokens", Allowed(Action::TokenManage), get(tokens_api::list))
            .returns::<Vec<crate::handlers::views::TokenView>>(),
        entry(
            Method::POST,
            "/api/tokens",
            "Create a scoped, expiring API token (the secret is shown once)",
            Allowed(Action::TokenManage),
            post(tokens_api::create),
        )
        .returns::<tokens_api::NewTokenView<'static>>()
        .takes::<tokens_api::NewTokenInput>()
        .answers(StatusCode::CREATED)
        .fails_with(&[ErrorCode::InvalidName, ErrorCode::InvalidExpiry, ErrorCode::InvalidScope, ErrorCode::ScopeNotGrantable]),
        entry(Method::DELETE, "/api/tokens/{id}", "Revoke an API token", Allowed(Action::TokenManage), delete(tokens_api::revoke))
            .answers(StatusCode::NO_CONTENT),
        entry(Method::GET, "/api/audit/events", "Audit events of the tenant", Allowed(Action::AuditRead), get(audit_api::events))
            .returns::<Vec<trustline_audit::StoredEvent>>()
            .query::<audit_api::Page>(),
        entry(
            Method::GET,
            "/api/audit/search",
            "Search the tenant's audit events by action, actor, target, outcome and time, newest first (JSON, or CSV with format=csv)",
            Allowed(Action::AuditRead),
            get(audit_api::search),
        )
        .gives(ResponseBody::JsonOrCsv(describe::<audit_api::SearchResults>))
        .query::<audit_api::SearchQuery>()
        .fails_with(&[ErrorCode::InvalidSearch, ErrorCode::InvalidPeriod]),
        entry(
            Method::GET,
            "/api/audit/verify",
            "Verify the tenant's audit chain and checkpoints",
            Allowed(Action::AuditRead),
            get(audit_api::verify),
        )
        .returns::<audit_api::ChainVerdict>(),
        entry(Method::GET, "/api/tenant/settings", "Tenant settings", Allowed(Action::TenantSettingsRead), get(tenant_api::show))
            .returns::<tenant_api::TenantView>(),
        entry(
            Method::PUT,
            "/api/tenant/settings",
            "Change tenant settings (MFA for all, default region)",
            Allowed(Action::TenantSettingsUpdate),
            put(tenant_api::update),
        )
        .takes::<tenant_api::Settings>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidRegion, ErrorCode::NothingToChange]),
        // Contacts (personal data).
        entry(Method::GET, "/api/contacts", "List contacts (masked)", Allowed(Action::ContactRead), get(contacts_api::list))
            .fails_with(&[ErrorCode::Undecryptable])
            .returns::<contacts_api::ContactPage>()
            .query::<contacts_api::Page>(),
        entry(Method::POST, "/api/contacts", "Create a contact", Allowed(Action::ContactWrite), post(contacts_api::create))
            .returns::<crate::handlers::views::Created>()
            .takes::<ContactInput>()
            .answers(StatusCode::CREATED)
            .idempotent()
            .fails_with(&[ErrorCode::InvalidContact, ErrorCode::CustomFields, ErrorCode::DuplicatePhone]),
        entry(
            Method::GET,
            "/api/contacts/lookup",
            "Find a contact by phone number or e-mail (blind index)",
            Allowed(Action::ContactRead),
            get(contacts_api::lookup),
        )
        .returns::<contacts_api::FoundContacts>()
        .query::<contacts_api::LookupQuery>()
        .fails_with(&[ErrorCode::InvalidEmail, ErrorCode::InvalidPhone, ErrorCode::Undecryptable]),
        entry(
            Method::GET,
            "/api/contacts/{id}",
            "One contact (masked unless you are working it)",
            Allowed(Action::ContactRead),
            get(contacts_api::show),
        )
        .returns::<contacts_api::ContactRecord>()
        .fails_with(&[ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(Method::PUT, "/api/contacts/{id}", "Rectify a contact", Allowed(Action::ContactWrite), put(contacts_api::rectify))
            .takes::<ContactInput>()
            .answers(StatusCode::NO_CONTENT)
            .fails_with(&[
                ErrorCode::InvalidContact,
                ErrorCode::CustomFields,
                ErrorCode::DuplicatePhone,
                ErrorCode::Conflict,
                ErrorCode::Erased,
                ErrorCode::Undecryptable,
            ]),
        entry(
            Method::POST,
            "/api/contacts/{id}/reveal",
            "Reveal a contact's full details, with a reason (audited)",
            Allowed(Action::ContactReveal),
            post(contacts_api::reveal),
        )
        .returns::<contacts_api::ContactRecord>()
        .takes::<contacts_api::RevealRequest>()
        .fails_with(&[ErrorCode::ReasonRequired, ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(
            Method::POST,
            "/api/contacts/{id}/consent",
            "Record consent, do-not-contact, restriction or objection",
            Allowed(Action::ContactWrite),
            post(contacts_api::change_consent),
        )
        .returns::<contacts_api::ConsentHistory>()
        .takes::<trustline_domain::contact::ConsentUpdate>()
        .fails_with(&[ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(Method::POST, "/api/contacts/{id}/notes", "Add a note", Allowed(Action::ContactWrite), post(contacts_api::add_note))
            .returns::<crate::handlers::views::Created>()
            .takes::<contacts_api::NoteRequest>()
            .answers(StatusCode::CREATED)
            .idempotent()
            .fails_with(&[ErrorCode::InvalidNote, ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(
            Method::POST,
            "/api/contacts/{id}/assign",
            "Assign the contact to an agent",
            Allowed(Action::ContactAssign),
            post(contacts_api::assign),
        )
        .takes::<contacts_api::AssignRequest>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(
            Method::GET,
            "/api/contacts/{id}/export",
            "Export everything about the person (access and portability)",
            Allowed(Action::SubjectRights),
            get(subject_rights_api::export),
        )
        .returns::<trustline_vault::SubjectExport>()
        .fails_with(&[ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(
            Method::POST,
            "/api/contacts/{id}/erase",
            "Erase the person (crypto-shredding)",
            Allowed(Action::SubjectRights),
            post(subject_rights_api::erase),
        )
        .takes::<subject_rights_api::ErasureRequest>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidReason, ErrorCode::Erased, ErrorCode::Undecryptable]),
        entry(Method::POST, "/api/imports", "Upload a call list (CSV body)", Allowed(Action::ContactImport), post(imports_api::upload))
            .returns::<imports_api::ImportView>()
            .query::<imports_api::UploadQuery>()
            .csv_upload()
            .answers(StatusCode::ACCEPTED)
            .fails_with(&[ErrorCode::InvalidFile, ErrorCode::InvalidRegion, ErrorCode::TooLarge]),
        entry(
            Method::POST,
            "/api/imports/columns",
            "Propose a contact field for each column of a CSV header",
            Allowed(Action::ContactImport),
            post(imports_api::propose_columns),
        )
        .returns::<imports_api::ColumnProposal>()
        .takes::<imports_api::HeaderInput>()
        .fails_with(&[ErrorCode::InvalidHeader, ErrorCode::TooLarge]),
        entry(Method::GET, "/api/imports/{id}", "Import progress and counts", Allowed(Action::ContactImport), get(imports_api::show))
            .returns::<imports_api::ImportView>(),
        entry(
            Method::GET,
            "/api/imports/{id}/rejections",
            "Rejected rows (JSON, or CSV with format=csv)",
            Allowed(Action::ContactImport),
            get(imports_api::rejections),
        )
        .query::<imports_api::ReportQuery>()
        .gives(ResponseBody::JsonOrCsv(describe::<imports_api::Rejections>)),
        entry(Method::GET, "/api/retention", "Retention policy", Allowed(Action::RetentionManage), get(retention_api::show))
            .returns::<RetentionPolicy>(),
        entry(Method::PUT, "/api/retention", "Change the retention policy", Allowed(Action::RetentionManage), put(retention_api::update))
            .takes::<RetentionPolicy>()
            .answers(StatusCode::NO_CONTENT)
            .fails_with(&[ErrorCode::InvalidPolicy]),
        entry(Method::GET, "/api/custom-fields", "Custom contact fields", Allowed(Action::ContactRead), get(custom_fields_api::list))
            .returns::<Vec<CustomFieldDef>>(),
        entry(
            Method::PUT,
            "/api/custom-fields/{id}",
            "Define or change a custom field",
            Allowed(Action::CustomFieldsManage),
            put(custom_fields_api::put),
        )
        .keyed_by_name(Some(CustomFieldDef::NAME_PATTERN))
        .takes::<custom_fields_api::FieldInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidCustomField]),
        entry(
            Method::DELETE,
            "/api/custom-fields/{id}",
            "Remove a custom field",
            Allowed(Action::CustomFieldsManage),
            delete(custom_fields_api::delete),
        )
        .keyed_by_name(Some(CustomFieldDef::NAME_PATTERN))
        .answers(StatusCode::NO_CONTENT),
        // Campaigns.
        entry(Method::GET, "/api/lists", "Call lists", Allowed(Action::CampaignRead), get(campaigns_api::lists))
            .returns::<Vec<campaigns_api::ListView>>(),
        entry(Method::GET, "/api/campaigns", "Campaigns", Allowed(Action::CampaignRead), get(campaigns_api::list))
            .returns::<Vec<campaigns_api::CampaignView>>(),
        entry(Method::POST, "/api/campaigns", "Create a campaign (in draft)", Allowed(Action::CampaignManage), post(campaigns_api::create))
            .returns::<crate::handlers::views::Created>()
            .takes::<CampaignInput>()
            .answers(StatusCode::CREATED)
            .idempotent()
            .fails_with(&[ErrorCode::InvalidCampaign, ErrorCode::UnknownReference, ErrorCode::Conflict]),
        entry(
            Method::GET,
            "/api/campaigns/{id}",
            "One campaign with its settings",
            Allowed(Action::CampaignRead),
            get(campaigns_api::show),
        )
        .returns::<campaigns_api::CampaignView>(),
        entry(
            Method::PUT,
            "/api/campaigns/{id}",
            "Change a campaign's settings and lists",
            Allowed(Action::CampaignManage),
            put(campaigns_api::update),
        )
        .takes::<CampaignInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidCampaign, ErrorCode::UnknownReference, ErrorCode::Conflict]),
        entry(
            Method::POST,
            "/api/campaigns/{id}/status",
            "Start, pause, resume or finish a campaign",
            Allowed(Action::CampaignManage),
            post(campaigns_api::change_status),
        )
        .returns::<campaigns_api::StatusView>()
        .takes::<campaigns_api::StatusChange>()
        .fails_with(&[ErrorCode::InvalidStatus, ErrorCode::IllegalTransition, ErrorCode::Conflict]),
        entry(
            Method::GET,
            "/api/live",
            "Live changes for supervisor views (Server-Sent Events)",
            Allowed(Action::AgentMonitor),
            get(live_api::stream),
        )
        .gives(ResponseBody::EventStream),
        entry(
            Method::GET,
            "/api/reports/agent-time",
            "Time per agent and state, and occupancy, over a period (CSV, or JSON with the floor's totals with format=json)",
            Allowed(Action::AgentMonitor),
            get(reports_api::agent_time),
        )
        .query::<reports_api::AgentTimeQuery>()
        .gives(ResponseBody::JsonOrCsv(describe::<reports_api::AgentTimeReport>))
        .fails_with(&[ErrorCode::InvalidPeriod]),
        // Agents at work.
        entry(
            Method::GET,
            "/api/trust",
            "The security controls with SOC 2 and ISO/IEC 27001 references and their live status and evidence",
            Allowed(Action::TrustRead),
            get(trust_api::report),
        )
        .returns::<trustline_trust::Assessment>(),
        entry(
            Method::GET,
            "/api/trust/questionnaire",
            "A CAIQ-style security questionnaire answered from the controls and their evidence",
            Allowed(Action::TrustRead),
            get(trust_api::questionnaire),
        )
        .returns::<Vec<trustline_trust::Answer>>(),
        entry(
            Method::GET,
            "/api/trust/report",
            "The controls report as a file: JSON, standalone HTML, OSCAL assessment results or questionnaire answers",
            Allowed(Action::TrustRead),
            get(trust_api::download),
        )
        .query::<trust_api::ReportQuery>()
        .gives(ResponseBody::File(describe::<trust_api::ReportFile>)),
        entry(
            Method::GET,
            "/api/trust/evidence",
            "The evidence bundle of a period (zip): the controls report, each check's output and the signed audit log, verifiable offline",
            Allowed(Action::TrustRead),
            get(trust_api::evidence),
        )
        .query::<trust_api::EvidencePeriod>()
        .gives(ResponseBody::Zip)
        .fails_with(&[ErrorCode::InvalidPeriod]),
        entry(
            Method::POST,
            "/api/trust/controls/{id}/evidence",
            "Attach evidence to a control no automated check decides",
            Allowed(Action::TrustManage),
            post(trust_api::attach_evidence),
        )
        .takes::<trust_api::EvidenceInput>()
        .keyed_by_name(Some(trust_api::EVIDENCED_CONTROLS.as_str()))
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidEvidence, ErrorCode::AutomatedControl]),
        // Access reviews.
        entry(Method::GET, "/api/access-reviews", "Access review campaigns", Allowed(Action::TrustRead), get(access_reviews_api::list))
            .returns::<Vec<access_reviews_api::ReviewSummary>>(),
        entry(
            Method::POST,
            "/api/access-reviews",
            "Start an access review of every enabled account (due in 14 days)",
            Allowed(Action::UserDisable),
            post(access_reviews_api::start),
        )
        .answers(StatusCode::CREATED)
        .returns::<access_reviews_api::ReviewStarted>(),
        entry(
            Method::GET,
            "/api/access-reviews/{id}",
            "One campaign with each account's decision",
            Allowed(Action::TrustRead),
            get(access_reviews_api::show),
        )
        .returns::<access_reviews_api::ReviewView>(),
        entry(
            Method::POST,
            "/api/access-reviews/{id}/decisions",
            "Confirm or revoke one account's access (a revocation disables it at once)",
            Allowed(Action::UserDisable),
            post(access_reviews_api::decide),
        )
        .takes::<access_reviews_api::DecisionInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[
            ErrorCode::AlreadyDecided,
            ErrorCode::OwnAccess,
            ErrorCode::RoleNotAssignable,
            ErrorCode::CannotChangeSelf,
            ErrorCode::LastOwner,
        ]),
        // Supplier and risk registers.
        entry(
            Method::GET,
            "/api/suppliers",
            "Suppliers and sub-processors, with their tasks",
            Allowed(Action::TrustRead),
            get(registers_api::suppliers),
        )
        .returns::<Vec<registers_api::SupplierView>>(),
        entry(Method::POST, "/api/suppliers", "Register a supplier", Allowed(Action::TrustManage), post(registers_api::add_supplier))
            .returns::<crate::handlers::views::Created>()
            .takes::<SupplierInput>()
            .answers(StatusCode::CREATED)
            .idempotent()
            .fails_with(&[ErrorCode::InvalidSupplier]),
        entry(
            Method::PUT,
            "/api/suppliers/{id}",
            "Change a supplier's details",
            Allowed(Action::TrustManage),
            put(registers_api::update_supplier),
        )
        .takes::<SupplierInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidSupplier]),
        entry(
            Method::POST,
            "/api/suppliers/{id}/reviews",
            "Record a supplier review",
            Allowed(Action::TrustManage),
            post(registers_api::review_supplier),
        )
        .takes::<registers_api::SupplierReview>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidReview]),
        entry(Method::GET, "/api/risks", "The risk register with reviews due", Allowed(Action::TrustRead), get(registers_api::risks))
            .returns::<Vec<registers_api::RiskView>>(),
        entry(Method::POST, "/api/risks", "Register a risk", Allowed(Action::TrustManage), post(registers_api::add_risk))
            .returns::<crate::handlers::views::Created>()
            .takes::<RiskInput>()
            .answers(StatusCode::CREATED)
            .idempotent()
            .fails_with(&[ErrorCode::InvalidRisk, ErrorCode::UnknownReference]),
        entry(Method::PUT, "/api/risks/{id}", "Change a risk", Allowed(Action::TrustManage), put(registers_api::update_risk))
            .takes::<RiskInput>()
            .answers(StatusCode::NO_CONTENT)
            .fails_with(&[ErrorCode::InvalidRisk, ErrorCode::UnknownReference]),
        entry(
            Method::POST,
            "/api/risks/{id}/reviews",
            "Record a risk review",
            Allowed(Action::TrustManage),
            post(registers_api::review_risk),
        )
        .takes::<registers_api::RiskReview>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidReview]),
        // Security training.
        entry(Method::GET, "/api/training/courses", "Security courses", Allowed(Action::AccountView), get(training_api::courses))
            .returns::<Vec<trustline_domain::training::Course>>(),
        entry(
            Method::POST,
            "/api/training/courses",
            "Define a security course",
            Allowed(Action::TrainingManage),
            post(training_api::create_course),
        )
        .returns::<crate::handlers::views::Created>()
        .takes::<CourseInput>()
        .answers(StatusCode::CREATED)
        .idempotent()
        .fails_with(&[ErrorCode::InvalidCourse, ErrorCode::CourseExists]),
        entry(
            Method::POST,
            "/api/training/courses/{id}/completions",
            "Record that someone completed a course",
            Allowed(Action::TrainingManage),
            post(training_api::record_completion),
        )
        .takes::<training_api::CompletionInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidCompletion]),
        entry(
            Method::GET,
            "/api/training/me",
            "Your training: current, or which course lapsed",
            Allowed(Action::AccountView),
            get(training_api::mine),
        )
        .returns::<training_api::MyTraining>(),
        entry(
            Method::GET,
            "/api/training/status",
            "Everyone's training standing",
            Allowed(Action::TrainingManage),
            get(training_api::status),
        )
        .returns::<Vec<training_api::TrainingStanding>>(),
        // Security incidents.
        entry(
            Method::GET,
            "/api/incidents",
            "Security incidents with their deadlines",
            Allowed(Action::IncidentRead),
            get(incidents_api::list),
        )
        .returns::<Vec<incidents_api::IncidentView>>(),
        entry(Method::POST, "/api/incidents", "Report a security incident", Allowed(Action::IncidentManage), post(incidents_api::report))
            .returns::<crate::handlers::views::Created>()
            .takes::<incidents_api::IncidentReport>()
            .answers(StatusCode::CREATED)
            .fails_with(&[ErrorCode::InvalidIncident]),
        entry(
            Method::GET,
            "/api/incidents/{id}",
            "One incident with its timeline",
            Allowed(Action::IncidentRead),
            get(incidents_api::show),
        )
        .returns::<incidents_api::IncidentView>(),
        entry(
            Method::POST,
            "/api/incidents/{id}/changes",
            "Work an incident: note, owner, status, breach declaration, regulator notification",
            Allowed(Action::IncidentManage),
            post(incidents_api::change),
        )
        .returns::<incidents_api::IncidentView>()
        .takes::<incidents_api::IncidentChange>()
        .fails_with(&[
            ErrorCode::InvalidChange,
            ErrorCode::EmptyChange,
            ErrorCode::NoChange,
            ErrorCode::NotABreach,
            ErrorCode::IllegalIncidentChange,
            ErrorCode::UnknownReference,
            ErrorCode::Conflict,
        ]),
        // Webhooks.
        entry(Method::GET, "/api/webhooks", "Webhook subscriptions", Allowed(Action::WebhookManage), get(webhooks_api::list))
            .returns::<Vec<webhooks_api::WebhookView>>(),
        entry(
            Method::POST,
            "/api/webhooks",
            "Subscribe a URL to events (the signing secret is shown once)",
            Allowed(Action::WebhookManage),
            post(webhooks_api::create),
        )
        .returns::<webhooks_api::NewWebhookView>()
        .takes::<WebhookInput>()
        .answers(StatusCode::CREATED)
        .fails_with(&[ErrorCode::InvalidWebhook]),
        entry(
            Method::DELETE,
            "/api/webhooks/{id}",
            "Remove a subscription and its deliveries",
            Allowed(Action::WebhookManage),
            delete(webhooks_api::remove),
        )
        .answers(StatusCode::NO_CONTENT),
        entry(
            Method::GET,
            "/api/webhooks/{id}/deliveries",
            "A subscription's recent deliveries and their attempts",
            Allowed(Action::WebhookManage),
            get(webhooks_api::deliveries),
        )
        .returns::<Vec<webhooks_api::DeliveryView>>(),
        // SIP trunks.
        entry(Method::GET, "/api/trunks", "The tenant's SIP trunks", Allowed(Action::TrunkManage), get(trunks_api::list))
            .returns::<Vec<trunks_api::TrunkView>>(),
        entry(
            Method::POST,
            "/api/trunks",
            "Add a SIP trunk (a digest password is sealed and never shown again)",
            Allowed(Action::TrunkManage),
            post(trunks_api::create),
        )
        .returns::<trunks_api::TrunkView>()
        .takes::<TrunkInput>()
        .answers(StatusCode::CREATED)
        .fails_with(&[ErrorCode::InvalidTrunk]),
        entry(
            Method::PUT,
            "/api/trunks/{id}",
            "Change a SIP trunk (its login is replaced when one is given, kept otherwise)",
            Allowed(Action::TrunkManage),
            put(trunks_api::change),
        )
        .returns::<trunks_api::TrunkView>()
        .takes::<TrunkInput>()
        .fails_with(&[ErrorCode::InvalidTrunk]),
        entry(Method::DELETE, "/api/trunks/{id}", "Remove a SIP trunk", Allowed(Action::TrunkManage), delete(trunks_api::remove))
            .answers(StatusCode::NO_CONTENT),
        entry(
            Method::DELETE,
            "/api/trunks/{id}/digest",
            "Remove a SIP trunk's digest login",
            Allowed(Action::TrunkManage),
            delete(trunks_api::remove_login),
        )
        .returns::<trunks_api::TrunkView>(),
        // Inbound queues.
        entry(
            Method::GET,
            "/api/queues",
            "Inbound queues, with the calls waiting in each",
            Allowed(Action::QueueRead),
            get(queues_api::list),
        )
        .returns::<Vec<queues_api::QueueView>>(),
        entry(Method::POST, "/api/queues", "Create an inbound queue", Allowed(Action::QueueManage), post(queues_api::create))
            .returns::<crate::handlers::views::Created>()
            .takes::<QueueInput>()
            .answers(StatusCode::CREATED)
            .idempotent()
            .fails_with(&[ErrorCode::InvalidQueue, ErrorCode::UnknownReference, ErrorCode::QueueTaken, ErrorCode::NumberNotAssigned]),
        entry(
            Method::GET,
            "/api/queues/{id}",
            "One queue with its settings and waiting calls",
            Allowed(Action::QueueRead),
            get(queues_api::show),
        )
        .returns::<queues_api::QueueView>(),
        entry(Method::PUT, "/api/queues/{id}", "Change a queue's settings", Allowed(Action::QueueManage), put(queues_api::update))
            .takes::<QueueInput>()
            .answers(StatusCode::NO_CONTENT)
            .fails_with(&[ErrorCode::InvalidQueue, ErrorCode::UnknownReference, ErrorCode::QueueTaken, ErrorCode::NumberNotAssigned]),
        entry(
            Method::GET,
            "/api/inbound-numbers",
            "Your organisation's inbound numbers (assigned by the operator) and the queue answering each",
            Allowed(Action::QueueRead),
            get(queues_api::numbers),
        )
        .returns::<Vec<queues_api::NumberView>>(),
        entry(Method::GET, "/api/skills", "Every agent's skills", Allowed(Action::QueueRead), get(queues_api::skills))
            .returns::<Vec<queues_api::AgentSkillsView>>(),
        entry(
            Method::PUT,
            "/api/agents/{id}/skills",
            "Set an agent's skills and levels",
            Allowed(Action::QueueManage),
            put(queues_api::set_skills),
        )
        .takes::<queues_api::SkillsInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidSkills, ErrorCode::UnknownReference]),
        entry(
            Method::GET,
            "/api/reports/queues",
            "Each queue's figures over a period (JSON, or CSV with format=csv)",
            Allowed(Action::AgentMonitor),
            get(calls_api::queue_report),
        )
        .query::<calls_api::ReportQuery>()
        .gives(ResponseBody::JsonOrCsv(describe::<calls_api::QueueReport>))
        .fails_with(&[ErrorCode::InvalidPeriod]),
        entry(Method::GET, "/api/agent/state", "Your own agent state", Allowed(Action::AgentWork), get(agents_api::mine))
            .returns::<trustline_app::StateView>(),
        entry(
            Method::POST,
            "/api/agent/state",
            "Log in to work, take or end a break, log out",
            Allowed(Action::AgentWork),
            post(agents_api::change),
        )
        .returns::<trustline_app::StateView>()
        .takes::<trustline_domain::agent::SelfServiceEvent>()
        .fails_with(&[ErrorCode::IllegalTransition, ErrorCode::Conflict, ErrorCode::NodeUnreachable, ErrorCode::NodeUnanswered]),
        entry(Method::GET, "/api/agents", "Every agent's state", Allowed(Action::AgentMonitor), get(agents_api::list))
            .returns::<Vec<trustline_app::StateView>>(),
        entry(
            Method::POST,
            "/api/agents/{id}/state",
            "A supervisor logs an agent out of work, puts them on a break or ends it, saying why (audited)",
            Allowed(Action::AgentMonitor),
            post(agents_api::supervise),
        )
        .returns::<trustline_app::StateView>()
        .takes::<agents_api::SupervisedMove>()
        .fails_with(&[
            ErrorCode::InvalidMove,
            ErrorCode::IllegalTransition,
            ErrorCode::Conflict,
            ErrorCode::NodeUnreachable,
            ErrorCode::NodeUnanswered,
        ]),
        entry(
            Method::POST,
            "/api/agents/{id}/monitor",
            "Listen to an agent's conversation, whisper to the agent or barge in, from your own desk phone (audited on the call)",
            Allowed(Action::AgentMonitor),
            post(agents_api::monitor),
        )
        .takes::<agents_api::MonitorInput>()
        .returns::<agents_api::MonitoredCall>()
        .fails_with(&[ErrorCode::WrongCallState, ErrorCode::DeskOffline, ErrorCode::NoTelephony]),
        entry(
            Method::DELETE,
            "/api/agents/{id}/monitor",
            "Leave an agent's conversation you monitor (audited on the call)",
            Allowed(Action::AgentMonitor),
            delete(agents_api::stop_monitoring),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::GET,
            "/api/agents/{id}/history",
            "One agent's moves, newest first",
            Allowed(Action::AgentMonitor),
            get(agents_api::history),
        )
        .returns::<Vec<agents_api::HistoryView>>(),
        entry(
            Method::POST,
            "/api/agent/softphone",
            "Open your softphone: your browser's WebRTC offer in, the answer out (it replaces one you had open)",
            Allowed(Action::AgentWork),
            post(softphone_api::open),
        )
        .takes::<softphone_api::SoftphoneOffer>()
        .returns::<softphone_api::SoftphoneAnswer>()
        .fails_with(&[ErrorCode::InvalidOffer, ErrorCode::NoSoftphone, ErrorCode::SoftphonesFull, ErrorCode::NoTelephony]),
        entry(Method::DELETE, "/api/agent/softphone", "Close your softphone or desk phone line", Allowed(Action::AgentWork), delete(softphone_api::close))
            .answers(StatusCode::NO_CONTENT)
            .fails_with(&[ErrorCode::NodeUnreachable, ErrorCode::NodeUnanswered]),
        entry(
            Method::POST,
            "/api/agent/desk-phone",
            "Use your registered desk phone as your desk: it rings, and once you answer, your calls are heard on it (it replaces a softphone you had open)",
            Allowed(Action::AgentWork),
            post(softphone_api::ring_desk_phone),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::NoDeskPhone, ErrorCode::DeskPhoneUnanswered, ErrorCode::NoSoftphone, ErrorCode::NoTelephony]),
        entry(
            Method::GET,
            "/api/agent/softphone/relay",
            "Where your softphone may relay its audio: the TURN relay's address and your own credential for it, good for a shift",
            Allowed(Action::AgentWork),
            get(softphone_api::relay),
        )
        .returns::<softphone_api::RelayView>(),
        entry(
            Method::GET,
            "/api/agent/events",
            "Your own moves and calls as they happen, for the desk (Server-Sent Events)",
            Allowed(Action::AgentWork),
            get(live_api::mine),
        )
        .gives(ResponseBody::EventStream),
        entry(
            Method::GET,
            "/api/agent/work",
            "Your current call: the contact (masked until connected), script, dispositions and past calls",
            Allowed(Action::AgentWork),
            get(work_api::current),
        )
        .returns::<work_api::WorkView>()
        .fails_with(&[ErrorCode::Erased, ErrorCode::Undecryptable, ErrorCode::NodeUnreachable, ErrorCode::NodeUnanswered]),
        entry(
            Method::POST,
            "/api/agent/next",
            "Be offered the next contact of a preview campaign",
            Allowed(Action::AgentWork),
            post(work_api::next),
        )
        .returns::<work_api::WorkView>()
        .fails_with(DESK_REFUSALS),
        entry(Method::POST, "/api/calls/{id}/dial", "Dial the contact you were offered", Allowed(Action::AgentWork), post(work_api::dial))
            .answers(StatusCode::NO_CONTENT)
            .fails_with(DESK_REFUSALS),
        entry(
            Method::POST,
            "/api/calls/{id}/skip",
            "Pass on the contact you were offered",
            Allowed(Action::AgentWork),
            post(work_api::skip),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(DESK_REFUSALS),
        entry(
            Method::POST,
            "/api/calls/{id}/accept",
            "Take the incoming call ringing at your desk",
            Allowed(Action::AgentWork),
            post(work_api::accept),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(DESK_REFUSALS),
        entry(
            Method::POST,
            "/api/calls/{id}/decline",
            "Pass the incoming call back to its queue (you are set aside until you are back)",
            Allowed(Action::AgentWork),
            post(work_api::decline),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(DESK_REFUSALS),
        entry(Method::POST, "/api/calls/{id}/hold", "Put the person you talk to on hold", Allowed(Action::AgentWork), post(work_api::hold))
            .answers(StatusCode::NO_CONTENT)
            .fails_with(DESK_REFUSALS),
        entry(Method::POST, "/api/calls/{id}/resume", "Take the person on hold back", Allowed(Action::AgentWork), post(work_api::resume))
            .answers(StatusCode::NO_CONTENT)
            .fails_with(DESK_REFUSALS),
        entry(
            Method::POST,
            "/api/calls/{id}/keys",
            "Play keys to the person you talk to (your dial pad; the keys are not kept)",
            Allowed(Action::AgentWork),
            post(work_api::send_keys),
        )
        .takes::<work_api::KeysInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidKeys, ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/agent/calls",
            "Call a number yourself, for one of your queues (roles that send calls outside, and agents an administrator allowed; the dialing rules hold: do-not-contact, restriction, calling window)",
            Allowed(Action::AgentWork),
            post(manual_call_api::place),
        )
        .takes::<manual_call_api::ManualCallInput>()
        .answers(StatusCode::CREATED)
        .returns::<manual_call_api::PlacedCall>()
        .fails_with(&[
            ErrorCode::InvalidPhone,
            ErrorCode::UnknownReference,
            ErrorCode::NotDiallable,
            ErrorCode::IllegalTransition,
            ErrorCode::WrongCallState,
            ErrorCode::NoTelephony,
        ]),
        entry(
            Method::GET,
            "/api/agent/transfer-targets",
            "Where you may hand a conversation on now: queues, colleagues ready for a call, and whether outside numbers",
            Allowed(Action::AgentWork),
            get(transfer_api::targets),
        )
        .returns::<transfer_api::TransferTargets>(),
        entry(
            Method::POST,
            "/api/calls/{id}/transfer",
            "Hand the person you talk to on to a queue or a colleague ready now, and leave the call for its wrap-up (audited)",
            Allowed(Action::AgentWork),
            post(transfer_api::transfer),
        )
        .takes::<transfer_api::TransferInput>()
        .returns::<transfer_api::TransferredCall>()
        .fails_with(&[
            ErrorCode::UnknownReference,
            ErrorCode::TransferUnavailable,
            ErrorCode::WrongCallState,
            ErrorCode::NoTelephony,
        ]),
        entry(
            Method::POST,
            "/api/calls/{id}/transfer-outside",
            "Hand the person you talk to on to an outside number, and leave the call for its wrap-up (audited)",
            Allowed(Action::CallExternal),
            post(transfer_api::transfer_outside),
        )
        .takes::<transfer_api::OutsideInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidTransfer, ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/calls/{id}/consult",
            "Call an outside number while the person you talk to waits on hold, to hand them over once it answers (audited)",
            Allowed(Action::CallExternal),
            post(transfer_api::consult),
        )
        .takes::<transfer_api::OutsideInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::InvalidTransfer, ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/calls/{id}/consult/complete",
            "Hand the person over to the number you consult, which has answered, and leave the call for its wrap-up (audited)",
            Allowed(Action::CallExternal),
            post(transfer_api::complete_consult),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/calls/{id}/consult/conference",
            "Bring the person into your consultation, which has answered: the three of you talk together (audited)",
            Allowed(Action::CallExternal),
            post(transfer_api::conference),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/calls/{id}/consult-colleague",
            "Talk to a colleague ready now while the person you talk to waits on hold, to hand the person over or bring them in (audited)",
            Allowed(Action::AgentWork),
            post(transfer_api::consult_colleague),
        )
        .takes::<transfer_api::ColleagueInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::TransferUnavailable, ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/calls/{id}/consult-colleague/complete",
            "Hand the person over to the colleague you consult (a new call of theirs) and leave the call for its wrap-up (audited)",
            Allowed(Action::AgentWork),
            post(transfer_api::complete_colleague_consult),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::TransferUnavailable, ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::POST,
            "/api/calls/{id}/consult-colleague/conference",
            "Bring the person into your consultation with a colleague: the three of you talk together (audited)",
            Allowed(Action::AgentWork),
            post(transfer_api::colleague_conference),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::TransferUnavailable, ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(
            Method::DELETE,
            "/api/agent/consultation",
            "Leave the consultation a colleague holds with you; they are back with their caller",
            Allowed(Action::AgentWork),
            delete(transfer_api::leave_consultation),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::WrongCallState, ErrorCode::NodeUnreachable, ErrorCode::NodeUnanswered]),
        entry(
            Method::DELETE,
            "/api/calls/{id}/consult",
            "End your consultation (or drop the number or colleague from your conference) and take the person back",
            Allowed(Action::AgentWork),
            delete(transfer_api::end_consult),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[ErrorCode::WrongCallState, ErrorCode::NoTelephony]),
        entry(Method::POST, "/api/calls/{id}/hangup", "End your conversation", Allowed(Action::AgentWork), post(work_api::hang_up))
            .answers(StatusCode::NO_CONTENT)
            .fails_with(DESK_REFUSALS),
        entry(
            Method::POST,
            "/api/calls/{id}/cancel",
            "Stop a call you dialled before anyone answers",
            Allowed(Action::AgentWork),
            post(work_api::cancel),
        )
        .answers(StatusCode::NO_CONTENT)
        .fails_with(DESK_REFUSALS),
        entry(
            Method::POST,
            "/api/calls/{id}/disposition",
            "Set the disposition of your call, with an optional note and callback",
            Allowed(Action::AgentWork),
            post(work_api::dispose),
        )
        .takes::<work_api::DispositionInput>()
        .answers(StatusCode::NO_CONTENT)
        .fails_with(&[
            ErrorCode::WrongCallState,
            ErrorCode::NotDiallable,
            ErrorCode::NoTelephony,
            ErrorCode::IllegalTransition,
            ErrorCode::Conflict,
            ErrorCode::Erased,
            ErrorCode::Undecryptable,
            ErrorCode::UnknownReference,
            ErrorCode::InvalidCallback,
            ErrorCode::InvalidNote,
        ]),
        entry(Method::GET, "/api/calls", "Calls offered in a period", Allowed(Action::AgentMonitor), get(calls_api::list))
            .returns::<calls_api::CallsView>()
            .query::<reports_api::PeriodQuery>()
            .fails_with(&[ErrorCode::InvalidPeriod]),
        entry(
            Method::GET,
            "/api/reports/campaigns",
            "Each campaign's figures over a period (JSON, or CSV with format=csv)",
            Allowed(Action::AgentMonitor),
            get(calls_api::campaign_report),
        )
        .query::<calls_api::ReportQuery>()
        .gives(ResponseBody::JsonOrCsv(describe::<calls_api::CampaignReport>))
        .fails_with(&[ErrorCode::InvalidPeriod]),
    ]
}

/// Every route and what it requires.
pub fn route_table() -> Vec<RouteSpec> {
    entries().into_iter().map(|e| e.spec).collect()
}

pub(crate) fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for e in entries() {
        let handler = if e.spec.idempotent {
            e.handler.route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::idempotency::idempotent))
        } else {
            e.handler
        };
        let guarded = handler.route_layer(axum::middleware::from_fn_with_state((state.clone(), e.spec.access, e.surface), guard));
        router = router.route(e.spec.path, guarded);
    }
    router
        .fallback(health::not_found)
        .method_not_allowed_fallback(health::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::authenticate))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(state.config.tls, crate::headers::security_headers))
        .with_state(state)
}
