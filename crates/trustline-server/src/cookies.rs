//! The session cookie and the sign-in form's anti-forgery cookie.

use axum::http::{HeaderMap, HeaderValue, header};

/// `__Host-` pins the cookie to this host and path `/`; browsers accept that
/// prefix only over HTTPS, so plain-HTTP development uses the bare name.
pub(crate) fn session_cookie_name(tls: bool) -> &'static str {
    if tls { "__Host-tl_session" } else { "tl_session" }
}

pub(crate) fn login_cookie_name(tls: bool) -> &'static str {
    if tls { "__Host-tl_login" } else { "tl_login" }
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| crate::parse::cookie(v, name)).map(str::to_owned)
}

/// HttpOnly, SameSite=Strict, Path=/, Secure under TLS; no expiry, so the
/// browser drops it on exit while the server enforces idle and absolute limits.
pub(crate) fn set(name: &str, value: &str, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

pub(crate) fn clear(name: &str, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}
