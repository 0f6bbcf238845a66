//! Stage 2: each version of each file decoded, outlined and scoped once (in parallel), and
//! handed on: to the helper stage, then to the file's own check, which parses only the
//! functions it analyses.

use rayon::prelude::*;

use crate::python::file::Prepared;
use crate::source::ChangedFile;

/// Every file with its versions prepared (the new one may be already, by the pre-filter).
pub(super) fn all(
    files: Vec<(&ChangedFile, Option<Prepared>)>,
) -> (Vec<&ChangedFile>, Vec<Versions>) {
    files
        .into_par_iter()
        .map(|(f, new)| (f, Versions::with(f, new)))
        .unzip()
}

/// A changed file's new and old versions, prepared once.
pub(super) struct Versions {
    pub(super) new: Prepared,
    pub(super) old: Option<Prepared>,
}

impl Versions {
    pub(super) fn of(f: &ChangedFile) -> Versions {
        Versions::with(f, None)
    }

    /// With the new version already prepared, if it was (by the pre-filter).
    fn with(f: &ChangedFile, new: Option<Prepared>) -> Versions {
        Versions {
            new: new.unwrap_or_else(|| Prepared::new(f.path.clone(), &f.new)),
            old: f.old.as_ref().map(|o| Prepared::new(f.path.clone(), o)),
        }
    }
}
