//! The npm parsers on files shaped like what npm, yarn and pnpm write: names, versions,
//! flags, sources, hashes, dependency edges and byte ranges; and hostile input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers report failures by panicking"
)]

use std::path::{Path, PathBuf};

use palisade_deps::npm::{kind_of, parse, read_installed};
use palisade_deps::parse::{MAX_MANIFEST_BYTES, ParseError, ParsedFile, ParsedPackage};
use palisade_model::{ManifestKind, PackageSource};

/// SHA-512 of lodash 4.17.21's tarball, decoded from its integrity with
/// `python3 -c "import base64; print(base64.b64decode('v2kD…').hex())"`.
const LODASH_SHA512: &str = "bf690311ee7b95e713ba568322e3533f2dd1cb880b189e99d4edef13592b81764daec43e2c54c61d5c558dc5cfb35ecb85b65519e74026ff17675b6f8f916f4a";
/// SHA-512 of react 18.2.0's tarball, decoded the same way.
const REACT_SHA512: &str = "ff722331d6f62fd41b05d5a25b97b73f6fe7a70301694f661c24825333659f464261b71f4ec19b4c9ad4fe419e99d1f6216981da2a19fb3931b66aba834f5f19";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/npm")
        .join(name)
}

fn load(kind: ManifestKind, name: &str) -> (String, ParsedFile) {
    let text = std::fs::read_to_string(data(name)).unwrap();
    let parsed = parse(kind, &text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    (text, parsed)
}

fn by_key<'a>(f: &'a ParsedFile, key: &str) -> &'a ParsedPackage {
    f.packages.iter().find(|p| p.key == key).unwrap_or_else(|| {
        let keys: Vec<&str> = f.packages.iter().map(|p| p.key.as_str()).collect();
        panic!("no package {key}; keys: {keys:?}")
    })
}

/// The range of every package covers text that names it (its key, or its name).
fn ranges_name_packages(text: &str, f: &ParsedFile) {
    for p in &f.packages {
        let at = text.get(p.range.clone()).unwrap();
        let folder = p.key.rsplit("node_modules/").next().unwrap();
        assert!(
            at.contains(&p.name) || at.contains(folder),
            "range of {} is {at:?}",
            p.key
        );
    }
}

fn unique_keys(f: &ParsedFile) {
    let mut keys: Vec<&str> = f.packages.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    let n = keys.len();
    keys.dedup();
    assert_eq!(n, keys.len(), "duplicate keys");
    for p in &f.packages {
        for d in &p.dependencies {
            assert!(keys.contains(&d.as_str()), "{} -> unknown {d}", p.key);
        }
    }
}

#[test]
fn kinds_are_recognised() {
    assert_eq!(
        kind_of("package-lock.json", "{"),
        Some(ManifestKind::PackageLock)
    );
    let berry = std::fs::read_to_string(data("yarn-berry.lock")).unwrap();
    let classic = std::fs::read_to_string(data("yarn-classic.lock")).unwrap();
    let head = |t: &str| t.get(..200).unwrap().to_string();
    assert_eq!(
        kind_of("yarn.lock", &head(&berry)),
        Some(ManifestKind::YarnBerry)
    );
    assert_eq!(
        kind_of("yarn.lock", &head(&classic)),
        Some(ManifestKind::YarnClassic)
    );
    assert_eq!(kind_of("requirements.txt", ""), None);
}

