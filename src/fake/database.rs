//! A database for one test: a SQLite file, or a schema of its own in PostgreSQL.

use crate::store::Store;
use anyhow::bail;

/// A database for one test: a SQLite file, or a fresh schema in the PostgreSQL named by
/// `BANTO_TEST_DATABASE_URL`. Removed on drop.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema { admin_url: String, schema: String },
}

impl TestDatabase {
    pub async fn new() -> anyhow::Result<Self> {
        let tag = format!("{}_{:016x}", std::process::id(), rand::random::<u64>());
        match std::env::var("BANTO_TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let schema = format!("t_{tag}");
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
                sqlx::Executor::execute(
                    &mut conn,
                    sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")),
                )
                .await?;
                let sep = if url.contains('?') { '&' } else { '?' };
                Ok(Self {
                    url: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
                    cleanup: Cleanup::Schema {
                        admin_url: url,
                        schema,
                    },
                })
            }
            Ok(url) if url.starts_with("sqlite") => Ok(Self {
                url: url.clone(),
                cleanup: Cleanup::File(std::path::PathBuf::new()),
            }),
            Ok(other) => {
                bail!("BANTO_TEST_DATABASE_URL must be sqlite: or postgres:, got {other:?}")
            }
            Err(_) => {
                let path = std::env::temp_dir().join(format!("banto-test-{tag}.db"));
                Ok(Self {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::File(path),
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) if !path.as_os_str().is_empty() => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::File(_) => {}
            Cleanup::Schema { admin_url, schema } => {
                let (url, sql) = (
                    admin_url.clone(),
                    format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                );
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async {
                        let mut conn =
                            <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
                        sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(sql)).await?;
                        anyhow::Ok(())
                    })
                })
                .join();
            }
        }
    }
}

impl TestDatabase {
    /// A fresh database with banto's schema, and the store on it.
    pub async fn store(&self) -> anyhow::Result<Store> {
        let store = Store::connect(&self.url, 4).await?;
        store.migrate().await?;
        Ok(store)
    }
}
