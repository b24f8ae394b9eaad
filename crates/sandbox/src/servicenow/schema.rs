//! The emulated tables: their names, fields, field types and choice lists.
//!
//! Field lists and their order are copied from real records: the incident from
//! `recorded/servicenow/output.ServiceNowOutputTest_insertRecord.json` (81 fields), the user from the
//! `sys_user` fields a developer instance returns. Choice labels are those of a fresh instance.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::servicenow::schema::FieldKind::{
    Boolean, Choice, DateTime, Integer, Journal, Reference, Text,
};

/// A table the sandbox emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Table {
    Incident,
    ScRequest,
    ScReqItem,
    ChangeRequest,
    SysUser,
    SysUserGroup,
    SysUserGrmember,
    SysJournalField,
    SysAttachment,
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: FieldKind,
}

/// How a column's value is stored and shown. Every value is a string on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Boolean,
    Integer,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    DateTime,
    /// A `sys_id` of a record in the named table; shown as `{link, value}`.
    Reference(&'static str),
    /// A value from a fixed list, with a label for each value.
    Choice(&'static [(&'static str, &'static str)]),
    /// `comments`, `work_notes`: writing appends a journal entry; reading gives "".
    Journal,
}

/// A table extending `task`: the choices of its `state` column, and its own columns in runs,
/// each run placed right after the task column ([`TASK_FIELDS`]) it follows in the table's
/// records.
struct TaskTable {
    state: &'static [(&'static str, &'static str)],
    own: &'static [(&'static str, &'static [Field])],
}

impl Table {
    pub(crate) const ALL: [Table; 9] = [
        Table::Incident,
        Table::ScRequest,
        Table::ScReqItem,
        Table::ChangeRequest,
        Table::SysUser,
        Table::SysUserGroup,
        Table::SysUserGrmember,
        Table::SysJournalField,
        Table::SysAttachment,
    ];

    pub(crate) fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|table| table.name() == name)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Incident => "incident",
            Table::ScRequest => "sc_request",
            Table::ScReqItem => "sc_req_item",
            Table::ChangeRequest => "change_request",
            Table::SysUser => "sys_user",
            Table::SysUserGroup => "sys_user_group",
            Table::SysUserGrmember => "sys_user_grmember",
            Table::SysJournalField => "sys_journal_field",
            Table::SysAttachment => "sys_attachment",
        }
    }

    pub(crate) fn fields(self) -> &'static [Field] {
        static FIELDS: OnceLock<Vec<Vec<Field>>> = OnceLock::new();
        let fields = FIELDS.get_or_init(|| {
            Table::ALL
                .iter()
                .map(|table| table.build_fields())
                .collect()
        });
        // `Table::ALL` lists the variants in declaration order, so the discriminant indexes it.
        &fields[self as usize]
    }

    pub(crate) fn field(self, name: &str) -> Option<&'static Field> {
        self.field_index(name)
            .map(|field_idx| &self.fields()[field_idx])
    }

    /// The position of `name` in [`Table::fields`]. Looked up in a map built once, because every
    /// field access goes through here and large lists touch millions of fields.
    pub(crate) fn field_index(self, name: &str) -> Option<usize> {
        static INDEXES: OnceLock<Vec<HashMap<&'static str, usize>>> = OnceLock::new();
        let indexes = INDEXES.get_or_init(|| {
            Table::ALL
                .iter()
                .map(|table| {
                    table
                        .fields()
                        .iter()
                        .enumerate()
                        .map(|(idx, field)| (field.name, idx))
                        .collect()
                })
                .collect()
        });
        // `Table::ALL` lists the variants in declaration order, so the discriminant indexes it.
        indexes[self as usize].get(name).copied()
    }

    /// The prefix of the `number` column, for tables that have one.
    pub(crate) fn number_prefix(self) -> Option<&'static str> {
        match self {
            Table::Incident => Some("INC"),
            Table::ScRequest => Some("REQ"),
            Table::ScReqItem => Some("RITM"),
            Table::ChangeRequest => Some("CHG"),
            Table::SysUser
            | Table::SysUserGroup
            | Table::SysUserGrmember
            | Table::SysJournalField
            | Table::SysAttachment => None,
        }
    }

    /// The column a reference to this table shows as its display value.
    pub(crate) fn display_field(self) -> &'static str {
        match self {
            Table::Incident | Table::ScRequest | Table::ScReqItem | Table::ChangeRequest => {
                "number"
            }
            Table::SysUser | Table::SysUserGroup => "name",
            Table::SysUserGrmember => "sys_id",
            Table::SysJournalField => "value",
            Table::SysAttachment => "file_name",
        }
    }

    /// The columns, task tables' from `task`'s and their own, built once by [`Table::fields`].
    fn build_fields(self) -> Vec<Field> {
        match self {
            Table::Incident => INCIDENT.fields(),
            Table::ScRequest => SC_REQUEST.fields(),
            Table::ScReqItem => SC_REQ_ITEM.fields(),
            Table::ChangeRequest => CHANGE_REQUEST.fields(),
            Table::SysUser => SYS_USER_FIELDS.to_vec(),
            Table::SysUserGroup => SYS_USER_GROUP_FIELDS.to_vec(),
            Table::SysUserGrmember => SYS_USER_GRMEMBER_FIELDS.to_vec(),
            Table::SysJournalField => SYS_JOURNAL_FIELD_FIELDS.to_vec(),
            Table::SysAttachment => SYS_ATTACHMENT_FIELDS.to_vec(),
        }
    }

    /// Tables extending `task`: numbered, with state, assignment and journal fields.
    pub(crate) fn is_task(self) -> bool {
        matches!(
            self,
            Table::Incident | Table::ScRequest | Table::ScReqItem | Table::ChangeRequest
        )
    }
}

