//! One change at a time to a value the background worker keeps in storage: each change loads,
//! changes and saves it across awaits, and two interleaved would lose one's change.

use std::cell::RefCell;
use std::task::{Poll, Waker};

/// Whether a lock is held, and who waits for it.
pub type LockState = RefCell<(bool, Vec<Waker>)>;

/// A held lock; dropping it lets the next waiter in.
pub struct StorageLock(&'static std::thread::LocalKey<LockState>);

impl StorageLock {
    /// Waits until `slot` is free and holds it.
    pub async fn acquire(slot: &'static std::thread::LocalKey<LockState>) -> StorageLock {
        std::future::poll_fn(|context| {
            slot.with_borrow_mut(|(held, waiting)| match held {
                true => {
                    waiting.push(context.waker().clone());
                    Poll::Pending
                }
                false => {
                    *held = true;
                    Poll::Ready(StorageLock(slot))
                }
            })
        })
        .await
    }
}

impl Drop for StorageLock {
    fn drop(&mut self) {
        let waiting = self.0.with_borrow_mut(|(held, waiting)| {
            *held = false;
            std::mem::take(waiting)
        });
        waiting.into_iter().for_each(Waker::wake);
    }
}
