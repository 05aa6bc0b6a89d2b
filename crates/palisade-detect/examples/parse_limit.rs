//! The practical limit `palisade detect` is measured against (see `bench/detect_bench.py`):
//! the same files, walked and read the same way (gzip, the streaming `Records` reader, files in
//! parallel), with no detection at all.
//!
//!     cargo run --release -p palisade-detect --example parse_limit -- inflate|value|typed PATH…
//!
//! - `inflate`: decompress only; prints the uncompressed bytes.
//! - `value`: decompress and parse every record into a `serde_json::Value` (every field read).
//! - `typed`: decompress and parse every record into Palisade's typed, borrowed event.

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let inputs: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let (files, _) = palisade_detect::collect_files(&inputs);
    let records = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let started = std::time::Instant::now();
    files.par_iter().for_each(|(path, _)| match mode.as_str() {
        "inflate" => {
            let Ok(file) = std::fs::File::open(path) else {
                return;
            };
            let mut reader = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
            let mut buf = vec![0u8; 1 << 16];
            let mut n = 0u64;
            while let Ok(read) = reader.read(&mut buf) {
                if read == 0 {
                    break;
                }
                n += read as u64;
            }
            bytes.fetch_add(n, Ordering::Relaxed);
        }
        "value" | "typed" => {
            let typed = mode == "typed";
            let mut n = 0u64;
            let mut b = 0u64;
            palisade_logs::read_cloudtrail(path, &mut |record| {
                let raw = record.json.get();
                b += raw.len() as u64;
                let ok = if typed {
                    palisade_detect::CloudTrailEvent::parse(raw).is_ok()
                } else {
                    serde_json::from_str::<serde_json::Value>(raw).is_ok()
                };
                n += u64::from(ok);
            });
            records.fetch_add(n, Ordering::Relaxed);
            bytes.fetch_add(b, Ordering::Relaxed);
        }
        _ => {}
    });
    if !matches!(mode.as_str(), "inflate" | "value" | "typed") {
        eprintln!("usage: parse_limit inflate|value|typed PATH…");
        std::process::exit(2);
    }
    println!(
        "{{\"mode\":\"{mode}\",\"files\":{},\"records\":{},\"bytes\":{},\"secs\":{:.3},\"threads\":{}}}",
        files.len(),
        records.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
}
