//! Headless Chromium for browser tests: the binary named by
//! `TRUSTLINE_TEST_CHROMIUM`, or `chromium` on the PATH (`scripts/browser-up`
//! installs Debian's). Without it browser tests are skipped, except under
//! `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV: &str = "TRUSTLINE_TEST_CHROMIUM";
/// Long enough for a cold start on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(90);

/// Where Chromium is, or `None` (with a note) when this machine has none;
/// panics under `CI=true` instead.
pub(crate) fn chromium_path() -> Option<PathBuf> {
    let path = std::env::var_os(ENV).map(PathBuf::from).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("chromium")).find(|p| p.is_file()))
    });
    if path.is_none() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "no Chromium ({ENV} unset, none on the PATH) but CI=true: browser tests must run (use scripts/test)"
        );
        eprintln!("no Chromium here: browser test skipped (run scripts/browser-up)");
    }
    path
}

/// A Chromium binary with a profile of its own.
pub struct Chromium {
    path: PathBuf,
    profile: tempfile::TempDir,
}

impl Chromium {
    /// The browser, or `None` (with a note) when this machine has none;
    /// panics under `CI=true` instead.
    pub fn find() -> Option<Chromium> {
        chromium_path().map(|path| Chromium { path, profile: tempfile::tempdir().unwrap() })
    }

    /// Runs headless Chromium with `args` and waits for it.
    async fn run(&self, args: &[String]) -> std::process::Output {
        let mut command = Command::new(&self.path);
        // The flags that keep Chromium off the network and quiet in a sandboxless container.
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
            ])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|e| panic!("{} does not start: {e}", self.path.display()));
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > PATIENCE {
                let _ = child.kill();
                panic!("Chromium did not finish within {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.wait_with_output().unwrap()
    }

    /// The page at `url` as Chromium lays it out, `width` by `height` pixels.
    pub async fn screenshot(&self, url: &str, width: u32, height: u32) -> Screenshot {
        let file = self.profile.path().join("screenshot.png");
        let _ = std::fs::remove_file(&file);
        let output =
            self.run(&[format!("--window-size={width},{height}"), format!("--screenshot={}", file.display()), url.to_owned()]).await;
        assert!(file.is_file(), "Chromium wrote no screenshot of {url}: {}", String::from_utf8_lossy(&output.stderr));
        Screenshot::read(&file)
    }

    /// The document at `url` after Chromium parsed and laid it out.
    pub async fn dom(&self, url: &str) -> String {
        let output = self.run(&["--dump-dom".to_owned(), url.to_owned()]).await;
        assert!(output.status.success(), "Chromium could not load {url}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }
}

/// A decoded PNG screenshot, as RGB pixels.
pub struct Screenshot {
    pub width: u32,
    pub height: u32,
    pixels: Vec<[u8; 3]>,
    /// The PNG as Chromium wrote it, to keep beside a failure.
    pub png: Vec<u8>,
}

impl Screenshot {
    fn read(path: &Path) -> Screenshot {
        let png = std::fs::read(path).unwrap();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png.clone()));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        let channels = frame.color_type.samples();
        let pixels = buffer[..frame.buffer_size()].chunks_exact(channels).map(|p| [p[0], p[1 % channels], p[2 % channels]]).collect();
        Screenshot { width: frame.width, height: frame.height, pixels, png }
    }

    /// How many pixels are within `tolerance` of `colour` on every channel.
    pub fn count_near(&self, colour: [u8; 3], tolerance: u8) -> usize {
        self.pixels.iter().filter(|p| p.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= tolerance)).count()
    }

    /// How many distinct colours the picture has (a blank page has one).
    pub fn colours(&self) -> usize {
        let mut seen: Vec<[u8; 3]> = self.pixels.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}
