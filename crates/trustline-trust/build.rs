//! Embeds the exact dependency versions of this build (the workspace's
//! Cargo.lock) as a software bill of materials.

use std::fmt::Write;

fn main() {
    let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut packages = Vec::new();
    let (mut name, mut version, mut source) = (None, None, None);
    let mut flush = |name: &mut Option<String>, version: &mut Option<String>, source: &mut Option<String>| {
        if let (Some(n), Some(v)) = (name.take(), version.take()) {
            packages.push((n, v, source.take().unwrap_or_default()));
        }
        *source = None;
    };
    for line in text.lines() {
        if line.trim() == "[[package]]" {
            flush(&mut name, &mut version, &mut source);
        } else if let Some(value) = field(line, "name") {
            name = Some(value);
        } else if let Some(value) = field(line, "version") {
            version = Some(value);
        } else if let Some(value) = field(line, "source") {
            source = Some(value);
        }
    }
    flush(&mut name, &mut version, &mut source);
    let mut out =
        String::from("/// (name, version, source) of every package in this build.\npub const PACKAGES: &[(&str, &str, &str)] = &[\n");
    for (name, version, source) in &packages {
        let _ = writeln!(out, "    ({name:?}, {version:?}, {source:?}),");
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("sbom.rs");
    if let Err(error) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write the SBOM: {error}");
    }
}

fn field(line: &str, key: &str) -> Option<String> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    Some(rest.trim_matches('"').to_owned())
}
