//! The Python parsers on files as pip, pipenv, Poetry and uv write them, and on installed
//! packages as `pip install -t` leaves them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use palisade_deps::parse::{ParseError, ParsedFile, ParsedPackage};
use palisade_deps::python::{kind_of, parse, read_installed};
use palisade_model::{ManifestKind, PackageSource};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/python")
        .join(name)
}

fn parse_file(kind: ManifestKind, name: &str) -> (String, ParsedFile) {
    let text = std::fs::read_to_string(data(name)).unwrap();
    let parsed = parse(kind, &text).unwrap();
    (text, parsed)
}

fn find<'a>(file: &'a ParsedFile, name: &str) -> &'a ParsedPackage {
    file.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package {name} in {:#?}", file.packages))
}

/// Every package's range points at its name (or at a line that holds it).
fn ranges_hold_names(text: &str, file: &ParsedFile) {
    for p in &file.packages {
        let at = text
            .get(p.range.clone())
            .unwrap_or_else(|| panic!("bad range for {}", p.name));
        assert!(at.contains(&p.name), "range of {} is {at:?}", p.name);
    }
}

fn sha256(p: &ParsedPackage) -> Vec<&str> {
    p.hashes
        .iter()
        .inspect(|h| assert_eq!(h.alg, "SHA-256"))
        .map(|h| h.hex.as_str())
        .collect()
}

#[test]
fn kinds_from_names() {
    assert_eq!(
        kind_of("requirements/prod-requirements.txt", ""),
        Some(ManifestKind::Requirements)
    );
    assert_eq!(
        kind_of("Pipfile.lock", "{"),
        Some(ManifestKind::PipfileLock)
    );
    assert_eq!(kind_of("setup.py", ""), None);
}

#[test]
fn requirements_txt() {
    let (text, f) = parse_file(ManifestKind::Requirements, "requirements.txt");
    ranges_hold_names(&text, &f);
    assert_eq!(f.kind, ManifestKind::Requirements);
    assert!(f.packages.iter().all(|p| p.direct && !p.dev));

    let includes: Vec<_> = f
        .includes
        .iter()
        .map(|i| (i.path.as_str(), i.constraints))
        .collect();
    assert_eq!(
        includes,
        [("requirements-base.txt", false), ("constraints.txt", true)]
    );
    for i in &f.includes {
        assert_eq!(text.get(i.range.clone()), Some(i.path.as_str()));
    }

    let requests = find(&f, "requests");
    assert_eq!(requests.version.as_deref(), Some("2.31.0"));
    assert_eq!(requests.requirement.as_deref(), Some("==2.31.0"));
    assert_eq!(
        sha256(requests),
        [
            "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f",
            "942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1"
        ]
    );
    assert_eq!(text.get(requests.range.clone()), Some("requests"));

    let urllib3 = find(&f, "urllib3");
    assert_eq!(urllib3.requirement.as_deref(), Some(">=1.21.1,<3"));
    assert_eq!(urllib3.version, None);
    assert_eq!(find(&f, "PyYAML").requirement.as_deref(), Some(">=6.0"));
    assert_eq!(find(&f, "boto3").requirement.as_deref(), Some("~=1.34.0"));
    let typing = find(&f, "typing-extensions");
    assert_eq!(
        (typing.requirement.as_deref(), typing.version.as_deref()),
        (Some("==4.*"), None)
    );
    assert_eq!(find(&f, "pydantic").version.as_deref(), Some("2.5.3"));

    let powertools = find(&f, "aws-lambda-powertools");
    assert!(matches!(&powertools.source, PackageSource::Url { url } if url.ends_with(".whl")));
    assert_eq!(powertools.version.as_deref(), Some("2.30.2"));
    assert_eq!(
        find(&f, "internal-auth").source,
        PackageSource::Git {
            url: "git+https://github.com/example-org/internal-auth.git@v1.4.0".into()
        }
    );
    assert!(matches!(
        find(&f, "local-utils").source,
        PackageSource::Path { .. }
    ));
    let schemas = find(&f, "event_schemas");
    assert!(matches!(&schemas.source, PackageSource::Git { url } if url.contains("@3f2c1d0")));
    assert_eq!(text.get(schemas.range.clone()), Some("event_schemas"));
    let legacy = find(&f, "legacy_pkg");
    assert_eq!(legacy.version.as_deref(), Some("0.9.1"));
    assert!(matches!(legacy.source, PackageSource::Url { .. }));
    let tiny = find(&f, "tiny_dep");
    assert_eq!(tiny.version.as_deref(), Some("1.0.2"));
    assert!(matches!(tiny.source, PackageSource::Path { .. }));

    // `-e ./libs/shared` names no package; the two bad lines are problems, not errors.
    let messages: Vec<_> = f.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(f.problems.len(), 3, "{messages:#?}");
    let shared = text.find("./libs/shared").unwrap();
    assert!(f.problems.iter().any(|p| p.offset == shared));
    assert!(
        f.problems
            .iter()
            .any(|p| p.offset == text.find("this is not").unwrap())
    );
    assert!(
        f.problems
            .iter()
            .any(|p| p.offset == text.find("django>>2").unwrap())
    );
    assert_eq!(f.packages.len(), 12);
    let mut keys: Vec<_> = f.packages.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), f.packages.len());
}

