//! Drives one remote operation to its end: send, wait, look a lost create up, give up.
//!
//! Sans-IO in the style of quinn-proto: the caller asks [`Driver::poll`] what to do now (send this
//! request, wait until then, or it is over) and feeds each answer back with [`Driver::handle`]. It
//! owns the network, the clock and the randomness; every rule of when to try again lives here, so
//! the popup, the background worker and the relay drive the same loop.
//!
//! ```text
//! loop {
//!     match driver.poll(now) {
//!         Poll::Send(request) => driver.handle(send(request), now, jitter),
//!         Poll::Wait { until_ms } => sleep(until_ms - now),
//!         Poll::Done(output) => return Ok(output),
//!         Poll::Failed(error) => return Err(error),
//!     }
//! }
//! ```

use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::retry::{Attempt, CreateStep, RetryDecision, RetryPolicy};

/// What one sent request came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A response arrived, whatever its status.
    Response(HttpResponse),
    /// The request got no answer (it may or may not have been processed); what the transport said.
    NetworkError(String),
}

/// What the caller should do now.
#[derive(Debug, Clone, PartialEq)]
pub enum Poll<T> {
    /// Send this request and [`Driver::handle`] what comes back.
    Send(HttpRequest),
    /// Nothing to send before this Unix time in milliseconds; poll again then.
    Wait {
        /// When to poll again.
        until_ms: u64,
    },
    /// The operation succeeded.
    Done(T),
    /// The operation failed for good; retrying will not help, or the retry budget is spent.
    Failed(CoreError),
}

/// One kind of remote operation: which request comes next and what an answer means. The
/// [`Driver`] adds the waiting and the giving up.
pub trait Operation {
    /// What the operation yields.
    type Output: Clone;

    /// The request to send now.
    fn request(&self) -> HttpRequest;

    /// The method the retry policy judges a failed attempt by: a create made safe to repeat
    /// counts as idempotent.
    fn retry_method(&self) -> Method;

    /// Reads the outcome of the request last returned by [`Operation::request`].
    fn handle(&mut self, outcome: Attempt<'_>) -> CreateStep<Self::Output>;

    /// What the operation comes to when the driver stops retrying after `response`.
    fn give_up(&self, response: &HttpResponse) -> Result<Self::Output, CoreError>;
}

/// One request, retried as its method allows: an idempotent one (a read, a `PUT`, a `DELETE`) on
/// rate limits, 5xx and network failures, any other only on rate limits. It yields the last
/// response, whatever its status, for the provider to read: a refusal becomes the provider's
/// typed error there.
#[derive(Debug, Clone)]
pub struct Fetch {
    request: HttpRequest,
    retry_method: Method,
}

impl Fetch {
    /// Sends `request`, again as the policy allows for its method.
    pub fn new(request: HttpRequest) -> Fetch {
        let retry_method = request.method;
        Fetch {
            request,
            retry_method,
        }
    }

    /// Sends `request`, a write that adds something each time it lands (a comment is a `PUT` in
    /// Zendesk), so it is sent again only when the service desk surely did not take it: a rate
    /// limit. A 5xx or a dropped connection leaves it to the user, who sees the failure.
    pub fn appending(request: HttpRequest) -> Fetch {
        Fetch {
            request,
            retry_method: Method::Post,
        }
    }
}

impl Operation for Fetch {
    type Output = HttpResponse;

    fn request(&self) -> HttpRequest {
        self.request.clone()
    }

    fn retry_method(&self) -> Method {
        self.retry_method
    }

    fn handle(&mut self, outcome: Attempt<'_>) -> CreateStep<HttpResponse> {
        match outcome {
            Attempt::Response(response) if !is_transient(response) => {
                CreateStep::Done(Box::new(response.clone()))
            }
            _ => CreateStep::Again,
        }
    }