impl TaskTable {
    /// `task`'s columns with this table's `state` choices, each followed by the table's own
    /// columns that come after it.
    fn fields(&self) -> Vec<Field> {
        let mut fields = Vec::new();
        for task_field in TASK_FIELDS {
            let kind = match task_field.name {
                "state" => Choice(self.state),
                _ => task_field.kind,
            };
            fields.push(field(task_field.name, kind));
            let own = self
                .own
                .iter()
                .filter(|(after, _)| *after == task_field.name);
            for (_, run) in own {
                fields.extend_from_slice(run);
            }
        }
        fields
    }
}

pub(crate) const INCIDENT_STATES: &[(&str, &str)] = &[
    ("1", "New"),
    ("2", "In Progress"),
    ("3", "On Hold"),
    ("6", "Resolved"),
    ("7", "Closed"),
    ("8", "Canceled"),
];
const IMPACT_URGENCY: &[(&str, &str)] = &[("1", "1 - High"), ("2", "2 - Medium"), ("3", "3 - Low")];
const PRIORITIES: &[(&str, &str)] = &[
    ("1", "1 - Critical"),
    ("2", "2 - High"),
    ("3", "3 - Moderate"),
    ("4", "4 - Low"),
    ("5", "5 - Planning"),
];
const SEVERITIES: &[(&str, &str)] = &[("1", "1 - High"), ("2", "2 - Medium"), ("3", "3 - Low")];
const NOTIFY: &[(&str, &str)] = &[
    ("1", "Do Not Notify"),
    ("2", "Send Email"),
    ("3", "Send SMS"),
];
const ESCALATIONS: &[(&str, &str)] = &[
    ("0", "Normal"),
    ("1", "Moderate"),
    ("2", "High"),
    ("3", "Overdue"),
];
const HOLD_REASONS: &[(&str, &str)] = &[
    ("1", "Awaiting Caller"),
    ("5", "Awaiting Change"),
    ("3", "Awaiting Problem"),
    ("4", "Awaiting Vendor"),
];
const CATEGORIES: &[(&str, &str)] = &[
    ("inquiry", "Inquiry / Help"),
    ("software", "Software"),
    ("hardware", "Hardware"),
    ("network", "Network"),
    ("database", "Database"),
];
const CLOSE_CODES: &[(&str, &str)] = &[
    ("Duplicate", "Duplicate"),
    ("Known error", "Known error"),
    ("No resolution provided", "No resolution provided"),
    ("Resolved by caller", "Resolved by caller"),
    ("Resolved by change", "Resolved by change"),
    ("Resolved by problem", "Resolved by problem"),
    ("Resolved by request", "Resolved by request"),
    ("Solution provided", "Solution provided"),
    ("Workaround provided", "Workaround provided"),
    ("User error", "User error"),
];
const CONTACT_TYPES: &[(&str, &str)] = &[
    ("email", "Email"),
    ("phone", "Phone"),
    ("self-service", "Self-service"),
    ("virtual_agent", "Virtual Agent"),
    ("walk-in", "Walk-in"),
];
const APPROVALS: &[(&str, &str)] = &[
    ("not requested", "Not Yet Requested"),
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
];
const UPON_REJECT: &[(&str, &str)] = &[
    ("cancel", "Cancel all future Tasks"),
    ("goto", "Go to a previous Task"),
];
const UPON_APPROVAL: &[(&str, &str)] = &[
    ("proceed", "Proceed to Next Task"),
    ("wait", "Wait for a User to Start Next Task"),
];
const NOTIFICATION: &[(&str, &str)] = &[("1", "Disable"), ("2", "Enable")];
/// `task.state`, as requests and requested items use it.
const TASK_STATES: &[(&str, &str)] = &[
    ("-5", "Pending"),
    ("1", "Open"),
    ("2", "Work in Progress"),
    ("3", "Closed Complete"),
    ("4", "Closed Incomplete"),
    ("7", "Closed Skipped"),
];
const REQUEST_STATES: &[(&str, &str)] = &[
    ("requested", "Pending Approval"),
    ("in_process", "Approved"),
    ("closed_complete", "Closed Complete"),
    ("closed_incomplete", "Closed Incomplete"),
    ("closed_cancelled", "Closed Cancelled"),
    ("closed_rejected", "Closed Rejected"),
    ("closed_skipped", "Closed Skipped"),
];
const ITEM_STAGES: &[(&str, &str)] = &[
    ("waiting_for_approval", "Waiting for Approval"),
    ("request_approved", "Request Approved"),
    ("fulfillment", "Fulfillment"),
    ("delivery", "Delivery"),
    ("complete", "Completed"),
    ("Request Cancelled", "Request Cancelled"),
];
pub(crate) const CHANGE_STATES: &[(&str, &str)] = &[
    ("-5", "New"),
    ("-4", "Assess"),
    ("-3", "Authorize"),
    ("-2", "Scheduled"),
    ("-1", "Implement"),
    ("0", "Review"),
    ("3", "Closed"),
    ("4", "Canceled"),
];
const CHANGE_TYPES: &[(&str, &str)] = &[
    ("standard", "Standard"),
    ("normal", "Normal"),
    ("emergency", "Emergency"),
];
const CHANGE_RISKS: &[(&str, &str)] = &[
    ("1", "Very High"),
    ("2", "High"),
    ("3", "Moderate"),
    ("4", "Low"),
];
const CHANGE_CLOSE_CODES: &[(&str, &str)] = &[
    ("successful", "Successful"),
    ("successful_issues", "Successful with issues"),
    ("unsuccessful", "Unsuccessful"),
];
const JOURNAL_ELEMENTS: &[(&str, &str)] = &[
    ("comments", "Additional comments"),
    ("work_notes", "Work notes"),
];