#[test]
fn requirements_garbage_is_problems() {
    let text = "\u{0}\u{1}binary\n--hash\n==1.0\nflask==2.0 --hash=sha256:nothex --bogus\n\\\n[x]\nok-pkg\n";
    let f = parse(ManifestKind::Requirements, text).unwrap();
    let names: Vec<_> = f.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["flask", "ok-pkg"]);
    assert!(f.problems.len() >= 4, "{:#?}", f.problems);
    assert!(f.problems.iter().all(|p| p.offset <= text.len()));
}

#[test]
fn pipfile_and_its_lock() {
    let (text, f) = parse_file(ManifestKind::Pipfile, "Pipfile");
    ranges_hold_names(&text, &f);
    assert!(f.problems.is_empty(), "{:#?}", f.problems);
    assert!(f.packages.iter().all(|p| p.direct));
    let requests = find(&f, "requests");
    assert_eq!(
        (
            requests.requirement.as_deref(),
            requests.version.as_deref(),
            requests.dev
        ),
        (Some("==2.31.0"), Some("2.31.0"), false)
    );
    assert_eq!(find(&f, "boto3").requirement.as_deref(), Some("*"));
    assert_eq!(find(&f, "pydantic").requirement.as_deref(), Some(">=2.0"));
    assert_eq!(
        find(&f, "internal-auth").source,
        PackageSource::Git {
            url: "https://github.com/example-org/internal-auth.git@v1.4.0".into()
        }
    );
    assert_eq!(
        find(&f, "shared").source,
        PackageSource::Path {
            path: "./libs/shared".into()
        }
    );
    assert!(matches!(
        find(&f, "legacy-pkg").source,
        PackageSource::Url { .. }
    ));
    let moto = find(&f, "moto");
    assert!(moto.dev);
    assert_eq!(moto.version.as_deref(), Some("4.2.13"));
    assert!(find(&f, "pytest").dev);
    assert_eq!(f.packages.len(), 8);

    let (text, lock) = parse_file(ManifestKind::PipfileLock, "Pipfile.lock");
    ranges_hold_names(&text, &lock);
    assert!(lock.problems.is_empty(), "{:#?}", lock.problems);
    assert_eq!(lock.packages.len(), 5);
    assert!(
        lock.packages
            .iter()
            .all(|p| !p.direct && p.requirement.is_none())
    );
    let certifi = find(&lock, "certifi");
    assert_eq!(certifi.version.as_deref(), Some("2023.11.17"));
    assert_eq!(sha256(certifi).len(), 2);
    assert_eq!(text.get(certifi.range.clone()), Some("certifi"));
    assert!(
        matches!(&find(&lock, "internal-auth").source, PackageSource::Git { url } if url.ends_with("@9b2d4c1e7f3a5b8d0c6e2f4a1b3d5c7e9f0a2b4c"))
    );
    assert!(matches!(
        find(&lock, "shared").source,
        PackageSource::Path { .. }
    ));
    let pytest = find(&lock, "pytest");
    assert!(pytest.dev);
    assert_eq!(pytest.version.as_deref(), Some("7.4.4"));
    assert!(!find(&lock, "requests").dev);
}

