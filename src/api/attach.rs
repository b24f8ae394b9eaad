//! Files that go with a report: uploaded to the ServiceNow record once it exists (Attachment
//! API), or to Zendesk before the ticket is made, which then carries the upload's token.

use flare_core::providers::servicenow::{ServiceNow, Table};
use flare_core::providers::zendesk::Zendesk;
use flare_core::ticket::{Attachment, Ticket};

use crate::api::session::authorized;
use crate::api::{send_with_retries, AppError, Connection};
use crate::browser::{Clock, Http, Random, Storage};

/// A file to attach.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    /// Its name on the service desk.
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Attaches `file` to `ticket`, a record of `table` in ServiceNow.
pub async fn attach_to_record(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    table: Table,
    ticket: &Ticket,
    file: &NewFile,
) -> Result<Attachment, AppError> {
    authorized(platform, connection, |connection| async move {
        let servicenow = ServiceNow::new(connection.instance.clone(), connection.credentials);
        let request = servicenow.upload_attachment_request(
            table,
            &ticket.id,
            &file.name,
            &file.content_type,
            file.bytes.clone(),
        );
        // A POST: sent again only after a rate limit, so a lost reply never attaches it twice.
        let response = send_with_retries(platform, request).await?;
        Ok(servicenow.parse_attachment(&response)?)
    })
    .await
}

/// Uploads `file` to Zendesk and returns the token a new ticket's first comment carries.
pub async fn upload_to_zendesk(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    file: &NewFile,
) -> Result<String, AppError> {
    authorized(platform, connection, |connection| async move {
        let zendesk = Zendesk::new(connection.instance.clone(), connection.credentials);
        let request = zendesk.upload_request(&file.name, &file.content_type, file.bytes.clone());
        let response = send_with_retries(platform, request).await?;
        Ok(zendesk.parse_upload(&response)?.token)
    })
    .await
}
