//! Every remote call the app makes: core builds the request, the platform sends it, core reads
//! the reply. Components call these and never build a URL.

use flare_core::auth::Credentials;
use flare_core::error::CoreError;
use flare_core::http::HttpRequest;
use flare_core::instance::InstanceUrl;
use flare_core::paging::Page;
use flare_core::providers::servicenow::{NewIncident, ServiceNow, User};
use flare_core::ticket::Ticket;
use serde::{Deserialize, Serialize};

use crate::browser::{BrowserError, PlatformHandle};

/// Storage key of the saved connection.
pub const CONNECTION_KEY: &str = "connection";

/// How many incidents one page of "My incidents" shows.
pub const PAGE_SIZE: u32 = 20;

/// A checked, saved connection to one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// The instance.
    pub instance: InstanceUrl,
    /// How Flare signs in.
    pub credentials: Credentials,
    /// The signed-in user, resolved once when connecting.
    pub user: User,
}

/// Why a remote call failed, from the instance or from the browser.
#[derive(Debug, Clone, PartialEq)]
pub enum AppError {
    /// The instance (or the way to it) said no; see the variant.
    Core(CoreError),
    /// The user declined access to the instance's address.
    PermissionDenied {
        /// The host that was asked for.
        host: String,
    },
    /// Extension storage or another browser API failed.
    Browser(String),
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> AppError {
        AppError::Core(error)
    }
}

impl From<BrowserError> for AppError {
    fn from(error: BrowserError) -> AppError {
        match error {
            BrowserError::Network(message) => AppError::Core(CoreError::Network { message }),
            BrowserError::Api(message) => AppError::Browser(message),
        }
    }
}

impl Connection {
    fn servicenow(&self) -> ServiceNow {
        ServiceNow::new(self.instance.clone(), self.credentials.clone())
    }
}

/// Checks an instance address and credentials by looking the user up; asks for host access first.
pub async fn test_connection(
    platform: &PlatformHandle,
    instance_input: &str,
    credentials: Credentials,
) -> Result<Connection, AppError> {
    let instance = InstanceUrl::parse_servicenow(instance_input)?;
    if !platform
        .request_host_permission(&instance.permission_pattern())
        .await?
    {
        return Err(AppError::PermissionDenied {
            host: instance.host().to_owned(),
        });
    }
    let servicenow = ServiceNow::new(instance.clone(), credentials.clone());
    let response = send(platform, servicenow.current_user_request()).await?;
    let user = servicenow.parse_user(&response)?;
    Ok(Connection {
        instance,
        credentials,
        user,
    })
}

/// Saves a tested connection.
pub async fn save_connection(
    platform: &PlatformHandle,
    connection: &Connection,
) -> Result<(), AppError> {
    let value = serde_json::to_value(connection).expect("a connection always serialises");
    Ok(platform.save(CONNECTION_KEY, value).await?)
}

/// The saved connection, if any; a stored value that no longer parses counts as none.
pub async fn load_connection(platform: &PlatformHandle) -> Result<Option<Connection>, AppError> {
    let stored = platform.load(CONNECTION_KEY).await?;
    Ok(stored.and_then(|value| serde_json::from_value(value).ok()))
}

/// Forgets the saved connection.
pub async fn forget_connection(platform: &PlatformHandle) -> Result<(), AppError> {
    Ok(platform.remove(CONNECTION_KEY).await?)
}

/// Files an incident as the connected user.
pub async fn create_incident(
    platform: &PlatformHandle,
    connection: &Connection,
    incident: NewIncident,
) -> Result<Ticket, AppError> {
    let servicenow = connection.servicenow();
    let incident = NewIncident {
        caller_id: connection.user.sys_id.clone(),
        ..incident
    };
    let response = send(platform, servicenow.create_incident_request(&incident)).await?;
    Ok(servicenow.parse_incident(&response)?)
}

/// A page of the incidents the connected user reported, newest change first.
pub async fn my_incidents(
    platform: &PlatformHandle,
    connection: &Connection,
    offset: u64,
) -> Result<Page<Ticket>, AppError> {
    let servicenow = connection.servicenow();
    let response = send(
        platform,
        servicenow.my_incidents_request(&connection.user.sys_id, PAGE_SIZE, offset),
    )
    .await?;
    Ok(servicenow.parse_incident_page(&response, PAGE_SIZE, offset)?)
}

async fn send(
    platform: &PlatformHandle,
    request: HttpRequest,
) -> Result<flare_core::http::HttpResponse, AppError> {
    Ok(platform.send(request).await?)
}
