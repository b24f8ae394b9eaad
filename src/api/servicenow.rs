//! The calls to a ServiceNow instance: who signed in, filing an incident, the user's incidents.

use std::collections::BTreeMap;

use flare_core::auth::Credentials;
use flare_core::instance::InstanceUrl;
use flare_core::paging::Page;
use flare_core::providers::servicenow::{NewIncident, SafeCreate, ServiceNow, Table, User};
use flare_core::ticket::Ticket;

use crate::api::{drive, send_with_retries, AppError, Connection, ReportId, PAGE_SIZE};
use crate::browser::{Clock, Http, Random};

/// The `sys_user` the credentials sign in as.
pub(crate) async fn current_user(
    platform: &(impl Http + Clock + Random + ?Sized),
    instance: &InstanceUrl,
    credentials: &Credentials,
) -> Result<User, AppError> {
    let servicenow = ServiceNow::new(instance.clone(), credentials.clone());
    let response = send_with_retries(platform, servicenow.current_user_request()).await?;
    Ok(servicenow.parse_user(&response)?)
}

/// Files `incident` with `caller` as its caller and the template's `fixed` values, safe to retry
/// by its correlation id.
pub(crate) async fn create_incident(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    caller: &User,
    incident: NewIncident,
    fixed: BTreeMap<String, String>,
    report: ReportId<'_>,
) -> Result<Ticket, AppError> {
    let mut fields = fixed;
    fields.extend(
        NewIncident {
            caller_id: caller.sys_id.clone(),
            ..incident
        }
        .fields(),
    );
    let create = SafeCreate::new(
        client(connection),
        Table::Incident,
        fields,
        report.correlation_id,
    );
    let create = match report.tried_before {
        true => create.looking_up_first(),
        false => create,
    };
    drive(platform, create).await
}

/// A page of the incidents `caller` reported, newest change first.
pub(crate) async fn my_incidents(
    platform: &(impl Http + Clock + Random + ?Sized),
    connection: &Connection,
    caller: &User,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    let servicenow = client(connection);
    let request = servicenow.my_incidents_request(&caller.sys_id, PAGE_SIZE, offset);
    let response = send_with_retries(platform, request).await?;
    Ok(servicenow.parse_incident_page(&response, PAGE_SIZE, offset)?)
}

fn client(connection: &Connection) -> ServiceNow {
    ServiceNow::new(connection.instance.clone(), connection.credentials.clone())
}
