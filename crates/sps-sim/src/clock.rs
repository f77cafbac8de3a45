//! The simulation clock: real time scaled by a settable speed, so tests can live through
//! twenty minutes of session idleness or a join delay in a fraction of a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// A point in simulated time, measured from the moment the fleet started.
pub type SimTime = Duration;

const ISO_UTC: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Simulated time runs `speed` times as fast as real time. Changing the speed rebases
/// the clock, so simulated time never jumps or runs backwards.
#[derive(Debug)]
pub struct SimClock {
    /// The real UTC time at which simulated time 0 happened; `last_seen` values and
    /// request log times are this plus simulated time.
    epoch: OffsetDateTime,
    inner: Mutex<ClockState>,
}

#[derive(Debug, Clone, Copy)]
struct ClockState {
    real_anchor: Instant,
    sim_anchor: SimTime,
    speed: f64,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        SimClock {
            epoch: OffsetDateTime::now_utc(),
            inner: Mutex::new(ClockState {
                real_anchor: Instant::now(),
                sim_anchor: Duration::ZERO,
                speed: sanitize_speed(speed),
            }),
        }
    }

    pub fn now(&self) -> SimTime {
        let state = *self.lock();
        state.sim_anchor + state.real_anchor.elapsed().mul_f64(state.speed)
    }

    pub fn speed(&self) -> f64 {
        self.lock().speed
    }

    pub fn set_speed(&self, speed: f64) {
        let mut state = self.lock();
        let now = state.sim_anchor + state.real_anchor.elapsed().mul_f64(state.speed);
        *state = ClockState {
            real_anchor: Instant::now(),
            sim_anchor: now,
            speed: sanitize_speed(speed),
        };
    }

    /// Jumps simulated time forward, for tests that want an expiry without waiting.
    pub fn advance(&self, by: Duration) {
        self.lock().sim_anchor += by;
    }

    /// The UTC wall time of a simulated instant, in ISO 8601.
    pub fn iso(&self, at: SimTime) -> String {
        let when = self.epoch + at;
        when.format(ISO_UTC)
            .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // The state is plain data that is always left consistent, so a panic elsewhere
        // while holding the lock cannot have corrupted it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A negative, zero or non-finite speed would stop or reverse time; the smallest useful
/// speed is kept instead.
fn sanitize_speed(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_clock_runs_ahead_of_real_time() {
        let clock = SimClock::new(1000.0);

        std::thread::sleep(Duration::from_millis(20));

        assert!(clock.now() >= Duration::from_secs(10));
    }

    #[test]
    fn changing_speed_keeps_time_monotonic() {
        let clock = SimClock::new(1000.0);
        std::thread::sleep(Duration::from_millis(5));
        let before = clock.now();

        clock.set_speed(1.0);

        assert!(clock.now() >= before);
    }

    #[test]
    fn advance_moves_time_forward_and_iso_is_utc() {
        let clock = SimClock::new(1.0);

        clock.advance(Duration::from_secs(3600));

        assert!(clock.now() >= Duration::from_secs(3600));
        let iso = clock.iso(clock.now());
        assert!(iso.ends_with('Z') && iso.len() == 20, "{iso}");
    }
}
