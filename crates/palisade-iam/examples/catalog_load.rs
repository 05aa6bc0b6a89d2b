//! How long loading the embedded IAM action catalog takes (the cost paid once per run, on the
//! first IAM question): `cargo run --release -p palisade-iam --example catalog_load`.

use std::time::Instant;

fn main() {
    const RUNS: usize = 50;
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let c = palisade_iam::parse_embedded_catalog();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(c.action_count());
            ms
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let c = palisade_iam::catalog();
    println!(
        "catalog: {} services, {} actions; load in {:.2} ms (median of {RUNS}), min {:.2} ms, max {:.2} ms",
        c.services.len(),
        c.action_count(),
        times.get(RUNS / 2).copied().unwrap_or_default(),
        times.first().copied().unwrap_or_default(),
        times.last().copied().unwrap_or_default(),
    );
}
