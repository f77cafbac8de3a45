//! The bundle's size: every wasm, JS and CSS file trunk wrote, raw and compressed as a
//! server would send them (gzip -9, brotli -11), beside the hand-written baseline page.

use std::io::Write as _;
use std::path::Path;

use crate::stats::{Budget, Figure};

/// The most the panel may weigh on the wire, brotli-compressed, in KB.
const BROTLI_BUDGET_KB: f64 = 150.0;

#[derive(Default, Clone, Copy)]
struct Sizes {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, other: Sizes) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

fn sizes_of(bytes: &[u8]) -> Sizes {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes).expect("gzip in memory");
    let gzip = gzip.finish().expect("gzip in memory").len();
    let mut brotli = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut brotli, &params).expect("brotli in memory");
    Sizes {
        raw: bytes.len(),
        gzip,
        brotli: brotli.len(),
    }
}

/// The sizes of the files in `dir` whose names end in `extension`, summed.
fn sizes_in(dir: &Path, extension: &str) -> Sizes {
    let mut total = Sizes::default();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some(extension) {
            let bytes = std::fs::read(&path).expect("reading a bundle file");
            total += sizes_of(&bytes);
        }
    }
    total
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

pub fn figures(dist: &Path, baseline: &Path) -> Vec<Figure> {
    let mut figures = Vec::new();
    let mut panel_total = Sizes::default();
    let mut baseline_total = Sizes::default();
    for extension in ["wasm", "js", "css"] {
        let panel = sizes_in(dist, extension);
        let hand_written = sizes_in(baseline, extension);
        panel_total += panel;
        baseline_total += hand_written;
        let rows = [
            ("raw", panel.raw, hand_written.raw),
            ("gzip", panel.gzip, hand_written.gzip),
            ("brotli", panel.brotli, hand_written.brotli),
        ];
        for (how, panel, hand_written) in rows {
            figures.push(Figure {
                name: format!("bundle: {extension}, {how}"),
                unit: "KB",
                value: kb(panel),
                baseline: (hand_written > 0).then(|| kb(hand_written)),
                budget: Budget::None,
                runs: 1,
            });
        }
    }
    figures.push(Figure {
        name: "bundle: wasm + JS + CSS, gzip".to_owned(),
        unit: "KB",
        value: kb(panel_total.gzip),
        baseline: Some(kb(baseline_total.gzip)),
        budget: Budget::None,
        runs: 1,
    });
    figures.push(Figure {
        name: "bundle: wasm + JS + CSS, brotli".to_owned(),
        unit: "KB",
        value: kb(panel_total.brotli),
        baseline: Some(kb(baseline_total.brotli)),
        budget: Budget::AtMost(BROTLI_BUDGET_KB),
        runs: 1,
    });
    figures
}
