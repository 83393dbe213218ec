//! The import run: a reader thread parses, maps and validates rows; the async
//! side deduplicates against the database, seals and commits chunk by chunk.

use crate::spool::SealedSpool;
use crate::{ColumnMapping, CsvRecords, MappingError, Next, Record};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_crypto::BlindIndexKey;
use trustline_domain::contact::{CustomFieldDef, ValidatedContact};
use trustline_domain::{AuditAction, Clock, ContactId, TenantId};
use trustline_phone::PhoneRules;
use trustline_store::{
    ConsentState, Digest, IdKind, ImportChunk, ImportCounts, ImportRecord, ImportRejection, NewContact, NewImport, StoreError,
};
use trustline_vault::{Vault, VaultError, phone_digest};

/// What an import reads: a file the operator names, or an upload's sealed spool.
#[derive(Clone)]
pub enum ImportSource {
    File(PathBuf),
    Upload(Arc<SealedSpool>),
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl ImportSource {
    fn describe(&self) -> String {
        match self {
            ImportSource::File(path) => path.display().to_string(),
            ImportSource::Upload(_) => "the uploaded file".into(),
        }
    }

    fn open(&self) -> Result<Box<dyn ReadSeek>, ImportError> {
        let opened: std::io::Result<Box<dyn ReadSeek>> = match self {
            ImportSource::File(path) => std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn ReadSeek>),
            ImportSource::Upload(spool) => spool.reader().map(|r| Box::new(r) as Box<dyn ReadSeek>),
        };
        opened.map_err(self.io_error())
    }

    fn io_error(&self) -> impl Fn(std::io::Error) -> ImportError + '_ {
        move |source| ImportError::Io { path: self.describe(), source }
    }
}

#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub tenant: TenantId,
    pub list: String,
    pub source: ImportSource,
    /// The name the file is known by (for uploads, not the temporary path).
    pub file_name: String,
    /// `column=field` pairs.
    pub overrides: Vec<String>,
    pub phone_rules: PhoneRules,
    pub actor: String,
    /// Rows per committed chunk.
    pub chunk_rows: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("this file's interrupted import into this list used another column mapping; resume it with the same column mapping")]
    MappingChanged,
    #[error("list name must be 1 to 100 characters, not blank")]
    ListName,
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("the file reader stopped unexpectedly")]
    Reader,
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Vault(VaultError::Store(e))
    }
}

/// One valid row, with the blind indexes of its numbers.
struct ParsedRow {
    line: u64,
    contact: ValidatedContact,
    digests: Vec<Digest>,
}

struct ParsedChunk {
    rows: Vec<ParsedRow>,
    rejections: Vec<ImportRejection>,
    to_offset: u64,
    to_line: u64,
    last: bool,
}

/// SHA-256 of the whole file: what identifies an import to resume.
fn file_digest(source: &ImportSource) -> Result<Digest, ImportError> {
    use sha2::Digest as _;
    let mut file = source.open()?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(source.io_error())?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
}

/// The header's mapping and where the data starts.
fn read_header(source: &ImportSource, overrides: &[String], custom: &[CustomFieldDef]) -> Result<(ColumnMapping, u64, u64), ImportError> {
    // One read of the file: its start is sniffed for the delimiter, then read again from memory.
    let mut file = source.open()?;
    let mut start = Vec::with_capacity(4096);
    (&mut file).take(64 * 1024).read_to_end(&mut start).map_err(source.io_error())?;
    let delimiter = crate::records::sniff_delimiter(&start);
    let mut records = CsvRecords::new(std::io::BufReader::new(std::io::Cursor::new(start).chain(file)), 0, 1, delimiter);
    let header = match records.next_record().map_err(source.io_error())? {
        Next::Record(record) => {
            let names = column_names(&record)?;
            let mapping = ColumnMapping { delimiter, ..ColumnMapping::from_header(&names, overrides, custom)? };
            (mapping, record.end_offset, record.line + 1)
        }
        Next::Oversize { .. } | Next::End => return Err(MappingError::NoHeader.into()),
    };
    Ok(header)
}

/// A header record's column names, without the byte-order mark spreadsheets
/// often write before the first.
fn column_names<'a>(record: &Record<'a>) -> Result<Vec<&'a str>, MappingError> {
    let mut names: Vec<&str> =
        record.fields().map(std::str::from_utf8).collect::<Result<_, _>>().map_err(|_| MappingError::HeaderEncoding)?;
    if let Some(first) = names.first_mut() {
        *first = first.trim_start_matches('\u{feff}');
    }
    Ok(names)
}

