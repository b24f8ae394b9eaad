//! The scripted assistant: buttons and keywords, no language model.
//!
//! It walks a visitor through one of the seeds' actions (report a problem, make a request, check
//! a ticket, list my open tickets, comment on one, talk to a person) and says which
//! [`Action`] their answers come to; the relay carries it out and hands the [`Outcome`] back.
//! Its state is a plain value the relay keeps with the conversation, so a restarted relay picks
//! up where the visitor was.

use serde::{Deserialize, Serialize};

use crate::chat::phrases::Phrase;

/// The assistant of one conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assistant {
    step: Step,
}

/// The service desk behind the site: it decides the words and which actions exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Desk {
    /// ServiceNow: incidents and requests.
    ServiceNow,
    /// Zendesk: tickets.
    Zendesk,
}

/// Who the assistant talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    /// The desk behind the site.
    pub desk: Desk,
    /// Whether the host site vouched for the visitor; only they see and act on tickets.
    pub verified: bool,
}

/// What the visitor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// They typed this.
    Text(&'a str),
    /// They pressed the quick reply with this value.
    Reply(&'a str),
}

/// What the assistant says in one message: a phrase and the buttons under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    /// The words.
    pub phrase: Phrase,
    /// The buttons: the phrase each shows and the value it sends.
    pub choices: Vec<(Phrase, &'static str)>,
}

/// What the assistant answers to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Its messages, in order.
    pub says: Vec<Say>,
    /// What the relay should do now; its outcome goes to [`Assistant::after`].
    pub action: Option<Action>,
}

/// A ticket action the visitor's answers came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// File an incident (ServiceNow) or a ticket (Zendesk) for the visitor.
    FileIncident(Report),
    /// File a request for the visitor (ServiceNow).
    FileRequest(Report),
    /// Show one of the visitor's tickets by its number.
    LookUp {
        /// The number as the visitor wrote it, trimmed.
        number: String,
    },
    /// List the visitor's open tickets.
    ListMine,
    /// Add the visitor's comment to one of their tickets.
    Comment {
        /// The ticket's number.
        number: String,
        /// The comment.
        text: String,
    },
    /// Hand the conversation to a person.
    HandOff,
    /// Nobody could come: file a ticket with the conversation so far.
    FileTranscript,
}

/// What the visitor wants filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// One line.
    pub title: String,
    /// The details.
    pub description: String,
    /// How much it holds them up.
    pub urgency: Urgency,
}

/// How urgent the visitor says it is (ServiceNow urgency 1-3; Zendesk priority).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// It stops their work.
    High,
    /// It slows them down.
    Medium,
    /// It can wait.
    Low,
}

/// What came of an [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A ticket was filed: its number.
    Filed {
        /// The number people quote.
        number: String,
    },
    /// The ticket looked up.
    Found,
    /// The visitor's open tickets were listed; how many.
    Listed {
        /// How many.
        n_tickets: usize,
    },
    /// The comment was added.
    Commented,
    /// No ticket of the visitor's has that number.
    NotFound,
    /// The service desk could not be reached or refused; nothing was done.
    Failed,
    /// A person was asked for at `now_ms`; the conversation waits for them.
    Queued {
        /// When, Unix milliseconds.
        now_ms: u64,
    },
    /// Nobody can come now: the visitor is offered a ticket instead.
    NobodyAvailable,
    /// The site has no live agents connected to the chat.
    NoRoute,
    /// The service desk has no user with the visitor's email address.
    UnknownVisitor,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
enum Step {
    #[default]
    Menu,
    Title {
        request: bool,
    },
    Description {
        request: bool,
        title: String,
    },
    Urgency {
        title: String,
        description: String,
    },
    LookUp,
    CommentNumber,
    CommentText {
        number: String,
    },
    /// Queued for a person since `since_ms`, or with one once they joined.
    WithPerson {
        agent: Option<String>,
        since_ms: u64,
    },
    /// Nobody came: a ticket with the conversation is offered.
    OfferTicket,
}

