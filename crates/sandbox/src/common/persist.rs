//! What every server's `--data DIR` shares: the error and the way a database file is opened. The
//! instance (`crate::servicenow::persist`), the Virtual Agent (`crate::va::persist`) and the
//! Zendesk account (`crate::zendesk::persist`) each keep their own file in the one directory.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Row};

/// Why the data directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// SQLite refused to open or read the database.
    #[error("cannot use the sandbox database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored record is not a JSON object.
    #[error("corrupt record {sys_id} in table {table}")]
    Corrupt {
        /// The table.
        table: String,
        /// The record.
        sys_id: String,
    },
}

/// Opens (creating the directory and the file if needed) the database `file_name` in `dir`, in
/// WAL mode, and creates the tables of `schema` that are not there yet.
pub(crate) fn open_database(
    dir: &Path,
    file_name: &str,
    schema: &str,
) -> Result<Connection, StoreError> {
    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
        path: dir.display().to_string(),
        source,
    })?;
    let connection = Connection::open(dir.join(file_name))?;
    connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    connection.execute_batch(schema)?;
    Ok(connection)
}

/// Whether `table` has no rows: a fresh database, to be seeded.
pub(crate) fn is_empty(connection: &Connection, table: &str) -> Result<bool, StoreError> {
    let any: Option<i64> = connection
        .query_row(&format!("SELECT 1 FROM {table} LIMIT 1"), [], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(any.is_none())
}

/// Every row `query` selects, each read as the tuple of its columns, such as `(String, i64)`.
pub(crate) fn rows<T>(connection: &Connection, query: &str) -> Result<Vec<T>, StoreError>
where
    T: for<'row> TryFrom<&'row Row<'row>, Error = rusqlite::Error>,
{
    let mut statement = connection.prepare(query)?;
    let rows = statement.query_map([], |row| T::try_from(row))?;
    Ok(rows.collect::<Result<Vec<T>, rusqlite::Error>>()?)
}
