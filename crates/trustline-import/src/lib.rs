//! Call-list import: a CSV file streamed through column mapping, per-row
//! validation, deduplication and suppression into encrypted contacts, in
//! chunks that commit with their position so a crash resumes exactly there.

mod mapping;
mod pipeline;
mod records;

pub use mapping::{ColumnMapping, MAX_FIELD_BYTES, MappingError, Target};
pub use pipeline::{ImportError, ImportRequest, run_import};
pub use records::{CsvRecords, MAX_RECORD_BYTES, Next, Record};
