//! What the assistant says, in English and German.
//!
//! The relay writes the words into the conversation in the visitor's language, so the transcript
//! a service desk agent reads later says exactly what the visitor saw.

/// Something the assistant says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phrase {
    /// The first words of a conversation.
    Greeting,
    /// The menu's question.
    WhatCanIDo,
    /// Menu: report a problem.
    MenuReport,
    /// Menu: make a request.
    MenuRequest,
    /// Menu: check a ticket.
    MenuLookUp,
    /// Menu: list my open tickets.
    MenuList,
    /// Menu: comment on a ticket.
    MenuComment,
    /// Menu: talk to a person.
    MenuPerson,
    /// The button that goes back to the menu.
    Cancel,
    /// Back at the menu after a cancel.
    Cancelled,
    /// Words the assistant cannot place.
    NotUnderstood,
    /// Ticket actions need a signed-in visitor.
    SignInFirst,
    /// Asks a problem's title.
    AskTitle,
    /// Asks a request's title.
    AskRequestTitle,
    /// Asks for the details.
    AskDescription,
    /// Asks how urgent it is.
    AskUrgency,
    /// Urgency: it stops my work.
    UrgencyHigh,
    /// Urgency: it slows me down.
    UrgencyMedium,
    /// Urgency: it can wait.
    UrgencyLow,
    /// The answer was not one of the urgencies.
    PickUrgency,
    /// Asks a ticket's number to show it.
    AskNumber,
    /// Asks a ticket's number to comment on it.
    AskCommentNumber,
    /// Asks the comment.
    AskComment,
    /// A ticket was filed.
    Filed {
        /// Its number.
        number: String,
    },
    /// Shows the ticket looked up.
    HereItIs,
    /// Shows the visitor's open tickets.
    YourOpenTickets,
    /// The visitor has no open tickets.
    NoOpenTickets,
    /// The comment was added.
    CommentAdded,
    /// No ticket of the visitor's has the number.
    NotFound,
    /// The service desk failed; nothing was done.
    DeskUnavailable,
    /// Queued for a person.
    FindingPerson,
    /// Nobody can come; a ticket is offered.
    NobodyAvailable,
    /// The site has no live agents connected to the chat.
    NoRoute,
    /// The service desk does not know the visitor.
    UnknownVisitor,
    /// The button that files the conversation as a ticket.
    FileTicket,
    /// The button that declines it.
    NoThanks,
    /// A followed ticket moved to another state.
    TicketMoved {
        /// Its number.
        number: String,
        /// The new state in words.
        state: String,
    },
    /// Someone from the desk commented on a followed ticket.
    TicketCommented {
        /// Its number.
        number: String,
        /// Who, when the desk said.
        author: Option<String>,
        /// What they wrote.
        text: String,
    },
}

impl Phrase {
    /// The words in `locale` (`de…` is German; anything else English).
    pub fn text(&self, locale: &str) -> String {
        let german = locale.to_ascii_lowercase().starts_with("de");
        match (self, german) {
            (Phrase::Filed { number }, true) => {
                return format!("Erledigt: {number} ist angelegt. Wir melden uns dort.")
            }
            (Phrase::Filed { number }, false) => {
                return format!("Done: {number} is filed. We will follow up on it there.")
            }
            (Phrase::TicketMoved { number, state }, true) => {
                return format!("{number} ist jetzt: {state}.")
            }
            (Phrase::TicketMoved { number, state }, false) => {
                return format!("{number} is now {state}.")
            }
            (
                Phrase::TicketCommented {
                    number,
                    author,
                    text,
                },
                true,
            ) => {
                let author = author.as_deref().unwrap_or("Der Service Desk");
                return format!("{author} zu {number}: {text}");
            }
            (
                Phrase::TicketCommented {
                    number,
                    author,
                    text,
                },
                false,
            ) => {
                let author = author.as_deref().unwrap_or("The service desk");
                return format!("{author} on {number}: {text}");
            }
            _ => {}
        }
        let (english, deutsch) = self.words();
        match german {
            true => deutsch.to_owned(),
            false => english.to_owned(),
        }
    }

