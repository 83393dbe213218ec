//! Idempotency keys on API requests that create things: a client that
//! retries with the same `Idempotency-Key` gets the first answer again
//! instead of a second contact or campaign. A key used for a different
//! request is refused; a request that failed releases its key. Only routes
//! whose answer carries no secret take part (the route table says which).

use crate::auth::Caller;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use trustline_store::IdempotencyClaim;

const HEADER: &str = "idempotency-key";
/// Answers kept for replay are small JSON documents.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// How long a key is remembered.
pub const IDEMPOTENCY_KEY_SECONDS: i64 = 24 * 3600;

fn valid(key: &str) -> bool {
    (1..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// What [`valid`] accepts, as the API document's pattern: 1 to 128 visible
/// ASCII characters (`!` to `~`).
pub(crate) const KEY_PATTERN: &str = "^[!-~]{1,128}$";

pub(crate) async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match answer(state, request, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn answer(state: AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    let Some(key) = request.headers().get(HEADER) else { return Ok(next.run(request).await) };
    let key = key
        .to_str()
        .ok()
        .filter(|k| valid(k))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidIdempotencyKey, "Idempotency-Key must be 1 to 128 visible ASCII characters"))?;
    let Some(tenant) = request.extensions().get::<Caller>().and_then(|c| c.principal.as_ref()).map(|p| p.tenant.id) else {
        return Ok(next.run(request).await);
    };
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| ApiError::new(ErrorCode::UnreadableBody, "the request body could not be read"))?;
    let mut seen = Vec::with_capacity(bytes.len() + 64);
    seen.extend_from_slice(parts.method.as_str().as_bytes());
    seen.push(b' ');
    seen.extend_from_slice(parts.uri.path().as_bytes());
    seen.push(b'\n');
    seen.extend_from_slice(&bytes);
    let fingerprint = trustline_crypto::sha256(&seen);
    match state.store.claim_idempotency_key(tenant, &key, &fingerprint, state.clock.now()).await? {
        IdempotencyClaim::Fresh => {
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            if !response.status().is_success() {
                if let Err(error) = state.store.release_idempotency_key(tenant, &key).await {
                    tracing::warn!(%error, "an idempotency key could not be released; it expires in a day");
                }
                return Ok(response);
            }
            let (parts, body) = response.into_parts();
            let answer = axum::body::to_bytes(body, MAX_ANSWER_BYTES)
                .await
                .map_err(|_| ApiError::new(ErrorCode::Internal, "the answer could not be kept"))?;
            // The thing exists now: a failure to remember the answer must not hide that.
            if let Err(error) = state.store.answer_idempotency_key(tenant, &key, parts.status.as_u16(), &answer).await {
                tracing::error!(%error, "an idempotent answer could not be kept; a retry may repeat the request");
            }
            Ok(Response::from_parts(parts, Body::from(answer)))
        }
        IdempotencyClaim::Answered { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        IdempotencyClaim::InProgress => Err(ApiError::new(
            ErrorCode::IdempotencyInProgress,
            "a request with this Idempotency-Key is still being answered; retry shortly",
        )),
        IdempotencyClaim::OtherRequest => {
            Err(ApiError::new(ErrorCode::IdempotencyKeyReused, "this Idempotency-Key was already used for a different request"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern names the characters `!` to `~` and 1 to 128 of them:
    /// exactly what `valid` takes.
    #[test]
    fn the_documented_pattern_is_the_rule() {
        assert_eq!(KEY_PATTERN, "^[!-~]{1,128}$");
        for byte in 0u8..128 {
            let key = char::from(byte).to_string();
            assert_eq!(valid(&key), (b'!'..=b'~').contains(&byte), "{byte:#x}");
        }
        assert!(valid(&"k".repeat(128)) && !valid(&"k".repeat(129)) && !valid(""));
    }
}
