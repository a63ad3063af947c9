//! `narada`: parse the command line, set up logging, and hand over to the library.

use clap::Parser;
use narada_server::cli::{base_config, Cli, Command};
use tokio_util::sync::CancellationToken;

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args.merged(cli.serve)).await,
        Some(Command::Token(args)) => {
            init_tracing("text");
            let config = base_config(&args.common)?;
            let store = narada_store::connect(&config.database_url).await?;
            let key = narada_server::secret::resolve(config.secret.as_deref(), &*store).await?;
            let doc = narada_store::DocId::parse(&args.doc)
                .map_err(|_| anyhow::anyhow!("document names are 1-128 of A-Z a-z 0-9 . _ -"))?;
            println!(
                "{}",
                key.issue(doc.as_str(), &args.user, args.role, args.ttl.as_secs())
            );
            Ok(())
        }
        Some(Command::Admin(narada_server::cli::AdminCommand::CreateUser(args))) => {
            init_tracing("text");
            create_user(args).await
        }
        Some(Command::Seed(args)) => {
            init_tracing("text");
            seed(args).await
        }
        Some(Command::Openapi) => {
            print!("{}", narada_server::openapi::spec());
            Ok(())
        }
        Some(Command::Migrate(common)) => {
            init_tracing("text");
            let config = base_config(&common)?;
            narada_store::connect(&config.database_url).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
    }
}

async fn serve(args: narada_server::cli::ServeArgs) -> anyhow::Result<()> {
    let config = args.into_config()?;
    init_tracing(&config.log_format);
    // A panic anywhere is logged through tracing; socket tasks survive their own panics.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(panic = %info, "panic");
    }));
    raise_open_files_limit();
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("binding {}: {e}", config.addr))?;
    let shutdown = CancellationToken::new();
    let trigger = shutdown.clone();
    tokio::spawn(async move {
        stop_signal().await;
        trigger.cancel();
    });
    narada_server::run(config, listener, shutdown).await
}

/// Every connection is a file descriptor, and the usual soft limit (1024) would cap a node at
/// about a thousand clients while the hard limit allows far more: raise the soft limit to the
/// hard one, as other servers do, and say what it is.
fn raise_open_files_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(limit, "open files limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open files limit"),
    }
}

/// Opens the database (running every migration, the accounts tables included) for the accounts
/// commands.
async fn accounts_db(
    common: &narada_server::cli::CommonArgs,
) -> anyhow::Result<narada_accounts::Db> {
    let config = base_config(common)?;
    narada_store::connect(&config.database_url).await?;
    Ok(narada_accounts::Db::connect(&config.database_url).await?)
}

/// `narada admin create-user`.
async fn create_user(args: narada_server::cli::CreateUserArgs) -> anyhow::Result<()> {
    let role = narada_accounts::policy::AccountRole::parse(&args.role).ok_or_else(|| {
        anyhow::anyhow!("role must be admin, moderator, editor, commenter or viewer")
    })?;
    let password = match args.password {
        Some(p) => p,
        None => {
            eprintln!("password (one line on standard input):");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let db = accounts_db(&args.common).await?;
    let user = narada_accounts::NewUser {
        email: &args.email,
        name: &args.name,
        password: &password,
        role,
        cities: &args.cities,
        networks: &args.networks,
    };
    let person =
        narada_accounts::create_user(&db, &narada_accounts::AccountsConfig::default(), &user)
            .await?;
    println!(
        "created {} <{}> as {} (id {})",
        person.name,
        person.email,
        person.role.as_str(),
        person.id
    );
    Ok(())
}

/// `narada seed --demo`.
async fn seed(args: narada_server::cli::SeedArgs) -> anyhow::Result<()> {
    if !args.demo {
        anyhow::bail!("nothing to do: pass --demo to fill a demo installation");
    }
    let db = accounts_db(&args.common).await?;
    let accounts =
        narada_accounts::seed_demo(&db, &narada_accounts::AccountsConfig::default()).await?;
    println!(
        "demo accounts (password for all: {}):",
        narada_accounts::DEMO_PASSWORD
    );
    for a in accounts {
        println!("  {:<10} {:<26} {}", a.role.as_str(), a.email, a.name);
    }
    Ok(())
}
