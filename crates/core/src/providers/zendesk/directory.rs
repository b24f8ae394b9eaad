//! Groups and agents for Zendesk's assignee and group pickers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::http::{query_string, HttpRequest, HttpResponse};
use crate::providers::zendesk::wire::{parse_json, WirePaging, WireUser};
use crate::providers::zendesk::{check, list_page, ListPage, Paging, SyncPoint, User, Zendesk};

/// A group tickets can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Zendesk's id for the group, what `group_id` holds.
    pub id: u64,
    /// The group's name.
    pub name: String,
}

#[derive(Deserialize)]
struct GroupList {
    groups: Vec<WireGroup>,
    #[serde(flatten)]
    paging: WirePaging,
}

#[derive(Deserialize)]
struct AgentList {
    users: Vec<WireUser>,
    #[serde(flatten)]
    paging: WirePaging,
}

#[derive(Deserialize)]
struct WireGroup {
    id: u64,
    name: String,
    #[serde(default)]
    deleted: bool,
}

impl Zendesk {
    /// A page of the groups the signed-in agent may assign tickets to (`GET /api/v2/groups/assignable`,
    /// at most 100 per page; groups.yml). Read the reply with [`Zendesk::parse_group_page`] and
    /// follow its `next` until there is none: a picker must not stop at the first 100.
    pub fn assignable_groups_request(&self, paging: &Paging) -> Result<HttpRequest, CoreError> {
        Ok(self.get(&format!(
            "/api/v2/groups/assignable.json?{}",
            paging.list_query()?
        )))
    }

    /// Reads a page of groups, leaving out deleted ones; `paging` is the one the request asked for.
    pub fn parse_group_page(
        &self,
        response: &HttpResponse,
        paging: &Paging,
    ) -> Result<ListPage<Group>, CoreError> {
        let list: GroupList = parse_json(&check(response)?.text(), "a group list")?;
        let groups = list
            .groups
            .into_iter()
            .filter(|group| !group.deleted)
            .map(|group| Group {
                id: group.id,
                name: group.name,
            })
            .collect();
        list_page(groups, &list.paging, paging)
    }

    /// A page of the people tickets can be assigned to: agents and admins (`GET /api/v2/users`
    /// filtered by `role[]`; users.yml). Read the reply with [`Zendesk::parse_agent_page`].
    pub fn assignable_agents_request(&self, paging: &Paging) -> Result<HttpRequest, CoreError> {
        let roles = query_string(&[("role[]", "agent"), ("role[]", "admin")]);
        Ok(self.get(&format!(
            "/api/v2/users.json?{roles}&{}",
            paging.list_query()?
        )))
    }

    /// Reads a page of agents; `paging` is the one the request asked for.
    pub fn parse_agent_page(
        &self,
        response: &HttpResponse,
        paging: &Paging,
    ) -> Result<ListPage<User>, CoreError> {
        let list: AgentList = parse_json(&check(response)?.text(), "a user list")?;
        let agents = list
            .users
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?;
        list_page(agents, &list.paging, paging)
    }

    /// Finds the agent or user with exactly this e-mail address among search results.
    pub fn exact_user_by_email(users: Vec<User>, email: &str) -> Option<User> {
        users.into_iter().find(|user| {
            user.email
                .as_deref()
                .is_some_and(|address| address.eq_ignore_ascii_case(email.trim()))
        })
    }
}

/// The account's users, kept up to date by the cursor-based incremental user export
/// (`/api/v2/incremental/users/cursor`, incremental.yml; admins only): the first refresh starts at a
/// time, later ones continue from the stored cursor and bring only what changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZendeskDirectory {
    /// Active users by id.
    pub users: BTreeMap<u64, User>,
    /// Where the next refresh continues; `None` before the first.
    pub sync: Option<SyncPoint>,
}

#[derive(Deserialize)]
struct UserExport {
    users: Vec<WireUser>,
    after_cursor: Option<String>,
    end_of_stream: bool,
}

impl ZendeskDirectory {
    /// The next export request; a first refresh asks for everything changed since `start_time`
    /// (Unix seconds; 0 for the whole directory).
    pub fn refresh_request(&self, zendesk: &Zendesk, start_time: u64) -> HttpRequest {
        let query = match self.sync.as_ref().unwrap_or(&SyncPoint::Since(start_time)) {
            SyncPoint::Since(start_time) => {
                query_string(&[("start_time", &start_time.to_string())])
            }
            SyncPoint::Cursor(cursor) => query_string(&[("cursor", cursor)]),
        };
        zendesk.get(&format!("/api/v2/incremental/users/cursor.json?{query}"))
    }

