//! The modules of the HTTP crate and of the call engine import each other
//! in one direction only: a circle makes every module in it depend on all
//! the others, which is how the edge, the engine and the services got
//! tangled before.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of `src`, by path (`handlers::pages`), with its source
/// without comments and unit tests.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
            found.insert(parts.join("::"), code);
        }
    }
    found
}

/// `code` (of module `own`) with its `super::` paths written from the
/// crate's root, as `crate::` paths.
fn rooted(own: &str, code: &str) -> String {
    let own: Vec<&str> = own.split("::").filter(|p| !p.is_empty()).collect();
    let mut text = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        let (before, from) = rest.split_at(at);
        text.push_str(before);
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            text.push_str("super::");
            rest = &from["super::".len()..];
            continue;
        }
        let mut ups = 0;
        rest = from;
        while let Some(after) = rest.strip_prefix("super::") {
            ups += 1;
            rest = after;
        }
        let kept = own.len().saturating_sub(ups);
        text.push_str("crate::");
        for part in &own[..kept] {
            text.push_str(part);
            text.push_str("::");
        }
    }
    text.push_str(rest);
    text
}

/// The modules `code` (of module `own`) names with `crate::` and `super::`
/// paths, including those inside `use crate::{...}` groups.
fn imports(own: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut paths = Vec::new();
    let code = rooted(own, code);
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        let head = head.trim_end_matches(':').to_owned();
        if rest[head.len()..].starts_with("::{") || rest[head.len()..].starts_with('{') {
            let group_start = rest.find('{').unwrap() + 1;
            let group_end = rest[group_start..].find('}').map_or(rest.len(), |e| group_start + e);
            let prefix = if head.is_empty() { String::new() } else { format!("{head}::") };
            for item in rest[group_start..group_end].split(',') {
                let item: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                paths.push(format!("{prefix}{item}"));
            }
        } else {
            paths.push(head);
        }
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let parts: Vec<&str> = path.split("::").collect();
            (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find(|m| known.contains(m))
        })
        .filter(|m| m != own && !own.starts_with(&format!("{m}::")))
        .collect()
}

/// The circles of the graph: its strongly connected parts of two or more.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    // Two modules are in one circle when each reaches the other.
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for (m, reached) in &reaches {
        if !reached.contains(*m) || found.iter().any(|c| c.contains(*m)) {
            continue;
        }
        found.push(reached.iter().filter(|other| reaches[other].contains(*m)).cloned().collect());
    }
    found
}

/// The import graph of the crate whose sources are in `src`.
fn graph_of(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules(src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules.iter().map(|(name, code)| (name.clone(), imports(name, code, &known))).collect()
}

#[test]
fn no_module_of_the_http_crate_imports_a_module_that_imports_it_back() {
    let graph = graph_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.contains_key("handlers::pages"), "the source was read: {:?}", graph.keys());
    assert!(graph["guard"].contains("csrf_token"), "imports are found: {:?}", graph["guard"]);
    let found = circles(&graph);
    assert!(found.is_empty(), "modules importing each other in a circle: {found:?}");
}

#[test]
fn no_module_of_the_call_engine_imports_a_module_that_imports_it_back() {
    let graph = graph_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../trustline-dialer/src"));
    assert!(graph.contains_key("outbound::call_flow"), "the source was read: {:?}", graph.keys());
    assert!(graph["outbound::desk"].contains("outbound::gate"), "super:: imports are found: {:?}", graph["outbound::desk"]);
    let found = circles(&graph);
    assert!(found.is_empty(), "modules importing each other in a circle: {found:?}");
}

#[test]
fn no_module_of_the_application_services_imports_a_module_that_imports_it_back() {
    let graph = graph_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../trustline-app/src"));
    assert!(graph.contains_key("sign_in::second_factor"), "the source was read: {:?}", graph.keys());
    assert!(graph["sign_in::second_factor"].contains("sign_in::sessions"), "imports are found: {:?}", graph["sign_in::second_factor"]);
    let found = circles(&graph);
    assert!(found.is_empty(), "modules importing each other in a circle: {found:?}");
}

#[test]
fn a_circle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
        .into_iter()
        .map(|(m, to)| (m.to_owned(), to.into_iter().map(str::to_owned).collect()))
        .collect();
    let expected: BTreeSet<String> = ["a", "b", "c"].into_iter().map(str::to_owned).collect();
    assert_eq!(circles(&graph), [expected]);
    let known: BTreeSet<String> = ["x", "y", "y::z"].into_iter().map(str::to_owned).collect();
    let code = "use crate::y::{z::Thing, other};\nfn f() { crate::x::call(); }\n";
    let expected: BTreeSet<String> = ["x", "y", "y::z"].into_iter().map(str::to_owned).collect();
    assert_eq!(imports("w", code, &known), expected);
    let from_child = "use super::z::Thing;\nuse super::super::x;\n";
    let expected: BTreeSet<String> = ["x", "y::z"].into_iter().map(str::to_owned).collect();
    assert_eq!(imports("y::q", from_child, &known), expected);
}
