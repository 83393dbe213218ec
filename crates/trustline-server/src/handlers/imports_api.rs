//! Call-list upload over HTTP. The body is streamed to a private temporary
//! file; the header and mapping are checked before the answer (so a bad file
//! is refused at once), then the import runs in the background and its
//! progress and rejected-rows report can be fetched while it runs.

use super::reports_api::ReportFormat;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use trustline_domain::contact::FieldError;
use trustline_domain::{CsvWriter, UnixTime};
use trustline_import::{ImportError, ImportRequest, ImportSource, SealedSpool, SpoolWriter, start_import};
use trustline_phone::{DefaultRegion, PhoneRules};
use trustline_store::{ImportRecord, ImportRejection};

/// Largest upload accepted: a few million rows.
pub(crate) const MAX_UPLOAD_BYTES: u64 = 1 << 30;
/// Rows per committed chunk: fewer, larger transactions import far faster
/// (each commit rewrites the index pages it touched).
const CHUNK_ROWS: usize = 50_000;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadQuery {
    /// The call list the contacts join (created if new).
    #[schemars(length(min = 1, max = 100), pattern(trustline_domain::NOT_BLANK))]
    list: String,
    /// Country for numbers written without a country code, e.g. `GB`.
    #[schemars(with = "Option<crate::handlers::tenant_api::RegionCode>")]
    region: Option<String>,
    /// Column mappings, comma-separated: `Mobile=phone,Notes=ignore`
    /// (`POST /api/imports/columns` proposes them).
    map: Option<String>,
    /// The file's name, for the record.
    name: Option<String>,
}

/// The start of a CSV file, its header row at least, to have a field
/// proposed for each column. The server reads the header as the upload will
/// (separator, quoting, byte-order mark), so the page need not.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeaderInput {
    #[schemars(length(min = 1, max = MAX_HEADER))]
    start: String,
}

/// Characters of a file's start read for its header: room for hundreds of
/// columns, well within a request body's limit.
const MAX_HEADER: usize = 16_384;

/// One column and the field it would feed (null: the name says nothing the
/// import knows, so the person chooses).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ProposedColumn {
    column: String,
    field: Option<String>,
}

/// A field for each column, and every field a column can feed (the
/// tenant's custom fields and `ignore` included).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ColumnProposal {
    columns: Vec<ProposedColumn>,
    fields: Vec<String>,
}

/// What an upload of this header would map each column to unless told
/// otherwise (`map`): the import page's starting point.
pub(crate) async fn propose_columns(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<HeaderInput>,
) -> Result<Json<ColumnProposal>, ApiError> {
    if input.start.is_empty() || input.start.chars().count() > MAX_HEADER {
        return Err(ApiError::with_fields(
            ErrorCode::InvalidHeader,
            vec![FieldError::new("start", format!("must be 1 to {MAX_HEADER} characters"))],
        ));
    }
    let custom = state.store.custom_fields(authed.principal.tenant.id).await?;
    let columns = trustline_import::header_columns(input.start.as_bytes())
        .into_iter()
        .map(|column| ProposedColumn { field: trustline_import::proposed_field(&column, &custom), column })
        .collect();
    Ok(Json(ColumnProposal { columns, fields: trustline_import::field_names(&custom) }))
}

/// An import's progress.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ImportView {
    id: i64,
    list_id: i64,
    file_name: String,
    finished: bool,
    /// The file's line the import goes on from.
    next_line: u64,
    /// New contacts created.
    accepted: i64,
    /// Existing contacts (matched by number) added to the list.
    linked: i64,
    /// Rows whose contact was already on the list.
    duplicates: i64,
    /// Rows on the do-not-contact list.
    suppressed: i64,
    rejected: i64,
    started_at: UnixTime,
    finished_at: Option<UnixTime>,
}

fn view(record: &ImportRecord) -> ImportView {
    let c = record.counts;
    ImportView {
        id: record.id,
        list_id: record.list_id,
        file_name: record.file_name.clone(),
        finished: record.finished,
        next_line: record.line,
        accepted: c.accepted,
        linked: c.linked,
        duplicates: c.duplicates,
        suppressed: c.suppressed,
        rejected: c.rejected,
        started_at: record.started_at,
        finished_at: record.finished_at,
    }
}

