//! The admin console's screens. Each section is a page whose module reads
//! and changes data through the API; a section shows only to the roles
//! whose actions it needs.

use super::console_sections::{SECTIONS, first_section};
use super::page_chrome::Chrome;
use crate::auth::{Authed, Principal};
use crate::error::ApiError;
use crate::page_render::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{Action, Role};

/// `/admin`: the first section the person may open (home when none).
pub(crate) async fn console(authed: Authed) -> Redirect {
    Redirect::to(first_section(&authed.principal).unwrap_or("/"))
}

pub(crate) struct Tab {
    href: &'static str,
    label: &'static str,
    current: bool,
}

fn tabs(principal: &Principal, current: &str) -> Vec<Tab> {
    SECTIONS
        .iter()
        .filter(|(_, _, action)| principal.may(*action))
        .map(|(href, label, _)| Tab { href, label, current: *href == current })
        .collect()
}

/// What every section page carries.
struct Section {
    chrome: Chrome,
    tabs: Vec<Tab>,
    heading: &'static str,
    script: &'static str,
}

fn section(
    state: &AppState,
    authed: &Authed,
    path: &'static str,
    heading: &'static str,
    script: &'static str,
) -> Result<Section, ApiError> {
    Ok(Section { chrome: Chrome::of(state, authed, "/admin")?, tabs: tabs(&authed.principal, path), heading, script })
}

macro_rules! section_page {
    ($name:ident, $template:literal, $path:literal, $heading:literal, $script:literal $(, $field:ident: $ty:ty = $value:expr)*) => {
        #[derive(Template)]
        #[template(path = $template)]
        struct Page {
            chrome: Chrome,
            tabs: Vec<Tab>,
            heading: &'static str,
            script: &'static str,
            $($field: $ty,)*
        }

        pub(crate) async fn $name(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
            let Section { chrome, tabs, heading, script } = section(&state, &authed, $path, $heading, $script)?;
            $(let $field: $ty = $value(&authed.principal);)*
            Ok(render(&Page { chrome, tabs, heading, script, $($field,)* }, StatusCode::OK))
        }
    };
}

/// The roles `principal` may hand out.
fn assignable_roles(principal: &Principal) -> Vec<&'static str> {
    Role::ALL.iter().filter(|r| principal.user.role.may_assign(**r)).map(|r| r.as_str()).collect()
}

/// The scopes `principal` may put on a token: what their own role permits.
fn grantable_scopes(principal: &Principal) -> Vec<&'static str> {
    Action::ALL.iter().filter(|a| principal.may(**a)).map(|a| a.as_str()).collect()
}

fn webhook_events(_: &Principal) -> Vec<&'static str> {
    WebhookEvent::ALL.iter().map(|e| e.as_str()).collect()
}

pub(crate) mod users {
    use super::*;
    section_page!(page, "admin_users.html", "/admin/users", "Users", "admin_users.js", roles: Vec<&'static str> = assignable_roles);
}

pub(crate) mod imports {
    use super::*;
    section_page!(page, "admin_imports.html", "/admin/imports", "Call lists", "admin_imports.js");
}

pub(crate) mod campaigns {
    use super::*;
    section_page!(page, "admin_campaigns.html", "/admin/campaigns", "Campaigns", "admin_campaigns.js");
}

pub(crate) mod queues {
    use super::*;
    section_page!(page, "admin_queues.html", "/admin/queues", "Queues and skills", "admin_queues.js");
}

pub(crate) mod retention {
    use super::*;
    section_page!(page, "admin_retention.html", "/admin/retention", "Retention", "admin_retention.js");
}

pub(crate) mod tokens {
    use super::*;
    section_page!(page, "admin_tokens.html", "/admin/tokens", "API tokens", "admin_tokens.js", scopes: Vec<&'static str> = grantable_scopes);
}

pub(crate) mod webhooks {
    use super::*;
    section_page!(page, "admin_webhooks.html", "/admin/webhooks", "Webhooks", "admin_webhooks.js", events: Vec<&'static str> = webhook_events);
}

pub(crate) mod trunks {
    use super::*;
    section_page!(page, "admin_trunks.html", "/admin/trunks", "SIP trunks", "admin_trunks.js");
}