const fn field(name: &'static str, kind: FieldKind) -> Field {
    Field { name, kind }
}

/// The columns every task table has from `task`, in the order the tables list them. The `state`
/// column's choices are each table's own ([`TaskTable::state`]).
const TASK_FIELDS: &[Field] = &[
    field("parent", Reference("task")),
    field("watch_list", Text),
    field("sys_updated_on", DateTime),
    field("approval_history", Journal),
    field("number", Text),
    field("sys_updated_by", Text),
    field("opened_by", Reference("sys_user")),
    field("sys_created_on", DateTime),
    field("sys_domain", Reference("sys_user_group")),
    field("state", Choice(TASK_STATES)),
    field("sys_created_by", Text),
    field("closed_at", DateTime),
    field("impact", Choice(IMPACT_URGENCY)),
    field("active", Boolean),
    field("priority", Choice(PRIORITIES)),
    field("opened_at", DateTime),
    field("work_notes", Journal),
    field("short_description", Text),
    field("assignment_group", Reference("sys_user_group")),
    field("description", Text),
    field("close_notes", Text),
    field("sys_class_name", Text),
    field("closed_by", Reference("sys_user")),
    field("sys_id", Text),
    field("urgency", Choice(IMPACT_URGENCY)),
    field("company", Reference("core_company")),
    field("assigned_to", Reference("sys_user")),
    field("comments", Journal),
    field("approval", Choice(APPROVALS)),
    field("comments_and_work_notes", Journal),
    field("sys_mod_count", Integer),
    field("sys_tags", Text),
];