#[test]
fn poetry_lock_new_style() {
    let (text, f) = parse_file(ManifestKind::PoetryLock, "poetry.lock");
    ranges_hold_names(&text, &f);
    assert!(f.problems.is_empty(), "{:#?}", f.problems);
    assert_eq!(f.packages.len(), 8);
    let boto3 = find(&f, "boto3");
    assert_eq!(boto3.version.as_deref(), Some("1.34.20"));
    assert_eq!(boto3.requirement, None);
    assert!(!boto3.dev && !boto3.direct);
    assert_eq!(sha256(boto3).len(), 2);
    assert_eq!(boto3.dependencies, ["botocore", "jmespath"]);
    assert_eq!(text.get(boto3.range.clone()), Some("name = \"boto3\""));
    assert_eq!(
        find(&f, "botocore").dependencies,
        ["jmespath", "python-dateutil"]
    );
    assert_eq!(find(&f, "python-dateutil").dependencies, ["six"]);
    assert_eq!(
        find(&f, "internal-auth").source,
        PackageSource::Git {
            url: "https://github.com/example-org/internal-auth.git@9b2d4c1e7f3a5b8d0c6e2f4a1b3d5c7e9f0a2b4c".into()
        }
    );
    assert_eq!(find(&f, "mirror-only").source, PackageSource::Registry);
    // In both groups: deployed. Only in dev: not.
    assert!(!find(&f, "six").dev);
    assert!(find(&f, "pytest").dev);
}

#[test]
fn poetry_lock_old_style() {
    let (text, f) = parse_file(ManifestKind::PoetryLock, "poetry-1.1.lock");
    ranges_hold_names(&text, &f);
    assert!(f.problems.is_empty(), "{:#?}", f.problems);
    assert!(find(&f, "pytest").dev);
    assert!(find(&f, "pluggy").dev);
    assert!(!find(&f, "requests").dev);
    assert_eq!(find(&f, "pytest").dependencies, ["pluggy"]);
    assert_eq!(find(&f, "requests").dependencies, ["certifi"]);
    // Old locks keep the hashes apart, in `[metadata.files]`.
    assert_eq!(
        sha256(find(&f, "certifi")),
        [
            "d62a0163eb4c2344ac042ab2bdf75399a71a2d8c7d47eac2e2ee91b9d6339569",
            "78884e7c1d4b00ce3cea67b44566851c4343c120abd683433ce934a68ea58872"
        ]
    );
    assert!(find(&f, "pytest").hashes.is_empty());
}

#[test]
fn uv_lock() {
    let (text, f) = parse_file(ManifestKind::UvLock, "uv.lock");
    ranges_hold_names(&text, &f);
    assert!(f.problems.is_empty(), "{:#?}", f.problems);
    // The project itself is not a package.
    assert!(f.packages.iter().all(|p| p.name != "orders-service"));
    assert_eq!(f.packages.len(), 7);
    let anyio = find(&f, "anyio");
    assert_eq!(anyio.version.as_deref(), Some("4.4.0"));
    assert!(anyio.direct && !anyio.dev);
    assert_eq!(anyio.dependencies, ["idna", "sniffio"]);
    assert_eq!(
        sha256(anyio),
        [
            "5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94",
            "c1b2d8f46a8a812513012e1107cb0e68c17159a7a594208005a57dc776e1bdc7"
        ]
    );
    let schemas = find(&f, "event-schemas");
    assert!(
        matches!(&schemas.source, PackageSource::Git { url } if url.contains("?tag=v0.7.0#3f2c1d0"))
    );
    assert!(schemas.direct);
    // Extras are runtime; the dev group and what only it pulls in are dev; sniffio is
    // needed by both, so it is deployed.
    let wrapt = find(&f, "wrapt");
    assert!(wrapt.direct && !wrapt.dev);
    let pytest = find(&f, "pytest");
    assert!(pytest.direct && pytest.dev);
    assert_eq!(pytest.dependencies, ["iniconfig", "sniffio"]);
    let iniconfig = find(&f, "iniconfig");
    assert!(iniconfig.dev && !iniconfig.direct);
    let sniffio = find(&f, "sniffio");
    assert!(!sniffio.dev && !sniffio.direct);
    assert!(!find(&f, "idna").direct);
}

