//! Files on records, through the Attachment API (`/api/now/attachment`).

use crate::error::CoreError;
use crate::http::{encode_component, query_string, HttpRequest, HttpResponse, Method};
use crate::providers::servicenow::table::Table;
use crate::providers::servicenow::{check, wire, ServiceNow};
use crate::ticket::Attachment;

impl ServiceNow {
    /// Uploads a file (a screenshot, a log) to a ticket: `POST /api/now/attachment/file` with the
    /// file's bytes as the body and its MIME type as `Content-Type` (c_AttachmentAPI.md).
    pub fn upload_attachment_request(
        &self,
        table: Table,
        ticket_sys_id: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> HttpRequest {
        let query = query_string(&[
            ("table_name", table.name()),
            ("table_sys_id", ticket_sys_id),
            ("file_name", file_name),
        ]);
        self.request(Method::Post, &format!("/api/now/attachment/file?{query}"))
            .with_body(content_type, bytes)
    }

    /// Reads the reply to an upload or to a metadata request.
    pub fn parse_attachment(&self, response: &HttpResponse) -> Result<Attachment, CoreError> {
        let expected = if response.status == 201 { 201 } else { 200 };
        attachment(wire::single_result(check(response, expected)?)?)
    }

    /// The attachments of a ticket.
    pub fn list_attachments_request(&self, ticket_sys_id: &str) -> HttpRequest {
        let query = format!("table_sys_id={ticket_sys_id}");
        self.request(
            Method::Get,
            &format!(
                "/api/now/attachment?{}",
                query_string(&[("sysparm_query", &query)])
            ),
        )
    }

    /// Reads a list of attachments.
    pub fn parse_attachments(&self, response: &HttpResponse) -> Result<Vec<Attachment>, CoreError> {
        wire::list_result(check(response, 200)?)?
            .into_iter()
            .map(attachment)
            .collect()
    }

    /// Downloads an attachment's bytes.
    pub fn download_attachment_request(&self, attachment_sys_id: &str) -> HttpRequest {
        let path = format!(
            "/api/now/attachment/{}/file",
            encode_component(attachment_sys_id)
        );
        HttpRequest::download(self.instance.url(&path)).with_credentials(&self.credentials)
    }

    /// The bytes of a downloaded attachment.
    pub fn parse_download(&self, response: &HttpResponse) -> Result<Vec<u8>, CoreError> {
        // Any file type may come back, HTML included; only the hibernation page is not a file.
        let hibernating =
            response.is_html() && response.text().contains("Instance Hibernating page");
        if response.status == 200 && !hibernating {
            return Ok(response.body.clone());
        }
        check(response, 200).map(|_| Vec::new())
    }

    /// Deletes an attachment.
    pub fn delete_attachment_request(&self, attachment_sys_id: &str) -> HttpRequest {
        self.request(
            Method::Delete,
            &format!(
                "/api/now/attachment/{}",
                encode_component(attachment_sys_id)
            ),
        )
    }
}

fn attachment(record: wire::Record) -> Result<Attachment, CoreError> {
    Ok(Attachment {
        id: record.required("sys_id")?.to_owned(),
        file_name: record.value("file_name").unwrap_or_default().to_owned(),
        content_type: record.value("content_type").unwrap_or_default().to_owned(),
        size_bytes: record
            .value("size_bytes")
            .and_then(|size| size.parse().ok()),
        download_url: record.value("download_link").unwrap_or_default().to_owned(),
    })
}