#[test]
fn package_lock_v1_nested_tree() {
    let (text, f) = load(ManifestKind::PackageLock, "package-lock-v1.json");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    assert_eq!(f.packages.len(), 8);
    let debug = by_key(&f, "node_modules/debug");
    assert_eq!(debug.version.as_deref(), Some("2.6.9"));
    // `ms` 2.0.0 nested under debug is what debug gets, not the top-level 2.1.3.
    assert_eq!(
        debug.dependencies,
        vec!["node_modules/debug/node_modules/ms"]
    );
    let nested = by_key(&f, "node_modules/debug/node_modules/ms");
    assert_eq!(nested.version.as_deref(), Some("2.0.0"));
    assert_eq!(
        by_key(&f, "node_modules/eslint-plugin-node").dependencies,
        vec!["node_modules/ms"]
    );
    assert!(by_key(&f, "node_modules/eslint-plugin-node").dev);
    assert!(!debug.dev);
    assert!(f.packages.iter().all(|p| !p.direct));

    let lodash = by_key(&f, "node_modules/lodash");
    assert_eq!(lodash.source, PackageSource::Registry);
    assert_eq!(lodash.hashes.len(), 1);
    assert_eq!(lodash.hashes[0].alg, "SHA-512");
    assert_eq!(lodash.hashes[0].hex, LODASH_SHA512);

    let alias = by_key(&f, "node_modules/lodash3");
    assert_eq!(alias.name, "lodash");
    assert_eq!(alias.version.as_deref(), Some("3.10.1"));
    assert_eq!(alias.hashes[0].alg, "SHA-1");
    assert_eq!(alias.hashes[0].hex.len(), 40);

    let git = by_key(&f, "node_modules/order-schema");
    assert!(matches!(&git.source, PackageSource::Git { url } if url.contains("acme/order-schema")));
    assert_eq!(git.version, None);
    assert_eq!(git.dependencies, vec!["node_modules/lodash"]);
    assert_eq!(
        by_key(&f, "node_modules/local-util").source,
        PackageSource::Path {
            path: "../local-util".into()
        }
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn package_lock_v2_uses_packages() {
    let (text, f) = load(ManifestKind::PackageLock, "package-lock-v2.json");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    // Only `packages` is read: five entries, not five more from `dependencies`.
    assert_eq!(f.packages.len(), 5);
    let utils = by_key(&f, "node_modules/@acme/image-utils");
    assert_eq!(utils.name, "@acme/image-utils");
    assert!(utils.direct && !utils.dev && utils.install_script);
    // A private registry's tarball layout is still the registry.
    assert_eq!(utils.source, PackageSource::Registry);
    assert_eq!(utils.dependencies, vec!["node_modules/follow-redirects"]);
    let esbuild = by_key(&f, "node_modules/esbuild");
    assert!(esbuild.direct && esbuild.dev && esbuild.install_script);
    // The optional platform package that is installed is an edge; the missing one is not.
    assert_eq!(
        esbuild.dependencies,
        vec!["node_modules/@esbuild/linux-x64"]
    );
    let fr = by_key(&f, "node_modules/follow-redirects");
    assert!(!fr.dev, "devOptional is not dev-only");
    assert!(!fr.direct);
    assert!(by_key(&f, "node_modules/axios").direct);
    // The range is the key string.
    assert_eq!(
        text.get(fr.range.clone()),
        Some("\"node_modules/follow-redirects\"")
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn package_lock_v3_workspaces_aliases_and_sources() {
    let (text, f) = load(ManifestKind::PackageLock, "package-lock-v3.json");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    let alias = by_key(&f, "node_modules/legacy-uuid");
    assert_eq!(
        (alias.name.as_str(), alias.version.as_deref()),
        ("uuid", Some("3.4.0"))
    );
    assert!(alias.direct);
    let git = by_key(&f, "node_modules/left-pad");
    assert!(matches!(&git.source, PackageSource::Git { url } if url.starts_with("git+ssh://")));
    assert!(git.direct);
    let url = by_key(&f, "node_modules/node-gyp-thing");
    assert!(matches!(&url.source, PackageSource::Url { url } if url.ends_with(".tar.gz")));
    assert_eq!(url.hashes[0].alg, "SHA-256");
    assert!(url.install_script);
    // Declared by the workspace `packages/api`: direct too.
    assert!(url.direct);

    let link = by_key(&f, "node_modules/@payments/api");
    assert_eq!(
        link.source,
        PackageSource::Path {
            path: "packages/api".into()
        }
    );
    assert_eq!(link.version.as_deref(), Some("0.1.0"));
    assert_eq!(link.dependencies, vec!["packages/api"]);
    let ws = by_key(&f, "packages/api");
    assert_eq!(ws.name, "@payments/api");
    assert!(matches!(ws.source, PackageSource::Path { .. }));
    // The workspace gets its own uuid 8, not the root's 9.
    assert_eq!(
        ws.dependencies,
        vec![
            "node_modules/node-gyp-thing",
            "packages/api/node_modules/uuid"
        ]
    );
    assert_eq!(
        by_key(&f, "packages/api/node_modules/uuid")
            .version
            .as_deref(),
        Some("8.3.2")
    );
    assert_eq!(
        by_key(&f, "node_modules/uuid").version.as_deref(),
        Some("9.0.1")
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn shrinkwrap_reads_as_a_lock() {
    let (text, f) = load(ManifestKind::NpmShrinkwrap, "npm-shrinkwrap.json");
    assert_eq!(f.kind, ManifestKind::NpmShrinkwrap);
    ranges_name_packages(&text, &f);
    let p = by_key(&f, "node_modules/is-number");
    assert!(p.direct);
    assert_eq!(p.version.as_deref(), Some("7.0.0"));
}

#[test]
fn yarn_classic_entries() {
    let (text, f) = load(ManifestKind::YarnClassic, "yarn-classic.lock");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    assert_eq!(f.packages.len(), 15);
    let react = by_key(&f, "react@18.2.0");
    assert_eq!(react.hashes[0].hex, REACT_SHA512);
    // The tarball URL's fragment is its SHA-1.
    assert!(
        react
            .hashes
            .iter()
            .any(|h| h.alg == "SHA-1" && h.hex == "555bd98592883255fa00de14f1151a917b5d77d5")
    );
    assert_eq!(react.source, PackageSource::Registry);
    assert_eq!(react.dependencies, vec!["loose-envify@1.4.0"]);
    assert!(!react.direct && !react.dev);
    // Several ranges, one entry; the `||` range resolves.
    assert_eq!(
        by_key(&f, "loose-envify@1.4.0").dependencies,
        vec!["js-tokens@4.0.0"]
    );
    let highlight = by_key(&f, "@babel/highlight@7.22.20");
    assert_eq!(highlight.name, "@babel/highlight");
    assert_eq!(
        highlight.dependencies,
        vec![
            "@babel/helper-validator-identifier@7.22.20",
            "chalk@2.4.2",
            "js-tokens@4.0.0"
        ]
    );
    let old = by_key(&f, "react@16.14.0");
    assert_eq!(old.name, "react");
    assert!(text.get(old.range.clone()).unwrap().contains("old-react"));
    assert!(matches!(
        &by_key(&f, "util-lib@1.0.0").source,
        PackageSource::Git { url } if url.starts_with("git+https://")
    ));
    let fork = by_key(&f, "my-fork@1.3.0");
    assert!(
        matches!(&fork.source, PackageSource::Url { url } if url.starts_with("https://codeload.github.com/"))
    );
    assert!(fork.hashes.is_empty());
    assert_eq!(
        by_key(&f, "local-config@0.0.1").source,
        PackageSource::Path {
            path: "./packages/config".into()
        }
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn yarn_berry_entries() {
    let (text, f) = load(ManifestKind::YarnBerry, "yarn-berry.lock");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    // The workspace itself is not a package.
    assert!(f.packages.iter().all(|p| p.name != "orders"));
    assert_eq!(f.packages.len(), 8);
    let react = by_key(&f, "react@npm:18.2.0");
    assert_eq!(react.version.as_deref(), Some("18.2.0"));
    assert_eq!(react.source, PackageSource::Registry);
    assert!(react.direct && !react.dev);
    assert!(
        react.hashes.is_empty(),
        "berry checksums are not tarball hashes"
    );
    assert_eq!(react.dependencies, vec!["loose-envify@npm:1.4.0"]);
    assert_eq!(
        by_key(&f, "loose-envify@npm:1.4.0").dependencies,
        vec!["js-tokens@npm:4.0.0"]
    );
    assert!(!by_key(&f, "loose-envify@npm:1.4.0").direct);
    let patched = f
        .packages
        .iter()
        .find(|p| p.key.starts_with("lodash@patch:"))
        .unwrap();
    assert!(patched.direct);
    assert_eq!(patched.source, PackageSource::Registry);
    assert_eq!(patched.version.as_deref(), Some("4.17.21"));
    assert!(!by_key(&f, "lodash@npm:4.17.21").direct);
    let portal = f.packages.iter().find(|p| p.name == "date-utils").unwrap();
    assert_eq!(
        portal.source,
        PackageSource::Path {
            path: "../shared/date-utils".into()
        }
    );
    assert!(portal.direct);
    let git = f.packages.iter().find(|p| p.name == "uuid-git").unwrap();
    assert!(matches!(git.source, PackageSource::Git { .. }));
    assert!(git.direct);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn pnpm_v5() {
    let (text, f) = load(ManifestKind::PnpmLock, "pnpm-lock-v5.yaml");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    assert_eq!(f.packages.len(), 10);
    let dom = by_key(&f, "/react-dom/18.2.0_react@18.2.0");
    assert_eq!(
        (dom.name.as_str(), dom.version.as_deref()),
        ("react-dom", Some("18.2.0"))
    );
    assert!(dom.direct && !dom.dev);
    assert_eq!(
        dom.dependencies,
        vec!["/loose-envify/1.4.0", "/react/18.2.0", "/scheduler/0.23.0"]
    );
    assert_eq!(by_key(&f, "/react/18.2.0").hashes[0].hex, REACT_SHA512);
    let types = by_key(&f, "/@types/react/18.2.37");
    assert_eq!(types.name, "@types/react");
    assert!(types.direct && types.dev);
    assert!(by_key(&f, "/@types/prop-types/15.7.10").dev);
    assert!(!by_key(&f, "/@types/prop-types/15.7.10").direct);
    let sharp = by_key(&f, "/sharp/0.32.6");
    assert!(sharp.install_script && sharp.direct);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn pnpm_v6_workspace() {
    let (text, f) = load(ManifestKind::PnpmLock, "pnpm-lock-v6.yaml");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    let pg = by_key(&f, "/pg@8.11.3(pg-native@3.0.1)");
    assert_eq!(
        (pg.name.as_str(), pg.version.as_deref()),
        ("pg", Some("8.11.3"))
    );
    // Declared by `packages/shared`, one importer of several.
    assert!(pg.direct);
    assert_eq!(pg.dependencies, vec!["/pg-native@3.0.1"]);
    assert!(by_key(&f, "/pg-native@3.0.1").install_script);
    assert!(by_key(&f, "/libpq@1.8.12").install_script);
    let ts = by_key(&f, "/typescript@5.2.2");
    assert!(ts.direct && ts.dev);
    // An alias resolves to the real package.
    assert!(by_key(&f, "/string-width@4.2.3").direct);
    let private = by_key(
        &f,
        "github.com/acme/private-lib/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    );
    assert_eq!(
        (private.name.as_str(), private.version.as_deref()),
        ("private-lib", Some("2.0.0"))
    );
    assert!(matches!(private.source, PackageSource::Url { .. }));
    assert!(private.direct);
    assert!(by_key(&f, "/@middy/core@4.7.0").direct);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn pnpm_v9_snapshots_and_dev_by_reach() {
    let (text, f) = load(ManifestKind::PnpmLock, "pnpm-lock-v9.yaml");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    assert_eq!(f.packages.len(), 8);
    let dom = by_key(&f, "react-dom@18.2.0(react@18.2.0)");
    assert_eq!(
        (dom.name.as_str(), dom.version.as_deref()),
        ("react-dom", Some("18.2.0"))
    );
    assert!(dom.direct && !dom.dev);
    // The range is the `packages` entry, which holds the resolution.
    assert_eq!(text.get(dom.range.clone()), Some("react-dom@18.2.0"));
    assert_eq!(
        dom.dependencies,
        vec!["loose-envify@1.4.0", "react@18.2.0", "scheduler@0.23.0"]
    );
    let vitest = by_key(&f, "vitest@1.0.4");
    assert!(vitest.direct && vitest.dev);
    // js-tokens is reached from vitest (dev) and from react (prod): not dev.
    assert!(!by_key(&f, "js-tokens@4.0.0").dev);
    assert!(!by_key(&f, "js-tokens@4.0.0").direct);
    let git = f.packages.iter().find(|p| p.name == "ts-utils").unwrap();
    assert_eq!(git.version.as_deref(), Some("0.4.0"));
    assert_eq!(
        git.source,
        PackageSource::Git {
            url: "https://github.com/acme/ts-utils.git#f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"
                .into()
        }
    );
    assert!(git.dev && git.direct);
    let pad = f.packages.iter().find(|p| p.name == "left-pad").unwrap();
    assert!(matches!(pad.source, PackageSource::Url { .. }));
    assert_eq!(pad.version.as_deref(), Some("1.3.0"));
    assert!(pad.direct && !pad.dev);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn package_json_every_source_kind() {
    let (text, f) = load(ManifestKind::PackageJson, "package.json");
    ranges_name_packages(&text, &f);
    unique_keys(&f);
    let get = |k: &str| by_key(&f, k);
    assert!(f.packages.iter().all(|p| p.direct));
    let s3 = get("@aws-sdk/client-s3");
    assert_eq!(s3.requirement.as_deref(), Some("^3.445.0"));
    assert_eq!(s3.version, None);
    assert_eq!(s3.source, PackageSource::Registry);
    assert_eq!(get("sharp").version.as_deref(), Some("0.32.6"));
    let lodash = get("lodash");
    assert_eq!(lodash.version.as_deref(), Some("4.17.21"));
    assert!(!lodash.dev, "declared in dependencies first");
    let alias = get("old-uuid");
    assert_eq!(alias.name, "uuid");
    assert_eq!(alias.requirement.as_deref(), Some("^3.4.0"));
    assert_eq!(
        get("left-pad").source,
        PackageSource::Git {
            url: "github:left-pad/left-pad#v1.3.0".into()
        }
    );
    assert_eq!(
        get("is-even").source,
        PackageSource::Git {
            url: "github:jonschlinkert/is-even".into()
        }
    );
    assert!(matches!(get("util-lib").source, PackageSource::Git { .. }));
    assert!(matches!(get("fonts").source, PackageSource::Url { .. }));
    assert_eq!(
        get("config").source,
        PackageSource::Path {
            path: "../config".into()
        }
    );
    assert_eq!(
        get("shared").source,
        PackageSource::Path {
            path: "../shared".into()
        }
    );
    assert!(matches!(get("helpers").source, PackageSource::Path { .. }));
    assert_eq!(get("next-thing").requirement.as_deref(), Some("latest"));
    assert!(!get("fsevents").dev);
    assert!(get("vitest").dev);
    assert_eq!(
        get("@types/aws-lambda").version.as_deref(),
        Some("8.10.130")
    );
    // Peers are skipped.
    assert!(f.packages.iter().all(|p| p.name != "aws-lambda"));
    assert_eq!(text.get(get("sharp").range.clone()), Some("\"sharp\""));
    // lodash again in devDependencies, and a bundled name declared nowhere.
    assert_eq!(f.problems.len(), 2, "{:?}", f.problems);
}

#[test]
fn node_modules_tree_from_package_json_files() {
    let root = data("installed/node_modules");
    let found = read_installed(&root);
    let get = |key: &str| {
        found
            .files
            .iter()
            .find(|f| f.package.key == key)
            .unwrap_or_else(|| panic!("no {key}"))
    };
    assert_eq!(found.files.len(), 8);
    let express = get("node_modules/express");
    assert_eq!(express.package.version.as_deref(), Some("4.18.2"));
    assert_eq!(express.package.source, PackageSource::Registry);
    assert_eq!(express.package.hashes.len(), 1);
    assert_eq!(express.path, root.join("express/package.json"));
    assert!(express.text.contains("\"express\""));
    assert!(
        express
            .text
            .get(express.package.range.clone())
            .unwrap()
            .contains("express")
    );
    assert_eq!(express.package.dependencies, vec!["node_modules/debug"]);
    assert_eq!(
        get("node_modules/debug").package.dependencies,
        vec!["node_modules/debug/node_modules/ms"]
    );
    assert_eq!(
        get("node_modules/debug/node_modules/ms")
            .package
            .version
            .as_deref(),
        Some("2.0.0")
    );
    assert_eq!(
        get("node_modules/ms").package.version.as_deref(),
        Some("2.1.3")
    );
    assert_eq!(
        get("node_modules/@aws-crypto/util").package.name,
        "@aws-crypto/util"
    );
    assert!(get("node_modules/bcrypt").package.install_script);
    assert!(get("node_modules/core-js").package.install_script);
    assert!(
        get("node_modules/native-thing").package.install_script,
        "binding.gyp"
    );
    assert!(!get("node_modules/ms").package.install_script);
    assert!(found.files.iter().all(|f| !f.package.direct));
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    assert!(found.problems[0].0.ends_with("broken/package.json"));
}

#[test]
fn node_modules_prefers_the_hidden_lock() {
    let dir = tempfile::tempdir().unwrap();
    let nm = dir.path().join("node_modules");
    std::fs::create_dir_all(nm.join("is-number")).unwrap();
    std::fs::write(
        nm.join("is-number/package.json"),
        r#"{"name":"is-number","version":"7.0.0"}"#,
    )
    .unwrap();
    let lock = std::fs::read_to_string(data("npm-shrinkwrap.json")).unwrap();
    std::fs::write(nm.join(".package-lock.json"), &lock).unwrap();
    let found = read_installed(&nm);
    assert_eq!(found.files.len(), 1);
    assert_eq!(found.files[0].path, nm.join(".package-lock.json"));
    assert_eq!(found.files[0].text, lock);
    assert_eq!(found.files[0].package.key, "node_modules/is-number");
}

#[cfg(unix)]
#[test]
fn node_modules_pnpm_store_layout() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let nm = dir.path().join("node_modules");
    let write = |rel: &str, text: &str| {
        let p = nm.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        ".pnpm/react@18.2.0/node_modules/react/package.json",
        r#"{"name":"react","version":"18.2.0","dependencies":{"loose-envify":"^1.1.0"}}"#,
    );
    write(
        ".pnpm/loose-envify@1.4.0/node_modules/loose-envify/package.json",
        r#"{"name":"loose-envify","version":"1.4.0"}"#,
    );
    write(
        ".pnpm/@types+node@20.1.0/node_modules/@types/node/package.json",
        r#"{"name":"@types/node","version":"20.1.0"}"#,
    );
    // pnpm's links: each package's dependencies beside it, the project's at the top, and
    // one pointing out of the folder, which must not be followed.
    symlink(
        "../../loose-envify@1.4.0/node_modules/loose-envify",
        nm.join(".pnpm/react@18.2.0/node_modules/loose-envify"),
    )
    .unwrap();
    symlink(".pnpm/react@18.2.0/node_modules/react", nm.join("react")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("package.json"),
        r#"{"name":"outside","version":"1.0.0"}"#,
    )
    .unwrap();
    symlink(outside.path(), nm.join("outside")).unwrap();

    let found = read_installed(&nm);
    let names: Vec<&str> = found
        .files
        .iter()
        .map(|f| f.package.name.as_str())
        .collect();
    assert_eq!(found.files.len(), 3, "{names:?}");
    assert!(!names.contains(&"outside"));
    let react = found
        .files
        .iter()
        .find(|f| f.package.name == "react")
        .unwrap();
    assert_eq!(
        react.package.key,
        "node_modules/.pnpm/react@18.2.0/node_modules/react"
    );
    assert_eq!(
        react.package.dependencies,
        vec!["node_modules/.pnpm/loose-envify@1.4.0/node_modules/loose-envify"]
    );
    assert!(found.files.iter().any(|f| f.package.name == "@types/node"));
    assert!(found.problems.is_empty(), "{:?}", found.problems);
}

#[test]
fn truncated_json_is_a_syntax_error_with_an_offset() {
    let text = std::fs::read_to_string(data("package-lock-v3.json")).unwrap();
    let cut = text.get(..text.len() / 2).unwrap();
    match parse(ManifestKind::PackageLock, cut) {
        Err(ParseError::Syntax { offset, .. }) => assert!(offset > 0 && offset <= cut.len()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse(ManifestKind::PackageJson, "{\"dependencies\": {\"a\": }}"),
        Err(ParseError::Syntax { offset: 23, .. })
    ));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let deep = format!(
        "{{\"dependencies\": {}{}}}",
        "{\"a\": ".repeat(10_000),
        "}".repeat(10_000)
    );
    for kind in [
        ManifestKind::PackageLock,
        ManifestKind::PackageJson,
        ManifestKind::NodeModules,
    ] {
        assert!(matches!(parse(kind, &deep), Err(ParseError::Syntax { .. })));
    }
    let deep_yaml = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    for kind in [ManifestKind::PnpmLock, ManifestKind::YarnBerry] {
        assert!(parse(kind, &deep_yaml).is_err());
    }
    // A v1 tree nearly as deep as the JSON parser allows (it counts about four levels per
    // package) is walked without recursion.
    let mut v1 = String::from("{\"lockfileVersion\":1,\"dependencies\":");
    for i in 0..100 {
        v1.push_str(&format!(
            "{{\"p{i}\":{{\"version\":\"1.0.0\",\"dependencies\":"
        ));
    }
    v1.push_str("{}");
    v1.push_str(&"}}".repeat(100));
    v1.push('}');
    let f = parse(ManifestKind::PackageLock, &v1).unwrap();
    assert_eq!(f.packages.len(), 100);
}

#[test]
fn wrong_roots_and_sizes_are_clean_errors() {
    for kind in [
        ManifestKind::PackageLock,
        ManifestKind::PackageJson,
        ManifestKind::NpmShrinkwrap,
    ] {
        assert!(matches!(
            parse(kind, "[1, 2]"),
            Err(ParseError::Syntax { offset: 0, .. })
        ));
        assert!(matches!(parse(kind, ""), Err(ParseError::Syntax { .. })));
    }
    assert!(parse(ManifestKind::PnpmLock, "- a\n- b\n").is_err());
    assert!(parse(ManifestKind::YarnBerry, "\"just text\"\n").is_err());
    let big = " ".repeat(MAX_MANIFEST_BYTES + 1);
    for kind in [
        ManifestKind::PackageLock,
        ManifestKind::YarnClassic,
        ManifestKind::YarnBerry,
        ManifestKind::PnpmLock,
        ManifestKind::PackageJson,
    ] {
        assert!(matches!(
            parse(kind, &big),
            Err(ParseError::TooLarge { .. })
        ));
    }
}

#[test]
fn odd_entries_become_problems() {
    let lock = r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/a":7,
        "node_modules/b":{"version":"1.0.0","integrity":"sha512-@@@","dependencies":{"zz":"1"}}}}"#;
    let f = parse(ManifestKind::PackageLock, lock).unwrap();
    assert_eq!(f.packages.len(), 1);
    assert_eq!(f.problems.len(), 3, "{:?}", f.problems);
    let yarn = "# yarn lockfile v1\n\nnot an entry\na@^1:\n  version \"1.0.0\"\n  ??\n";
    let f = parse(ManifestKind::YarnClassic, yarn).unwrap();
    assert_eq!(f.packages.len(), 1);
    assert_eq!(f.problems.len(), 2, "{:?}", f.problems);
    // Multi-byte text and stray bytes never panic.
    for kind in [
        ManifestKind::YarnClassic,
        ManifestKind::YarnBerry,
        ManifestKind::PnpmLock,
    ] {
        let _ = parse(kind, "é@ü:\n  version \"ñ\"\n  dependencies:\n    \"é");
    }
}
