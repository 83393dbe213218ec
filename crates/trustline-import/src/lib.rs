//! Call-list import: a CSV file streamed through column mapping, per-row
//! validation, deduplication and suppression into encrypted contacts, in
//! chunks that commit with their position so a crash resumes exactly there.

mod mapping;
mod pipeline;
mod records;

pub use mapping::{ColumnMapping, MAX_FIELD_BYTES, MappingError, Target};
pub use pipeline::{ImportError, ImportRequest, StartedImport, run_import, start_import};
pub use records::{CsvRecords, MAX_RECORD_BYTES, Next, Record};

/// One line of the rejected-rows report as CSV (`line,field,reason`).
pub fn report_line(rejection: &trustline_store::ImportRejection) -> String {
    let cell = |value: &str| {
        if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value.to_owned() }
    };
    format!("{},{},{}\n", rejection.line, cell(&rejection.field), cell(&rejection.reason))
}
