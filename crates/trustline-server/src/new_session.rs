//! A session as the edge hands it out: the secret for the cookie, the stage,
//! and the CSRF token the browser sends back with every change.

use crate::csrf_token::csrf_token;
use crate::state::AppState;
use trustline_app::OpenedSession;
use trustline_crypto::SecretToken;
use trustline_domain::SessionStage;

pub(crate) struct NewSession {
    pub token: SecretToken,
    pub stage: SessionStage,
    pub csrf: String,
}

impl NewSession {
    pub fn issued(state: &AppState, opened: OpenedSession) -> Self {
        let csrf = csrf_token(state, &opened.token.digest());
        Self { token: opened.token, stage: opened.stage, csrf }
    }
}
