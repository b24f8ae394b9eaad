//! Users and groups for assignee and group pickers, cached and refreshed by delta.

use std::collections::BTreeMap;

use crate::error::CoreError;
use crate::http::{HttpRequest, HttpResponse};
use crate::providers::servicenow::{check, wire, ServiceNow, User, MAX_PAGE_SIZE};
use crate::query::{Condition, EncodedQuery, Operator};
use crate::ticket::Timestamp;

/// A `sys_user_group` record, as much of it as Flare uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Group {
    /// The group's `sys_id`, what `assignment_group` holds.
    pub sys_id: String,
    /// The group's name.
    pub name: String,
}

/// Which directory table a request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryTable {
    /// `sys_user`
    Users,
    /// `sys_user_group`
    Groups,
}

/// Users and groups seen so far, and the watermark for fetching only what changed since.
///
/// Sans-IO: ask for [`DirectoryCache::refresh_request`], send it, hand the reply to
/// [`DirectoryCache::handle_refresh`]; repeat while it says more pages are waiting.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DirectoryCache {
    /// Active users by `sys_id`.
    pub users: BTreeMap<String, User>,
    /// Active groups by `sys_id`.
    pub groups: BTreeMap<String, Group>,
    /// The newest `sys_updated_on` seen per table; the next refresh asks for records after it.
    pub user_watermark: Option<Timestamp>,
    /// See `user_watermark`.
    pub group_watermark: Option<Timestamp>,
}

const USER_FIELDS: &str = "sys_id,user_name,name,email,active,sys_updated_on";
const GROUP_FIELDS: &str = "sys_id,name,active,sys_updated_on";
const REFRESH_PAGE: u32 = 1000;

impl ServiceNow {
    /// Active users whose name, login or e-mail contains `search`, for a picker.
    pub fn search_users_request(&self, search: &str, limit: u32) -> HttpRequest {
        let query = EncodedQuery::default()
            .and(Condition::new("active", Operator::Equals, "true"))
            .and(Condition::new("name", Operator::Like, search))
            .or(Condition::new("user_name", Operator::Like, search))
            .or(Condition::new("email", Operator::Like, search))
            .order_by("name");
        self.directory_request(DirectoryTable::Users, &query, limit)
    }

    /// The user with exactly this login name.
    pub fn user_by_login_request(&self, user_name: &str) -> HttpRequest {
        let query = EncodedQuery::default().and(Condition::new(
            "user_name",
            Operator::Equals,
            user_name.trim(),
        ));
        self.directory_request(DirectoryTable::Users, &query, 1)
    }

    /// The user with exactly this e-mail address.
    pub fn user_by_email_request(&self, email: &str) -> HttpRequest {
        let query =
            EncodedQuery::default().and(Condition::new("email", Operator::Equals, email.trim()));
        self.directory_request(DirectoryTable::Users, &query, 1)
    }

    /// Reads a list of users.
    pub fn parse_users(&self, response: &HttpResponse) -> Result<Vec<User>, CoreError> {
        wire::list_result(check(response, 200)?)?
            .iter()
            .map(user)
            .collect()
    }

    /// Active groups whose name contains `search`.
    pub fn search_groups_request(&self, search: &str, limit: u32) -> HttpRequest {
        let query = EncodedQuery::default()
            .and(Condition::new("active", Operator::Equals, "true"))
            .and(Condition::new("name", Operator::Like, search))
            .order_by("name");
        self.directory_request(DirectoryTable::Groups, &query, limit)
    }

    /// Reads a list of groups.
    pub fn parse_groups(&self, response: &HttpResponse) -> Result<Vec<Group>, CoreError> {
        wire::list_result(check(response, 200)?)?
            .iter()
            .map(group)
            .collect()
    }

    /// The groups `user_sys_id` is a member of (`sys_user_grmember`), for the "my groups" list.
    /// Read the reply with [`ServiceNow::parse_group_ids`].
    pub fn member_groups_request(&self, user_sys_id: &str) -> HttpRequest {
        let query =
            EncodedQuery::default().and(Condition::new("user", Operator::Equals, user_sys_id));
        self.get(
            "sys_user_grmember",
            &[
                ("sysparm_query", &query.to_string()),
                ("sysparm_fields", "group"),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_limit", &MAX_PAGE_SIZE.to_string()),
            ],
        )
    }