/// The column names of a file that starts with `start`, read as its import
/// would read them; none when it has no header row.
pub fn header_columns(start: &[u8]) -> Vec<String> {
    let mut records = CsvRecords::new(start, 0, 1, crate::records::sniff_delimiter(start));
    match records.next_record() {
        Ok(Next::Record(record)) => {
            column_names(&record).map(|names| names.iter().map(|n| n.trim().to_owned()).collect()).unwrap_or_default()
        }
        Ok(Next::Oversize { .. } | Next::End) | Err(_) => Vec::new(),
    }
}

/// Reads, maps and validates rows from `offset`, sending chunks as they fill.
fn read_chunks(
    request: &ImportRequest,
    mapping: &ColumnMapping,
    custom: &[CustomFieldDef],
    index: &BlindIndexKey,
    offset: u64,
    line: u64,
    sender: &tokio::sync::mpsc::Sender<Result<ParsedChunk, ImportError>>,
) -> Result<(), ImportError> {
    let source = &request.source;
    let mut file = source.open()?;
    file.seek(SeekFrom::Start(offset)).map_err(source.io_error())?;
    let mut records = CsvRecords::new(std::io::BufReader::with_capacity(1 << 16, file), offset, line, mapping.delimiter);
    let mut chunk = ParsedChunk { rows: Vec::new(), rejections: Vec::new(), to_offset: offset, to_line: line, last: false };
    loop {
        let next = records.next_record().map_err(source.io_error())?;
        match next {
            Next::End => {
                chunk.last = true;
                let _ = sender.blocking_send(Ok(chunk));
                return Ok(());
            }
            Next::Oversize { line, end_offset } => {
                chunk.rejections.push(ImportRejection {
                    line,
                    field: "row".into(),
                    reason: format!("is larger than {} bytes or has too many fields", crate::MAX_RECORD_BYTES),
                });
                chunk.to_offset = end_offset;
            }
            Next::Record(record) => {
                let row_line = record.line;
                chunk.to_offset = record.end_offset;
                let validated = mapping.row_to_input(record.fields()).and_then(|input| input.validate(custom, &request.phone_rules));
                match validated {
                    Ok(contact) => {
                        let digests = contact.details.phones.iter().map(|p| phone_digest(index, p)).collect();
                        chunk.rows.push(ParsedRow { line: row_line, contact, digests });
                    }
                    Err(errors) => chunk.rejections.extend(errors.into_iter().map(|e| ImportRejection {
                        line: row_line,
                        field: mapping.column_of(&e.field),
                        reason: e.reason,
                    })),
                }
            }
        }
        chunk.to_line = records.line();
        if chunk.rows.len() + chunk.rejections.len() >= request.chunk_rows {
            let full = std::mem::replace(
                &mut chunk,
                ParsedChunk { rows: Vec::new(), rejections: Vec::new(), to_offset: records.offset(), to_line: records.line(), last: false },
            );
            if sender.blocking_send(Ok(full)).is_err() {
                return Ok(());
            }
        }
    }
}

/// An import whose file was read as far as its header and whose record
/// exists (new, or the unfinished one being resumed).
pub struct StartedImport {
    pub record: ImportRecord,
    request: ImportRequest,
    mapping: ColumnMapping,
    custom: Vec<CustomFieldDef>,
}

/// Checks the file's header and mapping and starts (or finds, to resume) its
/// import. Errors here mean nothing was imported.
pub async fn start_import(vault: &Vault, clock: &dyn Clock, request: ImportRequest) -> Result<StartedImport, ImportError> {
    let list = trustline_domain::bounded_text(&request.list, 1, 100).ok_or(ImportError::ListName)?.to_owned();
    let store = vault.store().clone();
    let tenant = request.tenant;
    let custom = store.custom_fields(tenant).await?;
    let (digest, (mapping, data_offset, data_line)) = {
        let (source, overrides, custom) = (request.source.clone(), request.overrides.clone(), custom.clone());
        tokio::task::spawn_blocking(move || Ok::<_, ImportError>((file_digest(&source)?, read_header(&source, &overrides, &custom)?)))
            .await
            .map_err(|_| ImportError::Reader)??
    };
    let mapping_json = serde_json::to_string(&mapping).map_err(|_| ImportError::Reader)?;
    let file_name = request.file_name.clone();
    let audit =
        AuditDraft::new(clock.now(), tenant.0, request.actor.clone(), AuditAction::ImportStart, "import").detail("list", list.clone());
    let new = NewImport {
        tenant_id: tenant,
        list_name: list,
        file_name,
        file_digest: digest,
        mapping: mapping_json.clone(),
        byte_offset: data_offset,
        line: data_line,
        at: clock.now(),
    };
    let record = store.begin_import(new, audit).await?;
    if record.mapping != mapping_json {
        return Err(ImportError::MappingChanged);
    }
    Ok(StartedImport { record, request, mapping, custom })
}