/// The menu's quick replies' values.
const REPORT: &str = "report";
const REQUEST: &str = "request";
const LOOK_UP: &str = "look_up";
const LIST: &str = "list";
const COMMENT: &str = "comment";
const PERSON: &str = "person";
const CANCEL: &str = "cancel";
const FILE_TRANSCRIPT: &str = "file_transcript";
const HIGH: &str = "high";
const MEDIUM: &str = "medium";
const LOW: &str = "low";

impl Assistant {
    /// The greeting that opens a conversation, with the menu.
    pub fn greet(audience: Audience) -> Vec<Say> {
        vec![
            Say::plain(Phrase::Greeting),
            Say {
                phrase: Phrase::WhatCanIDo,
                choices: menu(audience),
            },
        ]
    }

    /// Whether a person has the conversation (or is being found); the assistant then stays quiet.
    pub fn with_person(&self) -> bool {
        matches!(self.step, Step::WithPerson { .. })
    }

    /// The person who joined, by name.
    pub fn agent(&self) -> Option<&str> {
        match &self.step {
            Step::WithPerson { agent, .. } => agent.as_deref(),
            _ => None,
        }
    }

    /// Since when the visitor waits for a person nobody has been yet (Unix milliseconds).
    pub fn waiting_since(&self) -> Option<u64> {
        match &self.step {
            Step::WithPerson {
                agent: None,
                since_ms,
            } => Some(*since_ms),
            _ => None,
        }
    }

    /// A person joined the conversation.
    pub fn agent_joined(&mut self, name: &str) {
        let since_ms = match &self.step {
            Step::WithPerson { since_ms, .. } => *since_ms,
            _ => 0,
        };
        self.step = Step::WithPerson {
            agent: Some(name.to_owned()),
            since_ms,
        };
    }

    /// Answers what the visitor did.
    pub fn handle(&mut self, input: Input<'_>, audience: Audience) -> Turn {
        if self.with_person() {
            return Turn::silent();
        }
        let text = match input {
            Input::Text(text) | Input::Reply(text) => text.trim(),
        };
        if is_cancel(input) {
            self.step = Step::Menu;
            return Turn::say(vec![Say {
                phrase: Phrase::Cancelled,
                choices: menu(audience),
            }]);
        }
        match std::mem::take(&mut self.step) {
            Step::Menu => self.choose(input, audience),
            Step::Title { request } => {
                self.step = Step::Description {
                    request,
                    title: text.to_owned(),
                };
                Turn::say(vec![Say::cancellable(Phrase::AskDescription)])
            }
            Step::Description {
                request: true,
                title,
            } => Turn::act(Action::FileRequest(Report {
                title,
                description: text.to_owned(),
                urgency: Urgency::Medium,
            })),
            Step::Description {
                request: false,
                title,
            } => {
                self.step = Step::Urgency {
                    title,
                    description: text.to_owned(),
                };
                Turn::say(vec![Say {
                    phrase: Phrase::AskUrgency,
                    choices: vec![
                        (Phrase::UrgencyHigh, HIGH),
                        (Phrase::UrgencyMedium, MEDIUM),
                        (Phrase::UrgencyLow, LOW),
                        (Phrase::Cancel, CANCEL),
                    ],
                }])
            }
            Step::Urgency { title, description } => match urgency(text) {
                Some(urgency) => Turn::act(Action::FileIncident(Report {
                    title,
                    description,
                    urgency,
                })),
                None => {
                    self.step = Step::Urgency { title, description };
                    Turn::say(vec![Say::cancellable(Phrase::PickUrgency)])
                }
            },
            Step::LookUp => Turn::act(Action::LookUp {
                number: text.to_owned(),
            }),
            Step::CommentNumber => {
                self.step = Step::CommentText {
                    number: text.to_owned(),
                };
                Turn::say(vec![Say::cancellable(Phrase::AskComment)])
            }
            Step::CommentText { number } => Turn::act(Action::Comment {
                number,
                text: text.to_owned(),
            }),
            Step::WithPerson { agent, since_ms } => {
                self.step = Step::WithPerson { agent, since_ms };
                Turn::silent()
            }
            Step::OfferTicket => match (input, text.to_lowercase().as_str()) {
                (Input::Reply(FILE_TRANSCRIPT), _) | (Input::Text(_), "yes" | "ja" | "ok") => {
                    Turn::act(Action::FileTranscript)
                }
                _ => self.choose(input, audience),
            },
        }
    }

