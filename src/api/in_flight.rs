//! A cap on how many of the panel's requests are on the network at once. Signing in to
//! every node, reading fifty nodes' join status and four joins at a time would otherwise
//! all start together: an appliance behind a slow link then sees a burst, and the
//! browser queues what exceeds its own per-host limit where no time limit of ours can
//! tell queueing from a silent node. With the cap, requests beyond it wait here, in the
//! order they were made, and each one's time limit starts when it really leaves.

use std::cell::RefCell;
use std::collections::VecDeque;

use futures::channel::oneshot;

/// The most requests in flight at once: room for the four joins that may run together
/// plus a refresh, and never more than a browser opens to one host over HTTP/1.1.
pub const MAX_IN_FLIGHT: usize = 6;

#[derive(Default)]
struct Slots {
    busy: usize,
    waiting: VecDeque<oneshot::Sender<()>>,
}

thread_local! {
    // The page has one thread; a wasm build has no other.
    static SLOTS: RefCell<Slots> = RefCell::new(Slots::default());
}

/// The right to have one request in flight; the slot is handed on when dropped.
#[must_use = "the slot is released as soon as the permit is dropped"]
pub struct Permit(());

impl Drop for Permit {
    fn drop(&mut self) {
        release();
    }
}

/// Frees one slot: hands it straight to the oldest waiter still waiting (a waiter whose
/// request was abandoned has dropped its receiver and is skipped), else marks it free.
fn release() {
    SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        while let Some(next) = slots.waiting.pop_front() {
            if next.send(()).is_ok() {
                return;
            }
        }
        slots.busy = slots.busy.saturating_sub(1);
    });
}

/// A request waiting for a slot. A waiter can be handed a slot and then abandoned
/// before it runs again (the cluster view drops the questions it no longer needs once
/// one node answered): dropping it then gives that slot back, or it would be lost.
struct Waiter(Option<oneshot::Receiver<()>>);

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(mut handover) = self.0.take() {
            if let Ok(Some(())) = handover.try_recv() {
                release();
            }
        }
    }
}

/// Waits for a free slot.
pub async fn acquire() -> Permit {
    let handover = SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        if slots.busy < MAX_IN_FLIGHT {
            slots.busy += 1;
            return None;
        }
        let (handover, wait) = oneshot::channel();
        slots.waiting.push_back(handover);
        Some(wait)
    });
    if let Some(handover) = handover {
        let mut waiter = Waiter(Some(handover));
        if let Some(handover) = waiter.0.as_mut() {
            // A sender is only dropped unsent when the slots themselves go, with the
            // page.
            let _ = handover.await;
        }
        // The slot is the permit's from here on, not the waiter's.
        waiter.0 = None;
    }
    Permit(())
}

/// Requests in flight now (for tests).
pub fn busy() -> usize {
    SLOTS.with(|slots| slots.borrow().busy)
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    fn ready<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        match poll_once(future.as_mut()) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("a free slot must be granted at once"),
        }
    }

    #[test]
    fn requests_beyond_the_cap_wait_and_get_slots_in_order() {
        let mut held: Vec<Permit> = (0..MAX_IN_FLIGHT).map(|_| ready(acquire())).collect();
        let mut first = pin!(acquire());
        let mut second = pin!(acquire());

        let first_before = poll_once(first.as_mut()).is_pending();
        let second_before = poll_once(second.as_mut()).is_pending();
        drop(held.pop());
        let first_after = poll_once(first.as_mut());
        let second_after = poll_once(second.as_mut()).is_pending();

        assert!(first_before && second_before);
        assert!(matches!(first_after, Poll::Ready(_)));
        assert!(second_after, "only one slot was freed");
        assert_eq!(busy(), MAX_IN_FLIGHT);
    }

    #[test]
    fn a_waiter_abandoned_after_it_was_handed_a_slot_gives_the_slot_back() {
        let mut held: Vec<Permit> = (0..MAX_IN_FLIGHT).map(|_| ready(acquire())).collect();
        {
            let mut handed = pin!(acquire());
            assert!(poll_once(handed.as_mut()).is_pending());
            drop(held.pop());
        }

        drop(held);

        assert_eq!(busy(), 0);
    }

    #[test]
    fn an_abandoned_waiter_does_not_keep_a_slot() {
        let held: Vec<Permit> = (0..MAX_IN_FLIGHT).map(|_| ready(acquire())).collect();
        {
            let mut abandoned = pin!(acquire());
            assert!(poll_once(abandoned.as_mut()).is_pending());
        }

        drop(held);

        assert_eq!(busy(), 0);
        let again = ready(acquire());
        assert_eq!(busy(), 1);
        drop(again);
    }
}
