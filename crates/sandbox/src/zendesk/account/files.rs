//! Files: uploads, which hold files under a token until a comment attaches them, and the
//! attachments they become, shown to agents and served to anyone holding their `content_url`.

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{require_agent, Account, Counter, User};
use crate::zendesk::error::ZendeskError;

/// How long an upload token can be attached (Zendesk's article "Can I attach files to tickets
/// using the API": "The attachment's token expires after 60 minutes").
const UPLOAD_TOKEN_SECONDS: i64 = 3600;

/// An uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub(crate) id: u64,
    /// The secret part of `content_url`.
    pub(crate) token: String,
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// Files uploaded under one token, waiting to be attached to a comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Upload {
    pub(crate) token: String,
    pub(crate) attachment_ids: Vec<u64>,
    pub(crate) expires_at: UnixSeconds,
}

impl Account {
    /// Stores an uploaded file under a new token, or adds it to an existing one (`token` query
    /// parameter), as Zendesk's Upload Files does.
    pub(crate) fn upload(
        &mut self,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
        token: Option<&str>,
        now: UnixSeconds,
    ) -> Result<&Upload, ZendeskError> {
        let token = match token {
            Some(token) if self.uploads.contains_key(token) => token.to_owned(),
            Some(_) => return Err(ZendeskError::RecordNotFound),
            None => self.new_token(),
        };
        let attachment_id = self.next_object_id();
        let attachment_token = self.new_token();
        self.insert_attachment(Attachment {
            id: attachment_id,
            token: attachment_token,
            file_name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            bytes,
        });
        let mut upload = self.uploads.remove(&token).unwrap_or(Upload {
            token: token.clone(),
            attachment_ids: Vec::new(),
            expires_at: now + UPLOAD_TOKEN_SECONDS,
        });
        upload.attachment_ids.push(attachment_id);
        self.persist(|store| store.put_upload(&upload));
        Ok(self.uploads.entry(token).or_insert(upload))
    }

    pub(crate) fn attachment(&self, attachment_id: u64) -> Option<&Attachment> {
        self.attachments.get(&attachment_id)
    }

    /// Attachment details (`attachments.yml`, ShowAttachment: agents).
    pub(crate) fn show_attachment(
        &self,
        caller: &User,
        attachment_id: u64,
    ) -> Result<&Attachment, ZendeskError> {
        require_agent(caller)?;
        self.attachment(attachment_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The file behind a `content_url`. By default Zendesk serves attachments to anyone holding
    /// the URL, whose token is the secret ("Adding ticket attachments with the API").
    pub(crate) fn attachment_by_token(&self, token: &str) -> Option<&Attachment> {
        self.attachments
            .values()
            .find(|attachment| attachment.token == token)
    }

    /// Adds an attachment as it is; for restoring too.
    pub(in crate::zendesk::account) fn insert_attachment(&mut self, attachment: Attachment) {
        self.raise_counter(Counter::NextObjectId, attachment.id + 1);
        self.persist(|store| store.put_attachment(&attachment));
        self.attachments.insert(attachment.id, attachment);
    }

    fn new_token(&mut self) -> String {
        let n_tokens = self.count_one(Counter::NTokens);
        // Deterministic but not guessable from ids alone; shaped like the documented tokens.
        let mixed = n_tokens.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995;
        format!("{mixed:016x}")[..15].to_owned()
    }
}
