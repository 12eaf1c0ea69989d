//! Ctrl-C and SIGTERM: stop at once, removing the partial output file, so that the
//! final output path never holds an incomplete file. (A process killed with
//! SIGKILL cannot clean up; it leaves only the `.NAME.PID.partial` temporary file,
//! never a file at the final path.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary output files of this process not yet renamed into place.
static PARTIAL: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Exit status after SIGINT/SIGTERM (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Installs the handler once (later calls do nothing).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Failure to install (another handler present) leaves the default
        // behaviour: the process dies and only the temporary file remains.
        let _ = ctrlc::set_handler(|| {
            let files = PARTIAL.lock().unwrap_or_else(|e| e.into_inner());
            for f in files.iter() {
                let _ = std::fs::remove_file(f);
            }
            eprintln!("interrupted: no output written");
            // The lock is held until exit, so no rename can follow the removal.
            std::process::exit(EXIT_INTERRUPTED);
        });
    });
}

/// Records a temporary file to remove on interruption.
pub fn register(path: &Path) {
    install();
    PARTIAL
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
}

/// Runs `f` (the rename into place or the removal of `path`) while no interruption
/// can remove files, then forgets `path`.
pub fn settle<T>(path: &Path, f: impl FnOnce() -> T) -> T {
    let mut files = PARTIAL.lock().unwrap_or_else(|e| e.into_inner());
    let r = f();
    files.retain(|p| p != path);
    r
}