/// The incident, in the order of the recorded insert response.
const INCIDENT: TaskTable = TaskTable {
    state: INCIDENT_STATES,
    own: &[
        (
            "parent",
            &[
                field("made_sla", Boolean),
                field("caused_by", Reference("change_request")),
            ],
        ),
        ("watch_list", &[field("upon_reject", Choice(UPON_REJECT))]),
        (
            "sys_updated_on",
            &[
                field("child_incidents", Integer),
                field("hold_reason", Choice(HOLD_REASONS)),
            ],
        ),
        ("number", &[field("resolved_by", Reference("sys_user"))]),
        ("opened_by", &[field("user_input", Text)]),
        (
            "sys_created_by",
            &[
                field("knowledge", Boolean),
                field("order", Integer),
                field("calendar_stc", Integer),
            ],
        ),
        (
            "closed_at",
            &[
                field("cmdb_ci", Reference("cmdb_ci")),
                field("delivery_plan", Reference("sc_cat_item_delivery_plan")),
            ],
        ),
        (
            "active",
            &[
                field("work_notes_list", Text),
                field("business_service", Reference("cmdb_ci_service")),
            ],
        ),
        (
            "priority",
            &[
                field("sys_domain_path", Text),
                field("rfc", Reference("change_request")),
                field("time_worked", Text),
                field("expected_start", DateTime),
            ],
        ),
        (
            "opened_at",
            &[
                field("business_duration", Text),
                field("group_list", Text),
                field("work_end", DateTime),
                field("caller_id", Reference("sys_user")),
                field("resolved_at", DateTime),
                field("approval_set", DateTime),
                field("subcategory", Text),
            ],
        ),
        (
            "short_description",
            &[
                field("close_code", Choice(CLOSE_CODES)),
                field("correlation_display", Text),
                field("delivery_task", Reference("sc_cat_item_delivery_task")),
                field("work_start", DateTime),
            ],
        ),
        (
            "assignment_group",
            &[
                field("additional_assignee_list", Text),
                field("business_stc", Integer),
            ],
        ),
        ("description", &[field("calendar_duration", Text)]),
        ("close_notes", &[field("notify", Choice(NOTIFY))]),
        (
            "closed_by",
            &[
                field("follow_up", DateTime),
                field("parent_incident", Reference("incident")),
            ],
        ),
        (
            "sys_id",
            &[
                field("contact_type", Choice(CONTACT_TYPES)),
                field("incident_state", Choice(INCIDENT_STATES)),
            ],
        ),
        ("urgency", &[field("problem_id", Reference("problem"))]),
        (
            "company",
            &[
                field("reassignment_count", Integer),
                field("activity_due", DateTime),
            ],
        ),
        ("assigned_to", &[field("severity", Choice(SEVERITIES))]),
        ("approval", &[field("sla_due", DateTime)]),
        ("comments_and_work_notes", &[field("due_date", DateTime)]),
        ("sys_mod_count", &[field("reopen_count", Integer)]),
        (
            "sys_tags",
            &[
                field("escalation", Choice(ESCALATIONS)),
                field("upon_approval", Choice(UPON_APPROVAL)),
                field("correlation_id", Text),
                field("location", Reference("cmn_location")),
                field("category", Choice(CATEGORIES)),
            ],
        ),
    ],
};