/// Rejected rows: where and why, never the values.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Rejections {
    rejections: Vec<ImportRejection>,
}

fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Vault(e) => e.into(),
        ImportError::Io { .. } | ImportError::Reader => {
            tracing::error!(%error, "import could not read its upload");
            ApiError::new(ErrorCode::Internal, "the upload could not be read back")
        }
        other => ApiError::new(ErrorCode::InvalidFile, other.to_string()),
    }
}

/// Spools the upload, sealed under a key of its own (the plaintext never
/// reaches the disk).
async fn receive(dir: &std::path::Path, body: Body) -> Result<SealedSpool, ApiError> {
    let failed = |error: std::io::Error| {
        tracing::error!(%error, "the upload could not be spooled");
        ApiError::new(ErrorCode::Internal, "the upload could not be stored")
    };
    let mut spool = SpoolWriter::create_in(dir).map_err(failed)?;
    let mut body = body;
    let mut received = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ApiError::new(ErrorCode::UnreadableBody, "the upload was interrupted"))?;
        if let Ok(data) = frame.into_data() {
            received += data.len() as u64;
            if received > MAX_UPLOAD_BYTES {
                return Err(ApiError::new(ErrorCode::TooLarge, format!("uploads are limited to {MAX_UPLOAD_BYTES} bytes")));
            }
            spool.write(&data).map_err(failed)?;
        }
    }
    spool.finish().map_err(failed)
}

/// `POST /api/imports?list=NAME[&region=GB][&map=a=b,c=d]` with the CSV as the body.
pub(crate) async fn upload(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    let default_region = query
        .region
        .as_deref()
        .map(DefaultRegion::parse)
        .transpose()
        .map_err(|e| ApiError::new(ErrorCode::InvalidRegion, e.to_string()))?;
    let overrides: Vec<String> = query.map.iter().flat_map(|m| m.split(',')).filter(|m| !m.is_empty()).map(str::to_owned).collect();
    let spool = Arc::new(receive(&state.config.upload_dir, body).await?);
    let request = ImportRequest {
        tenant: authed.principal.tenant.id,
        list: query.list,
        source: ImportSource::Upload(spool.clone()),
        file_name: query.name.unwrap_or_else(|| "upload.csv".into()),
        overrides,
        phone_rules: PhoneRules { default_region },
        actor: authed.principal.actor(),
        chunk_rows: CHUNK_ROWS,
    };
    let started = start_import(&state.vault, &*state.clock, request).await.map_err(import_error)?;
    let record = started.record.clone();
    let (vault, clock) = (state.vault.clone(), state.clock.clone());
    tokio::spawn(async move {
        // The spool lives until the import is done; it is deleted when dropped.
        let _spool = spool;
        if let Err(error) = started.run(&vault, &*clock, |_| {}).await {
            tracing::error!(%error, "import failed; uploading the same file again resumes it");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(view(&record))))
}

pub(crate) async fn show(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<Json<ImportView>, ApiError> {
    let record = state.store.import_record(authed.principal.tenant.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(view(&record)))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    #[schemars(range(max = u64::MAX))]
    after_line: u64,
    #[schemars(range(max = u32::MAX))]
    limit: Option<u32>,
    /// `json` (default) or `csv` for a download.
    format: Option<ReportFormat>,
}

/// The rejected rows: line, column and reason (never the values).
pub(crate) async fn rejections(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.import_record(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    let limit = query.limit.unwrap_or(100_000).clamp(1, 100_000);
    let rows = state.store.import_rejections(tenant, id, query.after_line, limit).await?;
    match query.format {
        Some(ReportFormat::Csv) => {
            let mut csv = CsvWriter::with_header(&trustline_import::REPORT_COLUMNS);
            for r in &rows {
                trustline_import::write_rejection(&mut csv, r);
            }
            let out = csv.finish();
            let disposition = format!("attachment; filename=\"import-{id}-rejected.csv\"");
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], out)
                .into_response())
        }
        None | Some(ReportFormat::Json) => Ok(Json(Rejections { rejections: rows }).into_response()),
    }
}
