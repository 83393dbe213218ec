//! A W3C WebDriver client over chromedriver, for end-to-end tests in
//! headless Chromium: just the commands the tests use, over the HTTP client
//! the tests already have.
//!
//! Each [`Browser`] is a Chromium of its own (its own profile and cookies),
//! so two of them are two people at two desks. Console messages are kept:
//! [`Browser::problems`] returns the errors (a CSP violation is one).

use crate::browser::chromium_path;
use base64::Engine as _;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long `wait_for` and friends keep looking.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running chromedriver; its browsers end with it.
pub struct Driver {
    base: String,
    process: Child,
    chromium: PathBuf,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    /// Starts chromedriver next to the Chromium found by
    /// [`Chromium::find`](crate::Chromium::find); `None` where browser tests
    /// are skipped.
    pub async fn start() -> Option<Driver> {
        let chromium = chromium_path()?;
        let driver = chromium.with_file_name("chromedriver");
        let driver = if driver.is_file() { driver } else { PathBuf::from("chromedriver") };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e} (scripts/browser-up installs it)", driver.display()));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not answer on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Driver { base, process, chromium, http })
    }

    /// A new headless browser window of `width` × `height`.
    pub async fn browser(&self, width: u32, height: u32) -> Browser {
        self.browser_with(width, height, Vec::new()).await
    }

    /// A browser whose microphone plays `wav` (16-bit PCM, looped), granted
    /// to every page without asking, and that plays sound without a click.
    pub async fn browser_with_microphone(&self, width: u32, height: u32, wav: &std::path::Path) -> Browser {
        let media = vec![
            "--use-fake-ui-for-media-stream".to_owned(),
            "--use-fake-device-for-media-stream".to_owned(),
            format!("--use-file-for-fake-audio-capture={}", wav.display()),
            "--autoplay-policy=no-user-gesture-required".to_owned(),
            // The test's server and peers are on loopback.
            "--allow-loopback-in-peer-connection".to_owned(),
        ];
        self.browser_with(width, height, media).await
    }

    /// A browser that refuses every page the microphone, as a person who
    /// said no (or a policy) would.
    pub async fn browser_refusing_microphone(&self, width: u32, height: u32) -> Browser {
        // A microphone is there (a fake one); the permission is what is refused.
        let refusing = vec!["--use-fake-device-for-media-stream".to_owned(), "--deny-permission-prompts".to_owned()];
        self.browser_with(width, height, refusing).await
    }

    async fn browser_with(&self, width: u32, height: u32, extra: Vec<String>) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--force-device-scale-factor=1".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        args.extend(extra);
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": self.chromium, "args": args, "prefs": {
                "download.default_directory": downloads.path(),
                "download.prompt_for_download": false,
            }},
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let reply = call(&self.http, reqwest::Method::POST, &format!("{}/session", self.base), Some(capabilities)).await;
        let id = reply["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {reply}")).to_owned();
        Browser {
            session: format!("{}/session/{id}", self.base),
            http: self.http.clone(),
            _profile: profile,
            downloads,
            console: Default::default(),
        }
    }
}

async fn call(http: &reqwest::Client, method: reqwest::Method, url: &str, body: Option<Value>) -> Value {
    match attempt(http, method.clone(), url, body).await {
        Ok(value) => value,
        Err(failure) => panic!("WebDriver {method} {url} failed ({failure})"),
    }
}

/// One WebDriver command; a refusal is the status and the driver's answer.
async fn attempt(http: &reqwest::Client, method: reqwest::Method, url: &str, body: Option<Value>) -> Result<Value, String> {
    let request = http.request(method.clone(), url);
    let request = match body {
        Some(body) => request.json(&body),
        None if method == reqwest::Method::POST => request.json(&json!({})),
        None => request,
    };
    let response = request.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{status}: {value}"));
    }
    Ok(value.get("value").cloned().unwrap_or(Value::Null))
}

/// Whether a refusal says the element found is gone: the page drew it
/// again between finding and using it.
fn is_stale(failure: &str) -> bool {
    failure.contains("stale element reference")
}

/// One browser window.
pub struct Browser {
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
    downloads: tempfile::TempDir,
    /// Console messages read so far (reading them empties the driver's buffer).
    console: std::sync::Mutex<Vec<Value>>,
}