/// The sys_user columns a developer instance returns, minus `user_password`, which the sandbox
/// keeps apart and never returns.
const SYS_USER_FIELDS: &[Field] = &[
    field("calendar_integration", Text),
    field("country", Text),
    field("last_position_update", DateTime),
    field("last_login_time", DateTime),
    field("source", Text),
    field("sys_updated_on", DateTime),
    field("building", Reference("cmn_building")),
    field("web_service_access_only", Boolean),
    field("notification", Choice(NOTIFICATION)),
    field("enable_multifactor_authn", Boolean),
    field("sys_updated_by", Text),
    field("sys_created_on", DateTime),
    field("sys_domain", Reference("sys_user_group")),
    field("state", Text),
    field("vip", Boolean),
    field("sys_created_by", Text),
    field("zip", Text),
    field("home_phone", Text),
    field("time_format", Text),
    field("last_login", Text),
    field("default_perspective", Reference("sys_perspective")),
    field("active", Boolean),
    field("sys_domain_path", Text),
    field("cost_center", Reference("cmn_cost_center")),
    field("phone", Text),
    field("name", Text),
    field("employee_number", Text),
    field("password_needs_reset", Boolean),
    field("gender", Text),
    field("city", Text),
    field("failed_attempts", Integer),
    field("user_name", Text),
    field("roles", Text),
    field("title", Text),
    field("sys_class_name", Text),
    field("sys_id", Text),
    field("internal_integration_user", Boolean),
    field("ldap_server", Reference("ldap_server_config")),
    field("mobile_phone", Text),
    field("street", Text),
    field("company", Reference("core_company")),
    field("department", Reference("cmn_department")),
    field("first_name", Text),
    field("email", Text),
    field("introduction", Text),
    field("preferred_language", Text),
    field("manager", Reference("sys_user")),
    field("locked_out", Boolean),
    field("sys_mod_count", Integer),
    field("last_name", Text),
    field("photo", Text),
    field("avatar", Text),
    field("middle_name", Text),
    field("sys_tags", Text),
    field("time_zone", Text),
    field("schedule", Reference("cmn_schedule")),
    field("date_format", Text),
    field("location", Reference("cmn_location")),
];

/// The request (`sc_request`), as a developer instance lists its columns.
const SC_REQUEST: TaskTable = TaskTable {
    state: TASK_STATES,
    own: &[
        (
            "opened_at",
            &[field("requested_for", Reference("sys_user"))],
        ),
        ("sys_id", &[field("contact_type", Choice(CONTACT_TYPES))]),
        ("comments_and_work_notes", &[field("due_date", DateTime)]),
        (
            "sys_mod_count",
            &[
                field("request_state", Choice(REQUEST_STATES)),
                field("stage", Text),
                field("price", Text),
                field("special_instructions", Text),
                field("delivery_address", Text),
            ],
        ),
        ("sys_tags", &[field("location", Reference("cmn_location"))]),
    ],
};

/// The requested item (`sc_req_item`).
const SC_REQ_ITEM: TaskTable = TaskTable {
    state: TASK_STATES,
    own: &[
        (
            "opened_at",
            &[field("requested_for", Reference("sys_user"))],
        ),
        ("sys_id", &[field("contact_type", Choice(CONTACT_TYPES))]),
        ("comments_and_work_notes", &[field("due_date", DateTime)]),
        (
            "sys_mod_count",
            &[
                field("request", Reference("sc_request")),
                field("cat_item", Reference("sc_cat_item")),
                field("quantity", Integer),
                field("price", Text),
                field("stage", Choice(ITEM_STAGES)),
            ],
        ),
        ("sys_tags", &[field("location", Reference("cmn_location"))]),
    ],
};

