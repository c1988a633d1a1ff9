//! How long completing an upload spends turning a camera photo into its served sizes, and
//! how many bytes those sizes are next to the original. Run with `make bench` (release).

#[path = "../tests/shared/samples.rs"]
mod samples;

use std::time::{Duration, Instant};

use app::{domain::ImageType, dto::UploadPurpose};
use server::services::media::imaging::process;

const RUNS: u32 = 5;

fn main() {
    let original = samples::photo(4000, 3000);
    for purpose in [UploadPurpose::Post, UploadPurpose::Avatar] {
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let processed = process(&original, ImageType::Jpeg, purpose).expect("a photo");
                std::hint::black_box(processed);
                started.elapsed()
            })
            .collect();
        times.sort();
        let processed = process(&original, ImageType::Jpeg, purpose).expect("a photo");
        let served = processed.large.bytes.len() + processed.small.bytes.len();
        println!(
            "4000x3000 JPEG ({} bytes) as {purpose:?}: median {:.0} ms (min {:.0}, max {:.0}) over {RUNS} runs; \
             large {}x{} {} bytes, small {}x{} {} bytes; served {:.1}% of the original",
            original.len(),
            times[times.len() / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0,
            times[times.len() - 1].as_secs_f64() * 1000.0,
            processed.large.width,
            processed.large.height,
            processed.large.bytes.len(),
            processed.small.width,
            processed.small.height,
            processed.small.bytes.len(),
            100.0 * served as f64 / original.len() as f64,
        );
    }
}
