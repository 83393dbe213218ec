//! Pages rendered from their templates, and the page that says a signed-in
//! person may not open one (the guard answers with it).

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub(crate) fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => ApiError::new(ErrorCode::Internal, "page rendering failed").into_response(),
    }
}

#[derive(Template)]
#[template(path = "forbidden.html")]
struct Refused {
    message: String,
}

/// A page a signed-in person may not open: a page saying so, not JSON.
pub(crate) fn refused(error: ApiError) -> Response {
    render(&Refused { message: error.message }, error.code.status())
}