#[test]
fn pyproject_pep621() {
    let (text, f) = parse_file(ManifestKind::Pyproject, "pyproject.toml");
    for p in &f.packages {
        assert_eq!(text.get(p.range.clone()), Some(p.name.as_str()));
    }
    assert!(f.packages.iter().all(|p| p.direct));
    let names: Vec<_> = f
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.dev))
        .collect();
    assert_eq!(
        names,
        [
            ("anyio", false),
            ("boto3", false),
            ("urllib3", false),
            ("event-schemas", false),
            ("wrapt", false),
            ("pytest", true),
            ("ruff", true),
            ("moto", true),
        ]
    );
    assert_eq!(find(&f, "boto3").version.as_deref(), Some("1.34.20"));
    assert_eq!(
        find(&f, "urllib3").requirement.as_deref(),
        Some(">=1.26, <3")
    );
    assert!(matches!(
        find(&f, "event-schemas").source,
        PackageSource::Git { .. }
    ));
    assert_eq!(find(&f, "moto").requirement.as_deref(), Some(">=5"));
    assert_eq!(f.problems.len(), 1, "{:#?}", f.problems);
    assert_eq!(f.problems[0].offset, text.find("\"bad spec").unwrap());
}

#[test]
fn pyproject_poetry() {
    let (text, f) = parse_file(ManifestKind::Pyproject, "pyproject-poetry.toml");
    ranges_hold_names(&text, &f);
    assert!(f.problems.is_empty(), "{:#?}", f.problems);
    assert!(f.packages.iter().all(|p| p.name != "python" && p.direct));
    let boto3 = find(&f, "boto3");
    assert_eq!(
        (boto3.requirement.as_deref(), boto3.version.as_deref()),
        (Some("^1.34"), None)
    );
    // A bare version is an exact pin in Poetry.
    assert_eq!(find(&f, "requests").version.as_deref(), Some("2.31.0"));
    assert_eq!(find(&f, "pydantic").requirement.as_deref(), Some("~2.5"));
    assert_eq!(
        find(&f, "internal-auth").source,
        PackageSource::Git {
            url: "https://github.com/example-org/internal-auth.git@v1.4.0".into()
        }
    );
    assert_eq!(
        find(&f, "shared").source,
        PackageSource::Path {
            path: "../libs/shared".into()
        }
    );
    assert!(matches!(
        find(&f, "legacy-pkg").source,
        PackageSource::Url { .. }
    ));
    assert_eq!(
        find(&f, "numpy").requirement.as_deref(),
        Some("<=1.24 || ^1.26")
    );
    assert!(!find(&f, "structlog").dev);
    assert!(find(&f, "pytest").dev);
    assert!(find(&f, "black").dev);
    assert_eq!(find(&f, "black").version.as_deref(), Some("24.1.1"));
}