    /// Reads the reply to [`ServiceNow::member_groups_request`]: the groups' `sys_id`s.
    pub fn parse_group_ids(&self, response: &HttpResponse) -> Result<Vec<String>, CoreError> {
        Ok(wire::list_result(check(response, 200)?)?
            .iter()
            .filter_map(|membership| membership.value("group"))
            .filter(|group| !group.is_empty())
            .map(str::to_owned)
            .collect())
    }

    fn directory_request(
        &self,
        table: DirectoryTable,
        query: &EncodedQuery,
        limit: u32,
    ) -> HttpRequest {
        let (name, fields) = match table {
            DirectoryTable::Users => ("sys_user", USER_FIELDS),
            DirectoryTable::Groups => ("sys_user_group", GROUP_FIELDS),
        };
        let limit = limit.clamp(1, MAX_PAGE_SIZE).to_string();
        self.get(
            name,
            &[
                ("sysparm_query", &query.to_string()),
                ("sysparm_fields", fields),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_limit", &limit),
            ],
        )
    }
}

impl DirectoryCache {
    /// The next request of a delta refresh: records of `table` changed after the watermark,
    /// oldest first, inactive ones included so the cache can drop them.
    pub fn refresh_request(&self, servicenow: &ServiceNow, table: DirectoryTable) -> HttpRequest {
        let watermark = match table {
            DirectoryTable::Users => self.user_watermark,
            DirectoryTable::Groups => self.group_watermark,
        };
        let mut query = EncodedQuery::default();
        if let Some(since) = watermark {
            query = query.and(Condition::new(
                "sys_updated_on",
                Operator::GreaterThanOrEquals,
                &since.to_servicenow(),
            ));
        }
        servicenow.directory_request(table, &query.order_by("sys_updated_on"), REFRESH_PAGE)
    }

    /// Applies a refresh reply; `Ok(true)` when a full page came back and another request is due.
    ///
    /// The watermark is inclusive (`>=`) because several records can share the last second; records
    /// seen again are simply replaced.
    pub fn handle_refresh(
        &mut self,
        table: DirectoryTable,
        response: &HttpResponse,
    ) -> Result<bool, CoreError> {
        let records = wire::list_result(check(response, 200)?)?;
        let n_records = records.len();
        let previous = match table {
            DirectoryTable::Users => self.user_watermark,
            DirectoryTable::Groups => self.group_watermark,
        };
        let mut newest = previous;
        for record in &records {
            let active = record.value("active") != Some("false");
            newest = newest.max(record.timestamp("sys_updated_on"));
            match table {
                DirectoryTable::Users => {
                    let user = user(record)?;
                    match active {
                        true => self.users.insert(user.sys_id.clone(), user),
                        false => self.users.remove(&user.sys_id),
                    };
                }
                DirectoryTable::Groups => {
                    let group = group(record)?;
                    match active {
                        true => self.groups.insert(group.sys_id.clone(), group),
                        false => self.groups.remove(&group.sys_id),
                    };
                }
            }
        }
        match table {
            DirectoryTable::Users => self.user_watermark = newest,
            DirectoryTable::Groups => self.group_watermark = newest,
        }
        // A full page whose records all share the watermark second would ask for itself forever.
        let advanced = newest > previous;
        Ok(n_records >= REFRESH_PAGE as usize && advanced)
    }
}

fn user(record: &wire::Record) -> Result<User, CoreError> {
    Ok(User {
        sys_id: record.required("sys_id")?.to_owned(),
        user_name: record.value("user_name").unwrap_or_default().to_owned(),
        name: record.display("name").unwrap_or_default().to_owned(),
        email: record.value("email").unwrap_or_default().to_owned(),
    })
}

fn group(record: &wire::Record) -> Result<Group, CoreError> {
    Ok(Group {
        sys_id: record.required("sys_id")?.to_owned(),
        name: record.display("name").unwrap_or_default().to_owned(),
    })
}
