//! Live fan-out: each open socket of a visitor gets what happens in their conversations.
//!
//! Only a wake-up travels here; what was said is in the store. A socket that falls behind is
//! closed, and its panel reconnects and reads from the store after the last sequence it saw.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use flare_core::chat::protocol::ServerFrame;
use tokio::sync::broadcast;

/// How many frames a socket may fall behind before it is closed and left to resume: a burst of a
/// few messages, not a download (each slot costs every open socket memory).
const BACKLOG: usize = 16;

/// The visitors' channels.
#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<Arc<ServerFrame>>>>,
}

impl Hub {
    /// Frames for `visitor_id` from now on.
    pub fn subscribe(&self, visitor_id: &str) -> broadcast::Receiver<Arc<ServerFrame>> {
        self.lock()
            .entry(visitor_id.to_owned())
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }

    /// Sends `frame` to every open socket of `visitor_id`; how many got it.
    pub fn publish(&self, visitor_id: &str, frame: ServerFrame) -> usize {
        let mut channels = self.lock();
        let Some(sender) = channels.get(visitor_id) else {
            return 0;
        };
        match sender.send(Arc::new(frame)) {
            Ok(n_sockets) => n_sockets,
            Err(_) => {
                // Nobody listens any more.
                channels.remove(visitor_id);
                0
            }
        }
    }

    /// Forgets the visitor's channel once their last socket is gone.
    pub fn release(&self, visitor_id: &str) {
        let mut channels = self.lock();
        if channels
            .get(visitor_id)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            channels.remove(visitor_id);
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, broadcast::Sender<Arc<ServerFrame>>>> {
        self.channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