#[test]
fn syntax_errors_are_placed() {
    let text = std::fs::read_to_string(data("uv.lock")).unwrap();
    let cut = text.find("sdist = {").unwrap() + 20;
    let truncated = text.get(..cut).unwrap();
    for kind in [
        ManifestKind::UvLock,
        ManifestKind::PoetryLock,
        ManifestKind::Pyproject,
    ] {
        match parse(kind, truncated) {
            Err(ParseError::Syntax { offset, message }) => {
                assert!(offset > 0 && offset <= cut, "{offset} {message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let err = parse(ManifestKind::Pipfile, "[packages]\nrequests = \n").unwrap_err();
    assert!(err.offset() > 0);
    let err = parse(ManifestKind::PipfileLock, "{\"default\": {\"a\": }").unwrap_err();
    assert!(
        matches!(err, ParseError::Syntax { offset: 18, .. }),
        "{err:?}"
    );
}

#[test]
fn hostile_input() {
    let big = "a".repeat(palisade_deps::parse::MAX_MANIFEST_BYTES + 1);
    assert!(matches!(
        parse(ManifestKind::Requirements, &big),
        Err(ParseError::TooLarge { .. })
    ));
    let deep = format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse(ManifestKind::PoetryLock, &deep).is_err());
    let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse(ManifestKind::PipfileLock, &deep_json).is_err());
    // Wrong shapes are problems, never panics.
    let f = parse(ManifestKind::PoetryLock, "package = 3\n").unwrap();
    assert_eq!(f.problems.len(), 1);
    let f = parse(
        ManifestKind::UvLock,
        "[[package]]\nversion = \"1\"\n[[package]]\nname = 1\n",
    )
    .unwrap();
    assert_eq!(f.problems.len(), 2);
    let f = parse(
        ManifestKind::PipfileLock,
        "{\"default\": [], \"develop\": {\"x\": 1, \"é\": {\"version\": \"1\", \"hashes\": [2]}}}",
    )
    .unwrap();
    assert_eq!(f.packages.len(), 1);
    assert_eq!(f.problems.len(), 4, "{:#?}", f.problems);
    let f = parse(
        ManifestKind::Pyproject,
        "[project]\ndependencies = \"x\"\n[tool.poetry.dependencies]\nx = 1\n",
    )
    .unwrap();
    assert_eq!(f.problems.len(), 2, "{:#?}", f.problems);
    for text in [
        "é\\\n",
        "\\",
        "-r",
        "-e",
        "x @",
        "x[",
        "--hash=sha256:",
        "x ; ",
        "-rx\\\n\\\n",
    ] {
        parse(ManifestKind::Requirements, text).unwrap();
    }
}

#[test]
fn installed_packages() {
    let found = read_installed(&data("installed"));
    let names: Vec<_> = found
        .files
        .iter()
        .map(|f| f.package.name.as_str())
        .collect();
    assert_eq!(names, ["certifi", "internal-auth", "requests", "six"]);
    for f in &found.files {
        assert!(
            f.text
                .get(f.package.range.clone())
                .unwrap()
                .starts_with("Name: ")
        );
        assert!(
            f.text
                .get(f.package.range.clone())
                .unwrap()
                .contains(&f.package.name)
        );
        assert!(f.path.starts_with(data("installed")));
        assert!(!f.package.dev);
    }
    let get = |name: &str| {
        &found
            .files
            .iter()
            .find(|f| f.package.name == name)
            .unwrap()
            .package
    };
    let requests = get("requests");
    assert_eq!(requests.version.as_deref(), Some("2.31.0"));
    assert!(requests.direct);
    assert_eq!(requests.source, PackageSource::Registry);
    assert_eq!(requests.dependencies, ["certifi"]);
    assert!(!get("certifi").direct);
    let auth = get("internal-auth");
    assert_eq!(
        auth.source,
        PackageSource::Git {
            url: "git+https://github.com/example-org/internal-auth.git@9b2d4c1e7f3a5b8d0c6e2f4a1b3d5c7e9f0a2b4c".into()
        }
    );
    assert_eq!(auth.dependencies, ["requests"]);
    assert_eq!(get("six").version.as_deref(), Some("1.16.0"));
    assert!(
        found
            .files
            .iter()
            .any(|f| f.path.ends_with("six-1.16.0-py3.11.egg-info"))
    );
    // The dist-info without METADATA is reported, the rest still read.
    assert_eq!(found.problems.len(), 1, "{:#?}", found.problems);
    assert!(
        found.problems[0]
            .0
            .ends_with("broken-1.0.dist-info/METADATA")
    );
}

#[test]
fn layer_folders() {
    let found = read_installed(&data("layer"));
    let names: Vec<_> = found
        .files
        .iter()
        .map(|f| (f.package.name.as_str(), f.package.version.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("attrs", Some("23.2.0")), ("PyYAML", Some("6.0.1"))]
    );
    assert!(found.problems.is_empty());
    assert!(read_installed(&data("does-not-exist")).files.is_empty());
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(data("installed"), dir.path().join("python")).unwrap();
    std::os::unix::fs::symlink(
        data("installed/certifi-2023.11.17.dist-info"),
        dir.path().join("certifi-2023.11.17.dist-info"),
    )
    .unwrap();
    let meta = dir.path().join("x-1.0.dist-info");
    std::fs::create_dir(&meta).unwrap();
    std::os::unix::fs::symlink(
        data("installed/requests-2.31.0.dist-info/METADATA"),
        meta.join("METADATA"),
    )
    .unwrap();
    let found = read_installed(dir.path());
    assert!(found.files.is_empty());
    assert_eq!(found.problems.len(), 1);
}