/// The change request.
const CHANGE_REQUEST: TaskTable = TaskTable {
    state: CHANGE_STATES,
    own: &[
        ("opened_at", &[field("requested_by", Reference("sys_user"))]),
        (
            "description",
            &[field("close_code", Choice(CHANGE_CLOSE_CODES))],
        ),
        (
            "sys_mod_count",
            &[
                field("type", Choice(CHANGE_TYPES)),
                field("risk", Choice(CHANGE_RISKS)),
                field("category", Text),
                field("start_date", DateTime),
                field("end_date", DateTime),
                field("justification", Text),
                field("implementation_plan", Text),
                field("backout_plan", Text),
                field("test_plan", Text),
                field("cmdb_ci", Reference("cmdb_ci")),
            ],
        ),
    ],
};

const SYS_USER_GROUP_FIELDS: &[Field] = &[
    field("parent", Reference("sys_user_group")),
    field("manager", Reference("sys_user")),
    field("roles", Text),
    field("sys_mod_count", Integer),
    field("active", Boolean),
    field("description", Text),
    field("source", Text),
    field("sys_updated_on", DateTime),
    field("type", Text),
    field("sys_tags", Text),
    field("sys_id", Text),
    field("sys_updated_by", Text),
    field("cost_center", Reference("cmn_cost_center")),
    field("default_assignee", Reference("sys_user")),
    field("sys_created_on", DateTime),
    field("name", Text),
    field("exclude_manager", Boolean),
    field("email", Text),
    field("include_members", Boolean),
    field("sys_created_by", Text),
];

const SYS_USER_GRMEMBER_FIELDS: &[Field] = &[
    field("sys_id", Text),
    field("sys_updated_by", Text),
    field("sys_created_on", DateTime),
    field("sys_mod_count", Integer),
    field("sys_updated_on", DateTime),
    field("sys_tags", Text),
    field("user", Reference("sys_user")),
    field("sys_created_by", Text),
    field("group", Reference("sys_user_group")),
];

/// Journal entries: `element` names the journal field, `element_id` the record, `name` its table.
const SYS_JOURNAL_FIELD_FIELDS: &[Field] = &[
    field("sys_id", Text),
    field("sys_created_on", DateTime),
    field("name", Text),
    field("element_id", Text),
    field("sys_tags", Text),
    field("value", Text),
    field("sys_created_by", Text),
    field("element", Choice(JOURNAL_ELEMENTS)),
];

/// Attachment metadata, in the order of the Attachment API's example (`c_AttachmentAPI.md`); the
/// API adds `download_link`.
pub(crate) const SYS_ATTACHMENT_FIELDS: &[Field] = &[
    field("table_sys_id", Text),
    field("size_bytes", Integer),
    field("sys_updated_on", DateTime),
    field("sys_id", Text),
    field("image_height", Text),
    field("sys_created_on", DateTime),
    field("file_name", Text),
    field("sys_created_by", Text),
    field("compressed", Boolean),
    field("average_image_color", Text),
    field("sys_updated_by", Text),
    field("sys_tags", Text),
    field("table_name", Text),
    field("image_width", Text),
    field("sys_mod_count", Integer),
    field("content_type", Text),
    field("size_compressed", Integer),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_tables_have_every_column_once() {
        // A run placed after a name that is not a task column would be dropped.
        for (table, n_fields) in [
            (INCIDENT, 81),
            (SC_REQUEST, 41),
            (SC_REQ_ITEM, 41),
            (CHANGE_REQUEST, 44),
        ] {
            let n_own: usize = table.own.iter().map(|(_, run)| run.len()).sum();
            assert_eq!(table.fields().len(), TASK_FIELDS.len() + n_own);
            assert_eq!(table.fields().len(), n_fields);
        }
    }
}
