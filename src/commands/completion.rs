//! `witpipe completion SHELL`: the shell's completion script for every command and flag.

use crate::diagnostics::Reported;
use clap::CommandFactory;

/// Print the completion script for SHELL (e.g. `witpipe completion bash >
/// ~/.local/share/bash-completion/completions/witpipe`).
#[derive(clap::Args)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let mut command = crate::Cli::command();
        clap_complete::generate(self.shell, &mut command, "witpipe", &mut std::io::stdout());
        Ok(())
    }
}