impl StartedImport {
    /// Imports the rest of the file; `progress` sees the record after every chunk.
    ///
    /// Three stages overlap: a thread reads and validates rows; the next
    /// chunk is deduplicated and sealed while the previous one commits.
    pub async fn run(self, vault: &Vault, clock: &dyn Clock, progress: impl Fn(&ImportRecord)) -> Result<ImportRecord, ImportError> {
        let StartedImport { mut record, request, mapping, custom } = self;
        let tenant = request.tenant;
        let index = vault.index_key(tenant, clock.now(), &request.actor).await?;
        let (sender, mut parsed) = tokio::sync::mpsc::channel(2);
        let reader = {
            let (request, index) = (request.clone(), index.clone());
            let (offset, line) = (record.byte_offset, record.line);
            tokio::task::spawn_blocking(move || {
                if let Err(e) = read_chunks(&request, &mapping, &custom, &index, offset, line, &sender) {
                    let _ = sender.blocking_send(Err(e));
                }
            })
        };
        let (ready_sender, mut ready) = tokio::sync::mpsc::channel(1);
        let list_id = record.list_id;
        let prepare = async {
            let mut run = RunState::default();
            while let Some(chunk) = parsed.recv().await {
                let prepared = match chunk {
                    Ok(chunk) => prepare_chunk(vault, clock, &request, list_id, &mut run, chunk).await,
                    Err(e) => Err(e),
                };
                let failed = prepared.is_err();
                if ready_sender.send(prepared).await.is_err() || failed {
                    break;
                }
            }
        };
        let commit = async {
            while let Some(prepared) = ready.recv().await {
                let prepared = prepared?;
                let last = prepared.last;
                record = commit_chunk(vault, &request, &record, prepared).await?;
                progress(&record);
                if last {
                    break;
                }
            }
            Ok::<_, ImportError>(())
        };
        let ((), committed) = tokio::join!(prepare, commit);
        committed?;
        reader.await.map_err(|_| ImportError::Reader)?;
        let c = record.counts;
        let audit =
            AuditDraft::new(clock.now(), tenant.0, request.actor.clone(), AuditAction::ImportFinish, format!("import:{}", record.id))
                .detail("accepted", c.accepted.to_string())
                .detail("linked", c.linked.to_string())
                .detail("rejected", c.rejected.to_string())
                .detail("duplicates", c.duplicates.to_string())
                .detail("suppressed", c.suppressed.to_string());
        Ok(vault.store().finish_import(tenant, record.id, clock.now(), audit).await?)
    }
}

/// Starts (or resumes) an import and runs it to the end.
pub async fn run_import(
    vault: &Vault,
    clock: &dyn Clock,
    request: ImportRequest,
    progress: impl Fn(&ImportRecord),
) -> Result<ImportRecord, ImportError> {
    start_import(vault, clock, request).await?.run(vault, clock, progress).await
}

/// What this run has decided in chunks that may not be committed yet, so
/// that the next chunk can be prepared while the previous one commits.
#[derive(Default)]
struct RunState {
    /// Numbers of the new contacts of this run.
    claimed: HashSet<Digest>,
    /// Existing contacts this run adds to the list.
    linked: HashSet<ContactId>,
    /// Contact ids reserved and not used yet.
    ids: std::ops::Range<i64>,
}

/// A chunk ready to commit: sorted, sealed and counted.
struct PreparedChunk {
    contacts: Vec<NewContact>,
    linked: Vec<ContactId>,
    rejections: Vec<ImportRejection>,
    counts: ImportCounts,
    to_offset: u64,
    to_line: u64,
    last: bool,
    at: i64,
}

/// Ids are reserved for several chunks at a time: a reservation is a write,
/// and waiting for the writer would stall preparation behind every commit.
const ID_RESERVATION_CHUNKS: usize = 4;