    /// Applies an export page: changed users replace their copy, deleted ones leave. `Ok(true)`
    /// while the export has more pages right now.
    pub fn handle_refresh(&mut self, response: &HttpResponse) -> Result<bool, CoreError> {
        let export: UserExport = parse_json(&check(response)?.text(), "a user export")?;
        for wire in export.users {
            let active = wire.is_active();
            let user = User::try_from(wire)?;
            match active {
                true => self.users.insert(user.id, user),
                false => self.users.remove(&user.id),
            };
        }
        if let Some(cursor) = export.after_cursor {
            self.sync = Some(SyncPoint::Cursor(cursor));
        }
        Ok(!export.end_of_stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::zendesk::tests::{json_response, zendesk};
    use crate::providers::zendesk::CursorPage;

    #[test]
    fn groups_come_from_the_assignable_list() {
        let first = Paging::Cursor(CursorPage {
            size: 100,
            after: None,
        });
        let request = zendesk()
            .assignable_groups_request(&first)
            .expect("a request");
        assert_eq!(
            request.url,
            "https://acme.zendesk.com/api/v2/groups/assignable.json?page%5Bsize%5D=100"
        );
        // The example reply of groups.yml, with one deleted group and cursor paging added.
        let reply = json_response(
            200,
            r#"{"groups":[{"description":"Engineering","id":9182736455,"name":"Group for Bugs for Engineering"},
                {"description":"Product","id":1928374655,"name":"Group for feature requests","deleted":true},
                {"description":"Customer Support","id":5519283746,"name":"Group for customer inquiries"}],
                "meta":{"has_more":true,"after_cursor":"xyz"},"links":{"next":"https://elsewhere/x"}}"#,
        );
        let page = zendesk().parse_group_page(&reply, &first).expect("parses");
        assert_eq!(
            page.items.iter().map(|group| group.id).collect::<Vec<_>>(),
            [9182736455, 5519283746]
        );
        let next = Paging::Cursor(CursorPage {
            size: 100,
            after: Some("xyz".into()),
        });
        assert_eq!(
            page.next,
            Some(next),
            "a picker goes on past the first 100 groups"
        );
        let refused =
            zendesk().parse_group_page(&json_response(403, r#"{"error":"Forbidden"}"#), &first);
        assert!(matches!(refused, Err(CoreError::Forbidden { .. })));
    }

    #[test]
    fn agents_are_listed_by_role() {
        let paging = Paging::Cursor(CursorPage {
            size: 100,
            after: None,
        });
        let request = zendesk()
            .assignable_agents_request(&paging)
            .expect("a request");
        assert_eq!(
            request.url,
            "https://acme.zendesk.com/api/v2/users.json?role%5B%5D=agent&role%5B%5D=admin&page%5Bsize%5D=100"
        );
        let reply = json_response(
            200,
            r#"{"users":[{"id":1,"name":"Ann","role":"agent"}],"meta":{"has_more":false,"after_cursor":null}}"#,
        );
        let page = zendesk().parse_agent_page(&reply, &paging).expect("parses");
        assert_eq!((page.items.len(), page.next), (1, None));
        let users = vec![
            User {
                id: 1,
                name: "Ann".into(),
                email: Some("ann@example.com".into()),
                role: "agent".into(),
            },
            User {
                id: 2,
                name: "Bo".into(),
                email: None,
                role: "admin".into(),
            },
        ];
        assert_eq!(
            Zendesk::exact_user_by_email(users.clone(), " ANN@example.com").map(|user| user.id),
            Some(1)
        );
        assert_eq!(Zendesk::exact_user_by_email(users, "bo@example.com"), None);
    }

    #[test]
    fn the_directory_follows_the_user_export() {
        let mut directory = ZendeskDirectory::default();
        let first = directory.refresh_request(&zendesk(), 0);
        assert_eq!(
            first.url,
            "https://acme.zendesk.com/api/v2/incremental/users/cursor.json?start_time=0"
        );
        let page = json_response(
            200,
            r#"{"users":[{"id":1,"name":"Ann","email":"ann@example.com","role":"agent","active":true},
                         {"id":2,"name":"Bo","email":"bo@example.com","role":"end-user","active":true}],
                "after_cursor":"c1","before_cursor":null,"end_of_stream":false}"#,
        );
        assert_eq!(directory.handle_refresh(&page), Ok(true));
        assert_eq!(directory.users.len(), 2);
        let next = directory.refresh_request(&zendesk(), 0);
        assert_eq!(
            next.url,
            "https://acme.zendesk.com/api/v2/incremental/users/cursor.json?cursor=c1"
        );
        let later = json_response(
            200,
            r#"{"users":[{"id":2,"name":"Bo","active":false},{"id":3,"name":"Cy","role":"admin"}],
                "after_cursor":"c2","end_of_stream":true}"#,
        );
        assert_eq!(directory.handle_refresh(&later), Ok(false));
        assert_eq!(directory.users.keys().copied().collect::<Vec<_>>(), [1, 3]);
        assert_eq!(directory.sync, Some(SyncPoint::Cursor("c2".into())));
    }
}
