//! Who may read, create, change and delete what: a small model of a fresh instance's ACLs.
//!
//! - `itil` agents and admins read and change every task (incident, request, requested item,
//!   change); only admins delete, and only admins change users, groups and memberships.
//! - End users (no roles) read the incidents they are the caller of and the requests they are
//!   requested for or opened; on those they may only add comments. They may file incidents and
//!   requests but not changes, and never see work notes.
//! - Everyone signed in reads users, groups and memberships.
//!
//! A record the user may not read is "not found" (404); a readable record the user may not change
//! or delete is 403 "ACL Exception Update/Delete Failed due to security constraints".

use crate::servicenow::schema::Table;
use crate::servicenow::store::{Database, Record, User};

/// Which fields of a readable record a user may change. Fields outside it are skipped, not
/// refused, as field-level write ACLs do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteAccess {
    All,
    /// End users on their own tickets.
    CommentsOnly,
    None,
}

pub(crate) fn can_read(user: &User, record: &Record, db: &Database) -> bool {
    match record.table() {
        Table::Incident => user.is_agent() || record.get("caller_id") == user.sys_id,
        Table::ScRequest | Table::ScReqItem => {
            user.is_agent()
                || record.get("requested_for") == user.sys_id
                || record.get("opened_by") == user.sys_id
        }
        Table::ChangeRequest => user.is_agent(),
        Table::SysUser | Table::SysUserGroup | Table::SysUserGrmember => true,
        Table::SysJournalField => {
            if user.is_agent() {
                return true;
            }
            let parent = Table::from_name(record.get("name"))
                .and_then(|table| db.get(table, record.get("element_id")));
            record.get("element") == "comments"
                && parent.is_some_and(|parent| can_read(user, parent, db))
        }
        Table::SysAttachment => {
            let parent = Table::from_name(record.get("table_name"))
                .and_then(|table| db.get(table, record.get("table_sys_id")));
            parent.is_some_and(|parent| can_read(user, parent, db))
        }
    }
}

/// Deleting an attachment: its uploader, an agent or an admin.
pub(crate) fn can_delete_attachment(user: &User, attachment: &Record) -> bool {
    user.is_agent() || attachment.get("sys_created_by") == user.user_name
}

pub(crate) fn can_create(user: &User, table: Table) -> bool {
    match table {
        Table::Incident | Table::ScRequest | Table::ScReqItem => true,
        Table::ChangeRequest => user.is_agent(),
        Table::SysUser
        | Table::SysUserGroup
        | Table::SysUserGrmember
        | Table::SysJournalField
        | Table::SysAttachment => user.is_admin(),
    }
}

/// What the user may change on `record`, which they can read.
pub(crate) fn write_access(user: &User, record: &Record) -> WriteAccess {
    let table = record.table();
    if table.is_task() && user.is_agent() || user.is_admin() {
        return WriteAccess::All;
    }
    match table {
        Table::Incident | Table::ScRequest | Table::ScReqItem => WriteAccess::CommentsOnly,
        _ => WriteAccess::None,
    }
}

pub(crate) fn can_delete(user: &User) -> bool {
    user.is_admin()
}

/// Whether the user sees work notes (journal entries and the `work_notes` display value).
pub(crate) fn can_read_work_notes(user: &User) -> bool {
    user.is_agent()
}