    /// Answers what came of the action [`Assistant::handle`] asked for.
    pub fn after(&mut self, outcome: &Outcome, audience: Audience) -> Vec<Say> {
        let (phrase, step) = match outcome {
            Outcome::Filed { number } => (
                Phrase::Filed {
                    number: number.clone(),
                },
                Step::Menu,
            ),
            Outcome::Found => (Phrase::HereItIs, Step::Menu),
            Outcome::Listed { n_tickets: 0 } => (Phrase::NoOpenTickets, Step::Menu),
            Outcome::Listed { .. } => (Phrase::YourOpenTickets, Step::Menu),
            Outcome::Commented => (Phrase::CommentAdded, Step::Menu),
            Outcome::NotFound => (Phrase::NotFound, Step::Menu),
            Outcome::Failed => (Phrase::DeskUnavailable, Step::Menu),
            Outcome::Queued { now_ms } => (
                Phrase::FindingPerson,
                Step::WithPerson {
                    agent: None,
                    since_ms: *now_ms,
                },
            ),
            Outcome::NobodyAvailable => (Phrase::NobodyAvailable, Step::OfferTicket),
            Outcome::NoRoute => (Phrase::NoRoute, Step::Menu),
            Outcome::UnknownVisitor => (Phrase::UnknownVisitor, Step::Menu),
        };
        self.step = step;
        match self.step {
            Step::WithPerson { .. } => vec![Say::plain(phrase)],
            Step::OfferTicket => vec![Say {
                phrase,
                choices: vec![
                    (Phrase::FileTicket, FILE_TRANSCRIPT),
                    (Phrase::NoThanks, CANCEL),
                ],
            }],
            _ => vec![Say {
                phrase,
                choices: menu(audience),
            }],
        }
    }

    /// The person left or the conversation went back to the assistant.
    pub fn back_from_person(&mut self) {
        self.step = Step::Menu;
    }

    fn choose(&mut self, input: Input<'_>, audience: Audience) -> Turn {
        let Some(choice) = menu_choice(input, audience) else {
            return Turn::say(vec![Say {
                phrase: Phrase::NotUnderstood,
                choices: menu(audience),
            }]);
        };
        let needs_verified = choice != PERSON;
        if needs_verified && !audience.verified {
            return Turn::say(vec![Say {
                phrase: Phrase::SignInFirst,
                choices: vec![(Phrase::MenuPerson, PERSON)],
            }]);
        }
        match choice {
            REPORT => self.ask(Step::Title { request: false }, Phrase::AskTitle),
            REQUEST => self.ask(Step::Title { request: true }, Phrase::AskRequestTitle),
            LOOK_UP => match ticket_number(input) {
                Some(number) => Turn::act(Action::LookUp { number }),
                None => self.ask(Step::LookUp, Phrase::AskNumber),
            },
            LIST => Turn::act(Action::ListMine),
            COMMENT => self.ask(Step::CommentNumber, Phrase::AskCommentNumber),
            _ => Turn::act(Action::HandOff),
        }
    }

    fn ask(&mut self, step: Step, phrase: Phrase) -> Turn {
        self.step = step;
        Turn::say(vec![Say::cancellable(phrase)])
    }
}

impl Say {
    fn plain(phrase: Phrase) -> Say {
        Say {
            phrase,
            choices: vec![],
        }
    }

    fn cancellable(phrase: Phrase) -> Say {
        Say {
            phrase,
            choices: vec![(Phrase::Cancel, CANCEL)],
        }
    }
}