    fn give_up(&self, response: &HttpResponse) -> Result<HttpResponse, CoreError> {
        Ok(response.clone())
    }
}

/// Runs an [`Operation`] under a [`RetryPolicy`].
#[derive(Debug, Clone)]
pub struct Driver<Op: Operation> {
    operation: Op,
    policy: RetryPolicy,
    n_attempts: u32,
    state: State<Op::Output>,
    /// The failure that sent a create looking for its record, while the lookup is under way.
    failure: Option<Outcome>,
}

#[derive(Debug, Clone)]
enum State<T> {
    /// The next poll sends a request.
    Ready,
    /// A request is out; waiting for [`Driver::handle`].
    InFlight,
    /// Backing off until this time.
    Waiting { until_ms: u64 },
    /// Over.
    Finished(Result<T, CoreError>),
}

impl<Op: Operation> Driver<Op> {
    /// Starts `operation`; the first poll sends its first request.
    pub fn new(operation: Op, policy: RetryPolicy) -> Driver<Op> {
        Driver {
            operation,
            policy,
            n_attempts: 0,
            state: State::Ready,
            failure: None,
        }
    }

    /// What to do at `now_ms`. Poll once per answer: polling while a request is out hands the
    /// same request out again.
    pub fn poll(&mut self, now_ms: u64) -> Poll<Op::Output> {
        match &self.state {
            State::Finished(Ok(output)) => Poll::Done(output.clone()),
            State::Finished(Err(error)) => Poll::Failed(error.clone()),
            State::Waiting { until_ms } if now_ms < *until_ms => Poll::Wait {
                until_ms: *until_ms,
            },
            State::Waiting { .. } | State::Ready | State::InFlight => {
                self.state = State::InFlight;
                Poll::Send(self.operation.request())
            }
        }
    }

    /// Takes the outcome of the request the last [`Driver::poll`] returned. `now_ms` is the time
    /// it arrived; `jitter` a random number in `[0, 1)` that spreads back-offs.
    pub fn handle(&mut self, outcome: Outcome, now_ms: u64, jitter: f64) {
        if !matches!(self.state, State::InFlight) {
            // No request was out: an answer to nothing changes nothing.
            return;
        }
        self.n_attempts += 1;
        match self.operation.handle(attempt(&outcome)) {
            CreateStep::Done(output) => {
                self.state = State::Finished(Ok(*output));
                return;
            }
            CreateStep::Failed(error) => {
                self.state = State::Finished(Err(error));
                return;
            }
            CreateStep::Again => {}
        }
        // A lookup that found nothing is no failure of its own: whether to create again follows
        // the failure that made the operation look, and that failure is what the user sees on
        // giving up.
        let found_nothing =
            matches!(&outcome, Outcome::Response(response) if !is_transient(response));
        let cause = match (self.failure.take(), found_nothing) {
            (Some(earlier), true) => earlier,
            // Looked first (a report retried from a queue) and nothing was there: nothing failed
            // yet, so the create goes out now.
            (None, true) => {
                self.state = State::Ready;
                return;
            }
            (_, false) => outcome,
        };
        let decision = self.policy.decide(
            self.operation.retry_method(),
            self.n_attempts,
            attempt(&cause),
            now_ms,
            jitter,
        );
        self.state = match decision {
            RetryDecision::RetryAfter(wait_ms) => State::Waiting {
                until_ms: now_ms.saturating_add(wait_ms),
            },
            RetryDecision::GiveUp => State::Finished(match &cause {
                Outcome::Response(response) => self.operation.give_up(response),
                Outcome::NetworkError(message) => Err(CoreError::Network {
                    message: message.clone(),
                }),
            }),
        };
        self.failure = Some(cause);
    }

    /// How many requests have been answered so far.
    pub fn n_attempts(&self) -> u32 {
        self.n_attempts
    }
}

/// Whether a response says "not now" rather than "this is the answer": a rate limit or a failure
/// on the server's side.
fn is_transient(response: &HttpResponse) -> bool {
    response.status == 429 || response.status >= 500
}

fn attempt(outcome: &Outcome) -> Attempt<'_> {
    match outcome {
        Outcome::Response(response) => Attempt::Response(response),
        Outcome::NetworkError(_) => Attempt::NetworkError,
    }
}

#[cfg(test)]
mod tests;
