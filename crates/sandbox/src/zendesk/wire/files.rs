//! Uploads and attachments in Zendesk's shape, with the `content_url` that downloads the file.

use serde::Serialize;
use serde_json::Value;

use crate::zendesk::account::{Attachment, Upload};
use crate::zendesk::wire::{timestamp, Renderer};

/// An attachment, with the addresses of its details and of its file.
#[derive(Clone, Serialize)]
pub(crate) struct AttachmentJson<'a> {
    url: String,
    id: u64,
    file_name: &'a str,
    content_url: String,
    mapped_content_url: String,
    content_type: &'a str,
    size: usize,
    width: Option<u32>,
    height: Option<u32>,
    inline: bool,
    deleted: bool,
    malware_access_override: bool,
    malware_scan_result: &'static str,
    thumbnails: [Value; 0],
}

/// `{"upload": ...}`'s object (Zendesk's Upload Files reply).
#[derive(Serialize)]
pub(crate) struct UploadJson<'a> {
    token: &'a str,
    expires_at: String,
    attachments: Vec<AttachmentJson<'a>>,
    attachment: Option<AttachmentJson<'a>>,
}

impl<'a> Renderer<'a> {
    pub(crate) fn attachment(&self, attachment: &'a Attachment) -> AttachmentJson<'a> {
        let content_url = format!(
            "{}/attachments/token/{}/?name={}",
            self.account_url,
            attachment.token,
            flare_core::http::encode_component(&attachment.file_name)
        );
        AttachmentJson {
            url: self.record_url("attachments", attachment.id),
            id: attachment.id,
            file_name: &attachment.file_name,
            mapped_content_url: content_url.clone(),
            content_url,
            content_type: &attachment.content_type,
            size: attachment.bytes.len(),
            width: None,
            height: None,
            inline: false,
            deleted: false,
            malware_access_override: false,
            malware_scan_result: "malware_not_found",
            thumbnails: [],
        }
    }

    /// `{"upload": {"token", "expires_at", "attachments", "attachment"}}`, the Upload Files reply.
    pub(crate) fn upload(
        &self,
        upload: &'a Upload,
        attachments: Vec<&'a Attachment>,
    ) -> UploadJson<'a> {
        let attachments: Vec<AttachmentJson<'a>> = attachments
            .into_iter()
            .map(|attachment| self.attachment(attachment))
            .collect();
        UploadJson {
            token: &upload.token,
            expires_at: timestamp(upload.expires_at),
            attachment: attachments.last().cloned(),
            attachments,
        }
    }
}
