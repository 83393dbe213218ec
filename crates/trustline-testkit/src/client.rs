use reqwest::Method;
use serde_json::Value;
use std::sync::Mutex;

/// An HTTP client with a cookie jar that remembers the session's CSRF token
/// and sends it on state-changing requests, as the pages do.
pub struct TestClient {
    pub http: reqwest::Client,
    pub base: String,
    csrf: Mutex<Option<String>>,
}

/// Status and parsed JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// The body as text (for CSV and other non-JSON answers).
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// The `error.code` of a JSON error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http, base: base.to_owned(), csrf: Mutex::new(None) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn csrf(&self) -> Option<String> {
        self.csrf.lock().unwrap().clone()
    }

    pub fn forget_csrf(&self) {
        *self.csrf.lock().unwrap() = None;
    }

    pub async fn sign_in(&self, tenant: &str, username: &str, password: &str) -> Reply {
        self.post("/api/session", serde_json::json!({ "tenant": tenant, "username": username, "password": password })).await
    }

    /// POSTs raw bytes (e.g. a CSV file) with the CSRF header.
    pub async fn upload(&self, path: &str, bytes: Vec<u8>, content_type: &str) -> Reply {
        let mut request = self.http.post(self.url(path)).header("content-type", content_type).body(bytes);
        if let Some(token) = self.csrf() {
            request = request.header("X-CSRF-Token", token);
        }
        Self::reply(&Method::POST, request.send().await.unwrap(), self).await
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send_with_headers(method, path, body, &[]).await
    }

    pub async fn send_with_headers(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.http.request(method.clone(), self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = self.csrf() {
            request = request.header("X-CSRF-Token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::reply(&method, request.send().await.unwrap(), self).await
    }

    /// The reply, its body read as JSON; an event stream is not read (it
    /// does not end), so its body is Null. A JSON answer must be what the
    /// API document says it is: a success of the documented type, an error
    /// of a status and code the document lists for that operation.
    async fn reply(method: &Method, response: reqwest::Response, client: &TestClient) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let path = response.url().path().to_owned();
        let content_type = |prefix: &[u8]| headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(prefix));
        let streaming = content_type(b"text/event-stream");
        let text = if streaming { String::new() } else { response.text().await.unwrap_or_default() };
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if content_type(b"application/json") {
            crate::api_document::assert_answer_documented(method.as_str(), &path, status, &body);
        }
        if let Some(token) = body["csrf_token"].as_str() {
            *client.csrf.lock().unwrap() = Some(token.to_owned());
        }
        Reply { status, body, text, headers }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }
}