    fn words(&self) -> (&'static str, &'static str) {
        match self {
            Phrase::Greeting => (
                "Hi! I'm Flare, the service desk's assistant.",
                "Hallo! Ich bin Flare, der Assistent des Service Desks.",
            ),
            Phrase::WhatCanIDo => ("What can I do for you?", "Was kann ich für Sie tun?"),
            Phrase::MenuReport => ("Report a problem", "Ein Problem melden"),
            Phrase::MenuRequest => ("Make a request", "Etwas anfragen"),
            Phrase::MenuLookUp => ("Check a ticket", "Ein Ticket prüfen"),
            Phrase::MenuList => ("My open tickets", "Meine offenen Tickets"),
            Phrase::MenuComment => ("Comment on a ticket", "Ein Ticket kommentieren"),
            Phrase::MenuPerson => ("Talk to a person", "Mit einem Menschen sprechen"),
            Phrase::Cancel => ("Cancel", "Abbrechen"),
            Phrase::Cancelled => (
                "All right, cancelled. Anything else?",
                "In Ordnung, abgebrochen. Sonst noch etwas?",
            ),
            Phrase::NotUnderstood => (
                "Sorry, I did not get that. Pick one of these:",
                "Das habe ich nicht verstanden. Wählen Sie bitte:",
            ),
            Phrase::SignInFirst => (
                "Please sign in on this site first: only then can I see and file your tickets. A person can help you meanwhile.",
                "Bitte melden Sie sich zuerst auf dieser Seite an: erst dann sehe und erstelle ich Ihre Tickets. Ein Mensch kann Ihnen solange helfen.",
            ),
            Phrase::AskTitle => (
                "What is the problem, in one line?",
                "Was ist das Problem, in einer Zeile?",
            ),
            Phrase::AskRequestTitle => (
                "What do you need, in one line?",
                "Was brauchen Sie, in einer Zeile?",
            ),
            Phrase::AskDescription => (
                "Tell me more: what happened, and what did you expect?",
                "Erzählen Sie mehr: was ist passiert, und was haben Sie erwartet?",
            ),
            Phrase::AskUrgency => ("How urgent is it?", "Wie dringend ist es?"),
            Phrase::UrgencyHigh => ("It stops my work", "Ich kann nicht arbeiten"),
            Phrase::UrgencyMedium => ("It slows me down", "Es hält mich auf"),
            Phrase::UrgencyLow => ("It can wait", "Es kann warten"),
            Phrase::PickUrgency => (
                "Please pick one of the buttons.",
                "Bitte wählen Sie eine der Schaltflächen.",
            ),
            Phrase::AskNumber => (
                "Which ticket? Its number, like INC0010001.",
                "Welches Ticket? Seine Nummer, etwa INC0010001.",
            ),
            Phrase::AskCommentNumber => (
                "Which ticket do you want to comment on? Its number, please.",
                "Welches Ticket möchten Sie kommentieren? Seine Nummer bitte.",
            ),
            Phrase::AskComment => ("What should the comment say?", "Was soll der Kommentar sagen?"),
            // They carry values: `text` formats them.
            Phrase::Filed { .. } | Phrase::TicketMoved { .. } | Phrase::TicketCommented { .. } => {
                ("", "")
            }
            Phrase::HereItIs => ("Here it is:", "Hier ist es:"),
            Phrase::YourOpenTickets => ("Your open tickets:", "Ihre offenen Tickets:"),
            Phrase::NoOpenTickets => (
                "You have no open tickets.",
                "Sie haben keine offenen Tickets.",
            ),
            Phrase::CommentAdded => (
                "Your comment is on the ticket.",
                "Ihr Kommentar steht am Ticket.",
            ),
            Phrase::NotFound => (
                "I found no ticket of yours with that number.",
                "Ich finde kein Ticket von Ihnen mit dieser Nummer.",
            ),
            Phrase::DeskUnavailable => (
                "The service desk is not answering right now, so nothing was done. Please try again in a minute.",
                "Der Service Desk antwortet gerade nicht, es wurde nichts erledigt. Bitte versuchen Sie es in einer Minute noch einmal.",
            ),
            Phrase::FindingPerson => (
                "I am finding a person for you. Stay here; you can keep writing.",
                "Ich suche einen Menschen für Sie. Bleiben Sie hier; Sie können weiterschreiben.",
            ),
            Phrase::NobodyAvailable => (
                "Nobody can answer right now. I can file a ticket with this conversation instead, and you will get its number.",
                "Gerade kann niemand antworten. Ich kann stattdessen ein Ticket mit diesem Gespräch anlegen, und Sie bekommen seine Nummer.",
            ),
            Phrase::NoRoute => (
                "Nobody from the service desk is connected to this chat. Report a problem and they will answer on the ticket.",
                "Niemand vom Service Desk ist mit diesem Chat verbunden. Melden Sie ein Problem, dann wird am Ticket geantwortet.",
            ),
            Phrase::FileTicket => ("File a ticket", "Ticket anlegen"),
            Phrase::NoThanks => ("No, thanks", "Nein, danke"),
            Phrase::UnknownVisitor => (
                "The service desk has no account with your email address, so I cannot file or show tickets for you. A person can help.",
                "Der Service Desk kennt Ihre E-Mail-Adresse nicht, darum kann ich keine Tickets für Sie anlegen oder zeigen. Ein Mensch kann helfen.",
            ),
        }
    }
}
