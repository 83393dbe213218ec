//! The browser's static files, compiled into the binary: the stylesheets
//! and the pages' script modules. Nothing else is served from `/static`.

use crate::error::ApiError;
use crate::extract::ApiPath;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const CSS: &str = "text/css; charset=utf-8";

/// Script modules by file name.
const SCRIPTS: [(&str, &str); 25] = [
    ("admin_campaigns.js", include_str!("../static/js/admin_campaigns.js")),
    ("admin_imports.js", include_str!("../static/js/admin_imports.js")),
    ("admin_queues.js", include_str!("../static/js/admin_queues.js")),
    ("admin_retention.js", include_str!("../static/js/admin_retention.js")),
    ("admin_tokens.js", include_str!("../static/js/admin_tokens.js")),
    ("admin_users.js", include_str!("../static/js/admin_users.js")),
    ("admin_webhooks.js", include_str!("../static/js/admin_webhooks.js")),
    ("admin_trunks.js", include_str!("../static/js/admin_trunks.js")),
    ("agent_header.js", include_str!("../static/js/agent_header.js")),
    ("api.js", include_str!("../static/js/api.js")),
    ("desk.js", include_str!("../static/js/desk.js")),
    ("form_editing.js", include_str!("../static/js/form_editing.js")),
    ("keep.js", include_str!("../static/js/keep.js")),
    ("reports.js", include_str!("../static/js/reports.js")),
    ("session.js", include_str!("../static/js/session.js")),
    ("softphone.js", include_str!("../static/js/softphone.js")),
    ("trust_audit.js", include_str!("../static/js/trust_audit.js")),
    ("trust_center.js", include_str!("../static/js/trust_center.js")),
    ("trust_incidents.js", include_str!("../static/js/trust_incidents.js")),
    ("trust_reviews.js", include_str!("../static/js/trust_reviews.js")),
    ("trust_risks.js", include_str!("../static/js/trust_risks.js")),
    ("trust_suppliers.js", include_str!("../static/js/trust_suppliers.js")),
    ("trust_training.js", include_str!("../static/js/trust_training.js")),
    ("wallboard.js", include_str!("../static/js/wallboard.js")),
    ("work_rules.js", include_str!("../static/js/work_rules.js")),
];

fn file(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

pub(crate) async fn app_css() -> Response {
    file(CSS, include_str!("../static/app.css"))
}

pub(crate) async fn icon() -> Response {
    file("image/svg+xml", include_str!("../static/icon.svg"))
}

/// The controls report's styles, for the trust center page.
pub(crate) async fn trust_css() -> Response {
    file(CSS, trustline_trust::CONTROLS_CSS)
}

pub(crate) async fn script(ApiPath(name): ApiPath<String>) -> Result<Response, ApiError> {
    let (_, body) = SCRIPTS.iter().find(|(file, _)| *file == name).ok_or_else(ApiError::not_found)?;
    Ok(file("text/javascript; charset=utf-8", body))
}
