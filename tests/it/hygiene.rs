//! Safety of the crates: `#![forbid(unsafe_code)]` in the core, no network code in
//! the library or the CLI, and every dependency's licence on an allow-list
//! (offline: `cargo metadata --offline`); and every rule the core's sources declare is
//! in its registry.

use cvdscreen::rules;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_forbids_unsafe_code() {
    let lib = std::fs::read_to_string(repo().join("core/src/lib.rs")).unwrap();
    assert!(
        lib.lines().any(|l| l.trim() == "#![forbid(unsafe_code)]"),
        "core/src/lib.rs must carry #![forbid(unsafe_code)]"
    );
    // cvdscreen-simd (runtime CPU dispatch) leaves every `unsafe` to its dependency.
    let ws = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    assert!(ws.contains("unsafe_code = \"forbid\""), "workspace lints");
    let simd = std::fs::read_to_string(repo().join("simd/Cargo.toml")).unwrap();
    assert!(
        simd.contains("[lints]\nworkspace = true"),
        "simd/Cargo.toml lints"
    );
    let mut files = Vec::new();
    rust_files(&repo().join("core/src"), &mut files);
    rust_files(&repo().join("simd/src"), &mut files);
    assert!(files.len() > 10);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("allow(unsafe_code)") && !text.contains("unsafe {"),
            "{} weakens the unsafe-code ban",
            f.display()
        );
    }
}

#[test]
fn no_network_code_in_core_or_cli() {
    let banned = [
        "std::net",
        "reqwest",
        "ureq",
        "hyper::",
        "TcpStream",
        "UdpSocket",
    ];
    for dir in ["core/src", "cli/src"] {
        let mut files = Vec::new();
        rust_files(&repo().join(dir), &mut files);
        assert!(!files.is_empty(), "{dir}");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for b in banned {
                assert!(!text.contains(b), "{} mentions `{b}`", f.display());
            }
        }
    }
    for manifest in ["core/Cargo.toml", "cli/Cargo.toml"] {
        let text = std::fs::read_to_string(repo().join(manifest)).unwrap();
        for b in ["reqwest", "ureq", "hyper", "curl"] {
            assert!(!text.contains(b), "{manifest} depends on {b}");
        }
    }
}

/// Licences accepted for dependencies (SPDX ids).
const ALLOWED: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "Zlib",
    "MPL-2.0",
    "Unlicense",
    "BSL-1.0",
    "0BSD",
    "CC0-1.0",
];

/// Evaluates an SPDX expression (`OR`, `AND`, `WITH`, parentheses, and the old
/// `A/B` form meaning `A OR B`) against [`ALLOWED`].
fn allowed(expr: &str) -> bool {
    let expr = expr
        .replace('/', " OR ")
        .replace('(', " ( ")
        .replace(')', " ) ");
    let tokens: Vec<&str> = expr.split_whitespace().collect();
    let mut pos = 0;
    let ok = or_expr(&tokens, &mut pos);
    ok && pos == tokens.len()
}

fn or_expr(t: &[&str], pos: &mut usize) -> bool {
    let mut ok = and_expr(t, pos);
    while t.get(*pos) == Some(&"OR") {
        *pos += 1;
        ok |= and_expr(t, pos);
    }
    ok
}

fn and_expr(t: &[&str], pos: &mut usize) -> bool {
    let mut ok = atom(t, pos);
    while t.get(*pos) == Some(&"AND") {
        *pos += 1;
        ok &= atom(t, pos);
    }
    ok
}

fn atom(t: &[&str], pos: &mut usize) -> bool {
    match t.get(*pos) {
        Some(&"(") => {
            *pos += 1;
            let ok = or_expr(t, pos);
            if t.get(*pos) == Some(&")") {
                *pos += 1;
                ok
            } else {
                false
            }
        }
        Some(id) => {
            *pos += 1;
            let mut id = id.to_string();
            if t.get(*pos) == Some(&"WITH") {
                id = format!("{id} WITH {}", t.get(*pos + 1).unwrap_or(&""));
                *pos += 2;
            }
            ALLOWED.contains(&id.as_str())
        }
        None => false,
    }
}

#[test]
fn spdx_expressions() {
    assert!(allowed("MIT OR Apache-2.0"));
    assert!(allowed("MIT/Apache-2.0"));
    assert!(allowed("(MIT OR Apache-2.0) AND Unicode-3.0"));
    assert!(allowed(
        "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"
    ));
    assert!(allowed("MIT OR Apache-2.0 OR LGPL-2.1-or-later"));
    assert!(!allowed("GPL-3.0"));
    assert!(!allowed("(MIT OR Apache-2.0) AND GPL-2.0"));
    assert!(!allowed("MIT AND"));
    assert!(!allowed(""));
}

#[test]
fn dependency_licences_are_allowed() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(repo())
        .output()
        .expect("cargo metadata");
    // `scripts/test.sh` runs `cargo fetch --locked` first: offline, metadata needs the
    // manifest of every locked package, those of other platforms included.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    assert!(packages.len() > 50, "the whole dependency graph is checked");
    let bad: Vec<String> = packages
        .iter()
        .filter(|p| !p["license"].as_str().is_some_and(allowed))
        .map(|p| format!("{} {}: {}", p["name"], p["version"], p["license"]))
        .collect();
    assert!(bad.is_empty(), "licences not on the allow-list: {bad:#?}");
}

/// Every id declared with `define_rules!` anywhere in the core crate is in
/// `rules::all()`: a module whose `RULES` is not chained there leaves its rules without
/// text, citation or evidence wherever they are looked up (a plan item's citation, say).
#[test]
fn every_declared_rule_is_registered() {
    let mut files = Vec::new();
    rust_files(&repo().join("core/src"), &mut files);
    let mut declared = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // The invocations (`crate::define_rules! {`), not the macro's definition.
        for block in text.split("define_rules! {").skip(1) {
            let block = &block[..block.find("\n}").unwrap_or(block.len())];
            for line in block.lines() {
                // `NAME = "ID", "rule-set", …`
                let Some((name, rest)) = line.trim().split_once(" = \"") else {
                    continue;
                };
                if !name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                {
                    continue;
                }
                let id = &rest[..rest.find('"').unwrap()];
                declared += 1;
                assert!(
                    rules::get(id).is_some(),
                    "{id} is declared in {} but missing from rules::all()",
                    f.display()
                );
            }
        }
    }
    assert_eq!(
        declared,
        rules::all().count(),
        "every registered rule is declared once"
    );
}
