//! Request extractors whose refusals are JSON errors with a code, so bad
//! input always gets a precise 4xx and never reaches a handler half-parsed.

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A JSON body: a JSON object (serde would also read a struct from an
/// array, which the API document does not allow). Handlers' input types use
/// `deny_unknown_fields`, so a misspelt field is an error rather than
/// silently ignored.
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType, "send the body as JSON with `Content-Type: application/json`"));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::new(ErrorCode::UnreadableBody, rejection.body_text())
            }
        })?;
        json_object(&body).map(Self)
    }
}

/// `application/json`, or a `+json` type such as `application/merge-patch+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::new(ErrorCode::MalformedJson, format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::new(ErrorCode::InvalidBody, "the body must be a JSON object"));
    }
    whole_numbers_as_integers(&mut value);
    // Strings move into `T` (no copy stays behind, so a password ends up only
    // in its zeroizing field).
    serde_json::from_value(value).map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))
}

/// JSON has one number type: `2.0` is the integer 2 (as JSON Schema says),
/// so an integer field takes it.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|f| number.is_f64() && f.fract() == 0.0)
                && (-9.2e18..9.2e18).contains(&float)
            {
                #[allow(clippy::cast_possible_truncation)] // whole and within i64, checked above
                let whole = float as i64;
                *number = whole.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

fn too_large() -> ApiError {
    ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
}

/// An HTML form body.
pub(crate) struct ApiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(FormRejection::InvalidFormContentType(_)) => {
                Err(ApiError::new(ErrorCode::UnsupportedMediaType, "send the form as application/x-www-form-urlencoded"))
            }
            Err(FormRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(other) => Err(ApiError::new(ErrorCode::InvalidForm, other.body_text())),
        }
    }
}

/// The one path parameter of a route: a numeric id or a name.
pub(crate) struct ApiPath<T>(pub T);

/// What a path segment can be read as.
pub(crate) trait PathValue: Sized {
    fn from_segment(segment: &str) -> Option<Self>;
}

impl PathValue for String {
    fn from_segment(segment: &str) -> Option<Self> {
        Some(segment.to_owned())
    }
}

impl PathValue for i64 {
    /// `42`, or `42.0`: a whole number is an integer however it is written.
    fn from_segment(segment: &str) -> Option<Self> {
        segment.parse().ok().or_else(|| {
            let (whole, fraction) = segment.split_once('.')?;
            (!fraction.is_empty() && fraction.bytes().all(|b| b == b'0')).then(|| whole.parse().ok()).flatten()
        })
    }
}

impl<S: Send + Sync, T: PathValue + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(segment) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ApiError::new(ErrorCode::InvalidPath, e.body_text()))?;
        T::from_segment(&segment)
            .map(Self)
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidPath, format!("{segment:?} is not an id (a whole number)")))
    }
}

/// Query-string parameters.
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| ApiError::new(ErrorCode::InvalidQuery, e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Sample {
        days: i64,
        share: f64,
        levels: Vec<u8>,
    }

    #[test]
    fn a_path_id_is_a_whole_number_however_written() {
        assert_eq!(i64::from_segment("42"), Some(42));
        assert_eq!(i64::from_segment("42.00"), Some(42));
        assert_eq!(i64::from_segment("-7.0"), Some(-7));
        for refused in ["42.5", "42.", ".0", "1e3", "x", "99999999999999999999"] {
            assert_eq!(i64::from_segment(refused), None, "{refused}");
        }
    }

    #[test]
    fn whole_numbers_fill_integer_fields_and_only_objects_are_bodies() {
        let read: Sample = json_object(br#"{"days": 2.0, "share": 0.5, "levels": [1.0, 3]}"#).unwrap();
        assert_eq!(read, Sample { days: 2, share: 0.5, levels: vec![1, 3] });
        assert!(json_object::<Sample>(br#"{"days": 2.5, "share": 1, "levels": []}"#).is_err(), "a fraction is not an integer");
        assert!(json_object::<Sample>(br#"{"days": 1e300, "share": 1, "levels": []}"#).is_err(), "beyond i64");
        assert!(json_object::<Sample>(b"[2, 0.5, []]").is_err(), "serde would read a struct from an array");
    }
}
