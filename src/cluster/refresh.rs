//! When the cluster view fetches again: every chosen interval while the page is visible,
//! backing off exponentially with jitter after failures, never while the tab is hidden.

/// The longest wait between attempts after repeated failures.
pub const BACKOFF_CAP_MS: f64 = 300_000.0;
/// How far jitter may move a retry, as a share of its delay (±20 %), so many panels
/// that failed together do not retry together.
pub const JITTER_SHARE: f64 = 0.2;

/// The refresh schedule's state. The caller supplies time and randomness, so tests
/// decide both.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshSchedule {
    /// `None` when auto-refresh is off.
    pub interval_ms: Option<f64>,
    pub hidden: bool,
    /// Failures since the last success.
    pub failures: u32,
    /// A number in [0, 1) drawn at the last failure; 0.5 means no shift.
    pub jitter: f64,
    /// When the last attempt finished (ms since the epoch), if any did.
    pub last_attempt_ms: Option<f64>,
}

impl RefreshSchedule {
    pub fn new(interval_ms: Option<f64>) -> Self {
        RefreshSchedule {
            interval_ms,
            hidden: false,
            failures: 0,
            jitter: 0.5,
            last_attempt_ms: None,
        }
    }

    pub fn succeeded(&mut self, at_ms: f64) {
        self.failures = 0;
        self.jitter = 0.5;
        self.last_attempt_ms = Some(at_ms);
    }

    /// `jitter` is a fresh random number in [0, 1).
    pub fn failed(&mut self, at_ms: f64, jitter: f64) {
        self.failures = self.failures.saturating_add(1);
        self.jitter = jitter.clamp(0.0, 1.0);
        self.last_attempt_ms = Some(at_ms);
    }

    /// The wait after the last attempt: the interval, doubled per failure up to
    /// [`BACKOFF_CAP_MS`] (or the interval, if that is longer), then moved by jitter.
    pub fn delay_ms(&self) -> Option<f64> {
        let interval = self.interval_ms?;
        if self.failures == 0 {
            return Some(interval);
        }
        let doublings = self.failures.min(16);
        let backed_off = interval * f64::from(1u32 << doublings);
        let capped = backed_off.min(BACKOFF_CAP_MS.max(interval));
        let shift = (self.jitter - 0.5) * 2.0 * JITTER_SHARE;
        Some(capped * (1.0 + shift))
    }

    /// When the next attempt is due, or `None` while auto-refresh is off or the page is
    /// hidden. Before any attempt, it is due at once.
    pub fn due_at_ms(&self) -> Option<f64> {
        if self.hidden {
            return None;
        }
        let delay = self.delay_ms()?;
        Some(self.last_attempt_ms.map_or(0.0, |last| last + delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after_failures(interval_s: f64, failures: u32, jitter: f64) -> Option<f64> {
        let mut schedule = RefreshSchedule::new(Some(interval_s * 1_000.0));
        for _ in 0..failures {
            schedule.failed(0.0, jitter);
        }
        schedule.delay_ms()
    }

    #[test]
    fn failures_double_the_delay_up_to_the_cap_with_jitter_around_it() {
        let cases = [
            (5.0, 0, 0.5, 5_000.0),
            (5.0, 0, 0.99, 5_000.0),
            (5.0, 1, 0.5, 10_000.0),
            (5.0, 2, 0.5, 20_000.0),
            (5.0, 3, 0.5, 40_000.0),
            (5.0, 3, 0.0, 32_000.0),
            (5.0, 3, 1.0, 48_000.0),
            (5.0, 10, 0.5, 300_000.0),
            (5.0, 1_000, 0.5, 300_000.0),
            (60.0, 3, 0.5, 300_000.0),
            (600.0, 1, 0.5, 600_000.0),
        ];
        for (interval, failures, jitter, expected) in cases {
            let delay = after_failures(interval, failures, jitter).unwrap();
            assert!(
                (delay - expected).abs() < 1e-6,
                "{interval} s, {failures} failures, jitter {jitter}: {delay}"
            );
        }
    }

    #[test]
    fn a_success_resets_the_backoff() {
        let mut schedule = RefreshSchedule::new(Some(10_000.0));
        schedule.failed(1_000.0, 0.9);
        schedule.failed(2_000.0, 0.9);

        schedule.succeeded(3_000.0);

        assert_eq!(schedule.due_at_ms(), Some(13_000.0));
    }

    #[test]
    fn nothing_is_due_while_off_or_hidden_and_the_first_fetch_is_due_at_once() {
        let mut schedule = RefreshSchedule::new(Some(5_000.0));
        assert_eq!(schedule.due_at_ms(), Some(0.0));

        schedule.hidden = true;
        assert_eq!(schedule.due_at_ms(), None);

        schedule.hidden = false;
        schedule.succeeded(100.0);
        assert_eq!(schedule.due_at_ms(), Some(5_100.0));

        schedule.interval_ms = None;
        assert_eq!(schedule.due_at_ms(), None);
    }
}