impl Drop for Browser {
    /// Ends the session so that its Chromium exits (a blocking request: drop cannot wait).
    fn drop(&mut self) {
        use std::io::{Read, Write};
        let Some((host, path)) = self.session.strip_prefix("http://").and_then(|rest| rest.split_once('/')) else { return };
        if let Ok(mut stream) = std::net::TcpStream::connect(host) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(stream, "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}

/// An element found on the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Browser {
    async fn post(&self, path: &str, body: Value) -> Value {
        call(&self.http, reqwest::Method::POST, &format!("{}{path}", self.session), Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        call(&self.http, reqwest::Method::GET, &format!("{}{path}", self.session), None).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Every element matching the CSS selector, now.
    pub async fn all(&self, selector: &str) -> Vec<Element> {
        let found = self.post("/elements", json!({ "using": "css selector", "value": selector })).await;
        found
            .as_array()
            .map(|list| list.iter().filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned()))).collect())
            .unwrap_or_default()
    }

    /// The first element matching `selector` that is displayed, waiting for it.
    pub async fn find(&self, selector: &str) -> Element {
        let started = Instant::now();
        loop {
            for element in self.all(selector).await {
                let url = format!("{}/element/{}/displayed", self.session, element.0);
                match attempt(&self.http, reqwest::Method::GET, &url, None).await {
                    Ok(Value::Bool(true)) => return element,
                    Ok(_) => {}
                    Err(failure) if is_stale(&failure) => {}
                    Err(failure) => panic!("reading whether {selector:?} is displayed failed ({failure})"),
                }
            }
            if started.elapsed() > PATIENCE {
                panic!("nothing visible matches {selector:?} at {}: {}", self.url().await, self.body_text().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let started = Instant::now();
        while !self.body_text().await.contains(text) {
            if started.elapsed() > PATIENCE {
                panic!("{text:?} never appeared at {}: {}", self.url().await, self.body_text().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the text of the first element matching `selector` satisfies `test`.
    pub async fn wait_until(&self, selector: &str, what: &str, test: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let text = self.text_of(selector).await;
            if test(&text) {
                return text;
            }
            if started.elapsed() > PATIENCE {
                let (status, problems) = (self.text_of("#status").await, self.problems().await);
                panic!("{selector}: {what} never happened; it shows {text:?}; status {status:?}; console {problems:#?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the first element matching `selector` (empty if
    /// none, or if it is hidden).
    pub async fn text_of(&self, selector: &str) -> String {
        // innerText of an element not drawn is its whole text: hidden is empty here.
        let script = "const e = document.querySelector(arguments[0]); return e && e.checkVisibility() ? e.innerText : '';";
        let found = self.run(script, vec![json!(selector)]).await;
        found.as_str().unwrap_or_default().to_owned()
    }

    pub async fn body_text(&self) -> String {
        self.text_of("body").await
    }

    /// Clicks the element matching `selector`.
    pub async fn click(&self, selector: &str) {
        self.act_on(selector, &[("click", json!({}))]).await;
    }

    /// Clears the field matching `selector` and types `text` into it.
    pub async fn fill(&self, selector: &str, text: &str) {
        self.act_on(selector, &[("clear", json!({})), ("value", json!({ "text": text }))]).await;
    }

    /// Sends `commands` to the element matching `selector`. If the page
    /// draws it again in between, they go to the new one, as a person's
    /// would.
    async fn act_on(&self, selector: &str, commands: &[(&str, Value)]) {
        let started = Instant::now();
        'found: loop {
            let element = self.find(selector).await;
            for (command, body) in commands {
                let url = format!("{}/element/{}/{command}", self.session, element.0);
                match attempt(&self.http, reqwest::Method::POST, &url, Some(body.clone())).await {
                    Ok(_) => {}
                    Err(failure) if is_stale(&failure) && started.elapsed() < PATIENCE => continue 'found,
                    Err(failure) => panic!("{command} on {selector:?} failed ({failure})"),
                }
            }
            return;
        }
    }

    /// Picks the option with `value` in the select matching `selector`.
    pub async fn select(&self, selector: &str, value: &str) {
        self.click(&format!("{selector} option[value=\"{value}\"]")).await;
    }

    /// Sets a file input to `path`.
    pub async fn attach(&self, selector: &str, path: &std::path::Path) {
        let element = self.all(selector).await.into_iter().next().unwrap_or_else(|| panic!("no {selector}"));
        self.post(&format!("/element/{}/value", element.0), json!({ "text": path.display().to_string() })).await;
    }

    /// Presses a key (a character, or a WebDriver key code such as `"\u{E007}"` for Enter) on the focused element.
    pub async fn press(&self, key: &str) {
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]});
        self.post("/actions", actions).await;
    }

    /// Presses a key with Shift held down.
    pub async fn press_shifted(&self, key: &str) {
        const SHIFT: &str = "\u{E008}";
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": SHIFT }, { "type": "keyDown", "value": key },
            { "type": "keyUp", "value": key }, { "type": "keyUp", "value": SHIFT }
        ]}]});
        self.post("/actions", actions).await;
    }

    /// Waits for a finished download whose name contains `part`; returns its contents.
    pub async fn downloaded(&self, part: &str) -> Vec<u8> {
        let started = Instant::now();
        loop {
            let done = std::fs::read_dir(self.downloads.path()).unwrap().filter_map(Result::ok).map(|entry| entry.path()).find(|path| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                name.contains(part) && !name.ends_with(".crdownload")
            });
            // Chromium may name the file before it has written it: an empty
            // file is not there yet (no download the tests make is empty).
            if let Some(bytes) = done.map(|path| std::fs::read(path).unwrap()).filter(|bytes| !bytes.is_empty()) {
                return bytes;
            }
            assert!(started.elapsed() < PATIENCE, "no download named like {part:?} arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Form fields on the page that no label names (WCAG 1.3.1, 4.1.2):
    /// each as its id, name or type.
    pub async fn unlabelled_fields(&self) -> Vec<String> {
        let script = "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]\
            .filter((f) => !(f.labels && f.labels.length) && !f.getAttribute('aria-label') && !f.getAttribute('aria-labelledby'))\
            .map((f) => f.id || f.name || f.type);";
        let found = self.run(script, Vec::new()).await;
        found.as_array().map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    }

    /// Text drawn with too little contrast for WCAG 2.2 AA (1.4.3), each
    /// with its element, ratio and colours.
    pub async fn low_contrast_text(&self) -> Vec<String> {
        let found = self.run(include_str!("low_contrast.js"), Vec::new()).await;
        found.as_array().map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    }

    /// Elements that stick out past the right edge of the window, which
    /// would make the page scroll sideways: each as its tag, id or class.
    pub async fn wider_than_window(&self) -> Vec<String> {
        let script = "const edge = document.documentElement.clientWidth;\
            return [...document.body.querySelectorAll('*')].filter((e) => e.checkVisibility() && e.getBoundingClientRect().right > edge + 1)\
            .map((e) => e.id ? `#${e.id}` : e.tagName.toLowerCase() + (e.className ? `.${e.className}` : ''));";
        let found = self.run(script, Vec::new()).await;
        found.as_array().map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    }

    /// Where a style defeats the markup: an element marked `hidden` that is
    /// displayed, or a table not laid out as a table (another screen's
    /// class restyling it). Each as what it is and what went wrong.
    pub async fn markup_overridden(&self) -> Vec<String> {
        let script = "const name = (e) => e.id ? `#${e.id}` : e.tagName.toLowerCase() + (e.className ? `.${e.className}` : '');\
            const shown = [...document.querySelectorAll('[hidden]')].filter((e) => getComputedStyle(e).display !== 'none')\
            .map((e) => `${name(e)} is hidden but displayed as ${getComputedStyle(e).display}`);\
            const tables = [...document.querySelectorAll('table')].filter((t) => getComputedStyle(t).display !== 'table')\
            .map((t) => `${name(t)} is laid out as ${getComputedStyle(t).display}, not as a table`);\
            return shown.concat(tables);";
        let found = self.run(script, Vec::new()).await;
        found.as_array().map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    }

    /// The window as a PNG.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self.get("/screenshot").await;
        base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default()).unwrap()
    }

    /// Writes a screenshot to `target/screenshots/NAME.png` (not committed).
    pub async fn keep_screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.screenshot().await).unwrap();
        path
    }

    /// Console errors and warnings so far, and every message about the
    /// content security policy.
    pub async fn problems(&self) -> Vec<String> {
        let fresh = self.post("/se/log", json!({ "type": "browser" })).await;
        let mut console = self.console.lock().unwrap();
        console.extend(fresh.as_array().cloned().unwrap_or_default());
        console
            .iter()
            .filter(|m| {
                let level = m["level"].as_str().unwrap_or_default();
                let text = m["message"].as_str().unwrap_or_default();
                level == "SEVERE" || level == "WARNING" || text.contains("Content Security Policy")
            })
            .map(|m| m["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}