impl Turn {
    fn say(says: Vec<Say>) -> Turn {
        Turn { says, action: None }
    }

    fn act(action: Action) -> Turn {
        Turn {
            says: vec![],
            action: Some(action),
        }
    }

    fn silent() -> Turn {
        Turn::say(vec![])
    }
}

fn menu(audience: Audience) -> Vec<(Phrase, &'static str)> {
    let mut choices = vec![(Phrase::MenuReport, REPORT)];
    if audience.desk == Desk::ServiceNow {
        choices.push((Phrase::MenuRequest, REQUEST));
    }
    choices.extend([
        (Phrase::MenuLookUp, LOOK_UP),
        (Phrase::MenuList, LIST),
        (Phrase::MenuComment, COMMENT),
        (Phrase::MenuPerson, PERSON),
    ]);
    choices
}

/// The menu entry a button or typed words pick, by keyword in English or German.
fn menu_choice(input: Input<'_>, audience: Audience) -> Option<&'static str> {
    let offered = menu(audience);
    if let Input::Reply(value) = input {
        return offered
            .iter()
            .map(|(_, offered_value)| *offered_value)
            .find(|offered_value| *offered_value == value);
    }
    if ticket_number(input).is_some() {
        return Some(LOOK_UP);
    }
    let Input::Text(text) = input else {
        return None;
    };
    let words = text.to_lowercase();
    let has = |keywords: &[&str]| keywords.iter().any(|keyword| words.contains(keyword));
    let choice = if has(&[
        "person",
        "human",
        "agent",
        "someone",
        "mensch",
        "mitarbeiter",
    ]) {
        PERSON
    } else if has(&["comment", "kommentar"]) {
        COMMENT
    } else if has(&["my tickets", "list", "meine tickets", "liste"]) {
        LIST
    } else if has(&["status", "check", "look up", "prüfen"]) {
        LOOK_UP
    } else if has(&[
        "request",
        "need",
        "order",
        "anfrage",
        "bestellen",
        "brauche",
    ]) {
        REQUEST
    } else if has(&[
        "report", "problem", "broken", "issue", "error", "melden", "fehler", "kaputt",
    ]) {
        REPORT
    } else {
        return None;
    };
    offered
        .iter()
        .map(|(_, offered_value)| *offered_value)
        .find(|offered_value| *offered_value == choice)
}

/// A ticket number in what the visitor typed: `INC0010001`, `REQ0010001`, `RITM0010001`, `#42`.
fn ticket_number(input: Input<'_>) -> Option<String> {
    let Input::Text(text) = input else {
        return None;
    };
    text.split(|character: char| character.is_whitespace() || ",;:?!".contains(character))
        .find_map(|word| {
            let upper = word.to_uppercase();
            let servicenow = ["INC", "REQ", "RITM"].iter().any(|prefix| {
                upper.strip_prefix(prefix).is_some_and(|digits| {
                    digits.len() >= 4 && digits.chars().all(|digit| digit.is_ascii_digit())
                })
            });
            let zendesk = upper.strip_prefix('#').is_some_and(|digits| {
                !digits.is_empty() && digits.chars().all(|digit| digit.is_ascii_digit())
            });
            (servicenow || zendesk).then_some(upper)
        })
}

fn urgency(text: &str) -> Option<Urgency> {
    match text.to_lowercase().as_str() {
        HIGH | "1" | "hoch" => Some(Urgency::High),
        MEDIUM | "2" | "mittel" => Some(Urgency::Medium),
        LOW | "3" | "niedrig" => Some(Urgency::Low),
        _ => None,
    }
}

fn is_cancel(input: Input<'_>) -> bool {
    match input {
        Input::Reply(value) => value == CANCEL,
        Input::Text(text) => {
            let words = text.trim().to_lowercase();
            ["cancel", "menu", "abbrechen", "menü"].contains(&words.as_str())
        }
    }
}

#[cfg(test)]
mod tests;
