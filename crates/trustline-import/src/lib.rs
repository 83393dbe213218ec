//! Call-list import: a CSV file streamed through column mapping, per-row
//! validation, deduplication and suppression into encrypted contacts, in
//! chunks that commit with their position so a crash resumes exactly there.

mod mapping;
mod pipeline;
mod records;
mod spool;

pub use mapping::{ColumnMapping, FIELDS, MAX_FIELD_BYTES, MappingError, Target, field_names, proposed_field};
pub use pipeline::{ImportError, ImportRequest, ImportSource, StartedImport, header_columns, run_import, start_import};
pub use records::{CsvRecords, MAX_RECORD_BYTES, Next, Record, sniff_delimiter};
pub use spool::{SPOOL_PREFIX, SealedSpool, SpoolReader, SpoolWriter, remove_leftover_spools};

/// The columns of the rejected-rows report.
pub const REPORT_COLUMNS: [&str; 3] = ["line", "field", "reason"];

/// One row of the rejected-rows report: line, column and reason (never the
/// values; a column name comes from the file, so it is text like any other).
pub fn write_rejection(csv: &mut trustline_domain::CsvWriter, rejection: &trustline_store::ImportRejection) {
    csv.integer(i64::try_from(rejection.line).unwrap_or(i64::MAX)).text(&rejection.field).text(&rejection.reason).end_row();
}