/// Sorts one chunk's rows into new, linked, duplicate and suppressed, and
/// seals the new ones.
async fn prepare_chunk(
    vault: &Vault,
    clock: &dyn Clock,
    request: &ImportRequest,
    list_id: i64,
    run: &mut RunState,
    chunk: ParsedChunk,
) -> Result<PreparedChunk, ImportError> {
    let store = vault.store();
    let tenant = request.tenant;
    let all: Vec<Digest> = chunk.rows.iter().flat_map(|r| r.digests.iter().copied()).collect();
    let owners: HashMap<Digest, (ContactId, bool)> =
        store.phone_owners(tenant, &all).await?.into_iter().map(|o| (o.digest, (o.contact_id, o.do_not_contact))).collect();
    let suppressed: HashSet<Digest> = store.suppressed(tenant, &all).await?.into_iter().collect();

    let mut counts = ImportCounts::default();
    let mut rejections = chunk.rejections;
    let mut rejected_lines: HashSet<u64> = rejections.iter().map(|r| r.line).collect();
    let mut fresh: Vec<ParsedRow> = Vec::new();
    let mut linked: Vec<ContactId> = Vec::new();
    for row in chunk.rows {
        let existing: HashSet<ContactId> = row.digests.iter().filter_map(|d| owners.get(d).map(|(id, _)| *id)).collect();
        let do_not_contact = row.digests.iter().any(|d| suppressed.contains(d) || owners.get(d).is_some_and(|(_, dnc)| *dnc));
        if do_not_contact {
            counts.suppressed += 1;
        } else if existing.len() > 1 {
            rejected_lines.insert(row.line);
            rejections.push(ImportRejection {
                line: row.line,
                field: "phone".into(),
                reason: "the numbers belong to different existing contacts".into(),
            });
        } else if let Some(id) = existing.into_iter().next() {
            if run.linked.insert(id) {
                linked.push(id);
            } else {
                counts.duplicates += 1;
            }
        } else if row.digests.iter().any(|d| run.claimed.contains(d)) {
            counts.duplicates += 1;
        } else {
            run.claimed.extend(row.digests.iter().copied());
            fresh.push(row);
        }
    }
    let already: HashSet<ContactId> = store.list_members_among(list_id, &linked).await?.into_iter().collect();
    counts.duplicates += i64::try_from(already.len()).unwrap_or(0);
    linked.retain(|id| !already.contains(id));
    counts.linked = i64::try_from(linked.len()).unwrap_or(0);
    counts.rejected = i64::try_from(rejected_lines.len()).unwrap_or(0);

    let at = clock.now();
    let contacts = seal_rows(vault, request, run, fresh, chunk.last, at).await?;
    counts.accepted = i64::try_from(contacts.len()).unwrap_or(0);
    Ok(PreparedChunk { contacts, linked, rejections, counts, to_offset: chunk.to_offset, to_line: chunk.to_line, last: chunk.last, at })
}

/// Commits a prepared chunk with the position after it.
async fn commit_chunk(
    vault: &Vault,
    request: &ImportRequest,
    record: &ImportRecord,
    chunk: PreparedChunk,
) -> Result<ImportRecord, ImportError> {
    let store = vault.store();
    let tenant = request.tenant;
    let counts = chunk.counts;
    let first = chunk.contacts.first().map_or(0, |c| c.id.0);
    let last = chunk.contacts.last().map_or(0, |c| c.id.0);
    let audit = AuditDraft::new(chunk.at, tenant.0, request.actor.clone(), AuditAction::ImportChunk, format!("import:{}", record.id))
        .detail("from_line", record.line.to_string())
        .detail("to_line", chunk.to_line.to_string())
        .detail("contacts", format!("{first}-{last}"))
        .detail("accepted", counts.accepted.to_string())
        .detail("rejected", counts.rejected.to_string());
    let commit = ImportChunk {
        tenant_id: tenant,
        import_id: record.id,
        list_id: record.list_id,
        from_offset: record.byte_offset,
        to_offset: chunk.to_offset,
        to_line: chunk.to_line,
        contacts: chunk.contacts,
        linked: chunk.linked,
        rejections: chunk.rejections,
        counts,
        at: chunk.at,
    };
    store.commit_import_chunk(commit, audit).await?;
    Ok(store.import_record(tenant, record.id).await?.ok_or(StoreError::NotFound)?)
}

/// Gives new rows ids and seals them on a blocking thread (it is CPU work).
async fn seal_rows(
    vault: &Vault,
    request: &ImportRequest,
    run: &mut RunState,
    rows: Vec<ParsedRow>,
    last: bool,
    at: i64,
) -> Result<Vec<NewContact>, ImportError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let (tenant, actor) = (request.tenant, request.actor.as_str());
    let needed = i64::try_from(rows.len()).map_err(|_| ImportError::Reader)?;
    if run.ids.end - run.ids.start < needed {
        // The last chunk (and so a small file) takes only what it needs.
        let ahead = if last { 0 } else { request.chunk_rows.saturating_mul(ID_RESERVATION_CHUNKS) };
        let block = rows.len().max(ahead);
        let count = u32::try_from(block).map_err(|_| ImportError::Reader)?;
        let first = vault.store().reserve_ids(IdKind::Contact, count).await?;
        run.ids = first..first + i64::from(count);
    }
    let first = run.ids.start;
    run.ids.start += needed;
    let tenant_key = vault.current_tenant_key(tenant, at, actor).await?;
    let index: Arc<BlindIndexKey> = vault.index_key(tenant, at, actor).await?;
    tokio::task::spawn_blocking(move || {
        rows.iter()
            .zip(first..)
            .map(|(row, id)| Vault::seal_new_contact(&tenant_key, &index, tenant, ContactId(id), &row.contact, ConsentState::unknown(), at))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|_| ImportError::Reader)?
    .map_err(ImportError::from)
}
