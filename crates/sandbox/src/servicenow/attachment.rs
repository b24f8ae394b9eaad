//! The Attachment API's rules (`c_AttachmentAPI.md`), free of HTTP: attachments belong to a record
//! the user can read, and are stored as `sys_attachment` records plus their content.

use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::servicenow::acl;
use crate::servicenow::error::{AppError, Operation};
use crate::servicenow::schema::{Table, SYS_ATTACHMENT_FIELDS};
use crate::servicenow::store::{Database, Record, User};
use crate::servicenow::table;
use crate::servicenow::wire::Rendered;

/// A file to attach.
#[derive(Debug)]
pub(crate) struct Upload<'a> {
    pub(crate) table_name: &'a str,
    pub(crate) table_sys_id: &'a str,
    pub(crate) file_name: &'a str,
    pub(crate) content_type: &'a str,
    pub(crate) content: Vec<u8>,
}

/// Stores an upload and returns the attachment's sys_id. The record must exist and be readable
/// ("404: the record specified by table_name and table_sys_id does not exist or is not accessible
/// to the current user").
pub(crate) fn upload(
    db: &mut Database,
    user: &User,
    upload: Upload<'_>,
    now: UnixSeconds,
) -> Result<String, AppError> {
    let table = Table::from_name(upload.table_name).ok_or(AppError::NoRecord)?;
    table::read(db, table, user, upload.table_sys_id)?;
    let size = upload.content.len().to_string();
    let values = [
        ("table_name", upload.table_name.to_owned()),
        ("table_sys_id", upload.table_sys_id.to_owned()),
        ("file_name", upload.file_name.to_owned()),
        ("content_type", upload.content_type.to_owned()),
        ("size_bytes", size.clone()),
        ("size_compressed", size),
    ];
    let mut record = table::build_record(Table::SysAttachment, user, &values, now);
    let sys_id = db.new_sys_id();
    record.set("sys_id", sys_id.clone());
    db.insert(record);
    db.put_file(&sys_id, upload.content);
    Ok(sys_id)
}

/// Deletes an attachment: its uploader, agents and admins may.
pub(crate) fn delete(db: &mut Database, user: &User, sys_id: &str) -> Result<(), AppError> {
    let attachment = table::read(db, Table::SysAttachment, user, sys_id)?;
    if !acl::can_delete_attachment(user, attachment) {
        return Err(AppError::AclDenied(Operation::Delete));
    }
    db.remove(Table::SysAttachment, sys_id);
    Ok(())
}

/// The metadata as the Attachment API writes it: plain strings, with `download_link` after
/// `size_bytes` as in the documented example.
pub(crate) fn metadata(attachment: &Record, instance_url: &str) -> Rendered {
    let mut entries = Vec::with_capacity(SYS_ATTACHMENT_FIELDS.len() + 1);
    for field in SYS_ATTACHMENT_FIELDS {
        entries.push((
            field.name.to_owned(),
            Value::String(attachment.get(field.name).to_owned()),
        ));
        if field.name == "size_bytes" {
            let link = format!(
                "{instance_url}/api/now/attachment/{}/file",
                attachment.sys_id()
            );
            entries.push(("download_link".to_owned(), Value::String(link)));
        }
    }
    Rendered(entries)
}
