//! Medians, ratios and the printed report, with the budgets each figure is held to.

use std::fmt::Write as _;

/// The median of `samples` (the mean of the middle two for an even count).
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() % 2 {
        0 => (sorted[middle - 1] + sorted[middle]) / 2.0,
        _ => sorted[middle],
    }
}

/// How a figure must compare with its limit to pass.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// No budget: shown for information.
    None,
    /// The figure itself at most this.
    AtMost(f64),
    /// The ratio to the baseline at most this.
    RatioAtMost(f64),
}

/// One line of the report.
pub struct Figure {
    pub name: String,
    pub unit: &'static str,
    pub value: f64,
    /// What the same figure is for the baseline, measured in the same run.
    pub baseline: Option<f64>,
    pub budget: Budget,
    /// How many runs the median is over (1 for a figure that is not a timing).
    pub runs: usize,
}

impl Figure {
    pub fn ratio(&self) -> Option<f64> {
        self.baseline
            .filter(|b| *b > 0.0)
            .map(|baseline| self.value / baseline)
    }

    pub fn passes(&self) -> bool {
        match self.budget {
            Budget::None => true,
            Budget::AtMost(limit) => self.value <= limit,
            Budget::RatioAtMost(limit) => self.ratio().is_some_and(|ratio| ratio <= limit),
        }
    }

    fn budget_text(&self) -> String {
        match self.budget {
            Budget::None => String::new(),
            Budget::AtMost(limit) => format!("≤ {} {}", number(limit), self.unit),
            Budget::RatioAtMost(limit) => format!("≤ {limit:.2}×"),
        }
    }
}

fn number(value: f64) -> String {
    match value {
        v if !v.is_finite() => "n/a".to_owned(),
        v if v.abs() >= 100.0 || v.fract() == 0.0 => format!("{v:.0}"),
        v => format!("{v:.1}"),
    }
}

/// The report as a table a person reads, one figure per line.
pub fn report(figures: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<58} {:>12} {:>12} {:>7} {:>5} {:>12}  result",
        "figure", "panel", "baseline", "ratio", "runs", "budget"
    );
    for figure in figures {
        let value = format!("{} {}", number(figure.value), figure.unit);
        let baseline = figure
            .baseline
            .map(|b| format!("{} {}", number(b), figure.unit))
            .unwrap_or_default();
        let ratio = figure
            .ratio()
            .map(|r| format!("{r:.2}×"))
            .unwrap_or_default();
        let result = match (figure.budget, figure.passes()) {
            (Budget::None, _) => "",
            (_, true) => "ok",
            (_, false) => "OVER BUDGET",
        };
        let _ = writeln!(
            out,
            "{:<58} {:>12} {:>12} {:>7} {:>5} {:>12}  {result}",
            figure.name,
            value,
            baseline,
            ratio,
            figure.runs,
            figure.budget_text()
        );
    }
    out
}
