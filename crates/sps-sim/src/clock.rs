//! The simulation clock: real time scaled by a settable speed, so tests can live through
//! twenty minutes of session idleness or a join delay in a fraction of a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// A point in simulated time, measured from the moment the fleet started.
pub type SimTime = Duration;

/// Where simulated time stops: a thousand years, far beyond any test or demo, and far
/// short of what a `Duration` or the calendar (year 9999) can hold, so that no speed or
/// jump the control API accepts can make the clock, or arithmetic on its times, overflow.
pub const END_OF_TIME: SimTime = Duration::from_secs(1000 * 365 * 24 * 60 * 60);

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
        state.at(Instant::now())
    }

    pub fn speed(&self) -> f64 {
        self.lock().speed
    }

    pub fn set_speed(&self, speed: f64) {
        let mut state = self.lock();
        let real_now = Instant::now();
        let now = state.at(real_now);
        *state = ClockState {
            real_anchor: real_now,
            sim_anchor: now,
            speed: sanitize_speed(speed),
        };
    }

    /// Jumps simulated time forward, for tests that want an expiry without waiting; no
    /// further than [`END_OF_TIME`].
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.sim_anchor = state.sim_anchor.saturating_add(by).min(END_OF_TIME);
    }

    /// The UTC wall time of a simulated instant, in ISO 8601.
    pub fn iso(&self, at: SimTime) -> String {
        time::Duration::try_from(at)
            .ok()
            .and_then(|at| self.epoch.checked_add(at))
            .and_then(|when| when.format(ISO_UTC).ok())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // The state is plain data that is always left consistent, so a panic elsewhere
        // while holding the lock cannot have corrupted it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl ClockState {
    /// Simulated time at the real instant `real`, stopping at [`END_OF_TIME`] however
    /// fast the clock runs.
    fn at(&self, real: Instant) -> SimTime {
        let real = real.saturating_duration_since(self.real_anchor);
        let run =
            Duration::try_from_secs_f64(real.as_secs_f64() * self.speed).unwrap_or(END_OF_TIME);
        self.sim_anchor.saturating_add(run).min(END_OF_TIME)
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
    fn no_speed_or_jump_takes_the_clock_past_the_end_of_time() {
        let clock = SimClock::new(f64::MAX);
        std::thread::sleep(Duration::from_millis(2));

        assert_eq!(clock.now(), END_OF_TIME);
        clock.set_speed(1.0);
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);

        assert_eq!(clock.now(), END_OF_TIME);
        assert!(clock.iso(clock.now()).starts_with("30"));
        assert_eq!(clock.iso(Duration::MAX), "1970-01-01T00:00:00Z");
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
