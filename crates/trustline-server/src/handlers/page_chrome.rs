//! What every signed-in page shows around its content: the screens the
//! person's role opens, who they are, the CSRF token the page's scripts
//! send, and the idle timeout the session warning counts down.

use crate::auth::{Authed, Credential};
use crate::csrf_token::csrf_token;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use trustline_domain::Action;

pub(crate) struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub(crate) struct Chrome {
    pub csrf: String,
    /// The person's own id, so pages leave out what they may not do to themselves.
    pub user_id: i64,
    pub name: String,
    pub role: &'static str,
    pub idle_seconds: i64,
    pub links: Vec<NavLink>,
    /// The person works calls: the header shows their agent state.
    pub works: bool,
}

/// The screens, each with the action that opens it.
const SCREENS: [(&str, &str, Action); 5] = [
    ("/", "Home", Action::AccountView),
    ("/desk", "Desk", Action::AgentWork),
    ("/wallboard", "Wallboard", Action::AgentMonitor),
    ("/reports", "Reports", Action::AgentMonitor),
    ("/trust", "Trust center", Action::TrustRead),
];

impl Chrome {
    /// The chrome of the screen at `current` for a browser session.
    pub fn of(state: &AppState, authed: &Authed, current: &str) -> Result<Chrome, ApiError> {
        let p = &authed.principal;
        let Credential::Session { digest, .. } = p.credential else {
            return Err(ApiError::new(ErrorCode::SessionRequired, "pages need a browser session"));
        };
        let mut links: Vec<NavLink> = SCREENS
            .iter()
            .filter(|(_, _, action)| p.may(*action))
            .map(|(href, label, _)| NavLink { href, label, current: *href == current })
            .collect();
        // The console leads to the first of its sections the role opens.
        if let Some(href) = super::console_sections::first_section(p) {
            let at = links.len().saturating_sub(usize::from(p.may(Action::TrustRead)));
            links.insert(at, NavLink { href, label: "Admin", current: current == "/admin" });
        }
        Ok(Chrome {
            csrf: csrf_token(state, &digest),
            user_id: p.user.id.0,
            name: p.user.display_name.clone(),
            role: p.user.role.as_str(),
            idle_seconds: state.config.session.idle_seconds,
            links,
            works: p.may(Action::AgentWork),
        })
    }
}
