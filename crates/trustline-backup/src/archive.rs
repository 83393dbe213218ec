//! The file format.
//!
//! ```text
//! "TLBACKUP" | format version (u8) | header length (u32 BE) | header (JSON)
//! frames:  last (u8: 0 or 1) | length (u32 BE) | sealed chunk
//! ```
//!
//! The payload (the snapshot files of the header's manifest, concatenated)
//! is cut into chunks of at most [`CHUNK_BYTES`], each sealed with AES-256-GCM
//! under a key made for this file alone and kept in the header, wrapped by the
//! master key. Each chunk's associated data names the SHA-256 of the header,
//! the chunk's index and whether it is the last: an edited header, a dropped,
//! repeated or reordered chunk, a truncated file or a chunk spliced in from
//! another backup all fail to open. The header itself is readable (kind,
//! time, engine, table sizes) but holds no personal data.

use crate::BackupError;
use crate::staging::{BACKUP_PREFIX, RESTORE_PREFIX, Staging, private_staging, remove_leftover_staging};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use trustline_crypto::{Keyring, Sealer, hex, hex_decode, sha256};
use trustline_domain::UnixTime;
use trustline_store::{SnapshotManifest, plain_file_name};

const MAGIC: &[u8; 8] = b"TLBACKUP";
const FORMAT_VERSION: u8 = 1;
const MAX_HEADER_BYTES: u32 = 1 << 20;
/// Plaintext bytes per chunk.
pub const CHUNK_BYTES: usize = 1 << 20;
/// Nonce and tag added by sealing.
const SEAL_OVERHEAD: usize = 12 + 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveKind {
    /// A snapshot of the whole database.
    Database,
    /// The erasure ledger alone, kept beside backups for restores on a new machine.
    ErasureLedger,
}

impl ArchiveKind {
    pub fn describe(self) -> &'static str {
        match self {
            ArchiveKind::Database => "a database backup",
            ArchiveKind::ErasureLedger => "an erasure ledger",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupHeader {
    pub kind: ArchiveKind,
    /// Random; binds the wrapped key to this file.
    pub backup_id: String,
    pub created_at: UnixTime,
    /// Fingerprint (hex) of the master key that wraps `wrapped_key`.
    pub master_fingerprint: String,
    /// The installation secret as the database stores it (wrapped by the
    /// master key): a restore into an empty database adopts it.
    pub installation_secret: String,
    pub wrapped_key: String,
    pub manifest: SnapshotManifest,
}

impl BackupHeader {
    pub fn payload_bytes(&self) -> u64 {
        self.manifest.files.iter().map(|f| f.bytes).sum()
    }

    pub fn installation_secret(&self) -> Option<Vec<u8>> {
        hex_decode(&self.installation_secret)
    }
}

fn chunk_place(header_digest: &str, index: u64, last: bool) -> String {
    format!("backup-chunk:{header_digest}:{index}:{}", u8::from(last))
}

/// Writes `header` and the files of its manifest (from `source`) to a new
/// file at `out`. The file appears complete or not at all. Returns its size.
pub(crate) fn write_archive(out: &Path, header: &BackupHeader, key: &Sealer, source: &Path) -> Result<u64, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(BACKUP_PREFIX)
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(parent)
        .map_err(BackupError::io(format!("create a file in {}", parent.display())))?;
    // Held while it is written, so a cleanup of leftovers passes it by.
    trustline_store::hold_file(temp.as_file()).map_err(BackupError::io(format!("lock a file in {}", parent.display())))?;
    let header_bytes = serde_json::to_vec(header).map_err(|e| BackupError::Io { what: "encode the header".into(), source: e.into() })?;
    let header_len = u32::try_from(header_bytes.len()).ok().filter(|&n| n <= MAX_HEADER_BYTES);
    let header_len = header_len
        .ok_or_else(|| BackupError::Io { what: "write the header".into(), source: std::io::Error::other("the header is too large") })?;
    let digest = hex(&sha256(&header_bytes));
    let write_failed = BackupError::io(format!("write {}", out.display()));
    let mut writer = BufWriter::new(temp.as_file());
    let mut written = (|| -> std::io::Result<u64> {
        writer.write_all(MAGIC)?;
        writer.write_all(&[FORMAT_VERSION])?;
        writer.write_all(&header_len.to_be_bytes())?;
        writer.write_all(&header_bytes)?;
        Ok((MAGIC.len() + 1 + 4 + header_bytes.len()) as u64)
    })()
    .map_err(write_failed)?;

    let mut payload = Payload::new(source, &header.manifest);
    let mut current = payload.next_chunk()?;
    let mut index = 0u64;
    loop {
        let next = payload.next_chunk()?;
        let last = next.is_empty();
        let sealed = key.seal(&current, &chunk_place(&digest, index, last)).map_err(BackupError::Key)?;
        let length = u32::try_from(sealed.len()).unwrap_or(u32::MAX);
        (|| -> std::io::Result<()> {
            writer.write_all(&[u8::from(last)])?;
            writer.write_all(&length.to_be_bytes())?;
            writer.write_all(&sealed)
        })()
        .map_err(BackupError::io(format!("write {}", out.display())))?;
        written += 5 + sealed.len() as u64;
        if last {
            break;
        }
        current = next;
        index += 1;
    }
    writer.flush().map_err(BackupError::io(format!("write {}", out.display())))?;
    drop(writer);
    temp.as_file().sync_all().map_err(BackupError::io(format!("sync {}", out.display())))?;
    temp.persist_noclobber(out).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            BackupError::Exists(out.to_path_buf())
        } else {
            BackupError::Io { what: format!("create {}", out.display()), source: e.error }
        }
    })?;
    if let Ok(dir) = File::open(parent) {
        dir.sync_all().map_err(BackupError::io(format!("sync {}", parent.display())))?;
    }
    Ok(written)
}

/// The manifest's files read one after the other, as fixed-size chunks.
struct Payload<'a> {
    source: &'a Path,
    manifest: &'a SnapshotManifest,
    file: usize,
    reader: Option<BufReader<File>>,
    left_in_file: u64,
}

impl<'a> Payload<'a> {
    fn new(source: &'a Path, manifest: &'a SnapshotManifest) -> Self {
        Self { source, manifest, file: 0, reader: None, left_in_file: 0 }
    }

    /// Up to `CHUNK_BYTES`; empty once everything was read.
    fn next_chunk(&mut self) -> Result<Vec<u8>, BackupError> {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        while chunk.len() < CHUNK_BYTES {
            if self.left_in_file == 0 {
                if let Some(mut reader) = self.reader.take() {
                    let mut probe = [0u8; 1];
                    if reader.read(&mut probe).map_err(BackupError::io("read the snapshot"))? != 0 {
                        return Err(BackupError::Io {
                            what: "read the snapshot".into(),
                            source: std::io::Error::other("a snapshot file grew while it was being backed up"),
                        });
                    }
                }
                let Some(entry) = self.manifest.files.get(self.file) else { break };
                self.file += 1;
                let path = self.source.join(&entry.name);
                let file = File::open(&path).map_err(BackupError::io(format!("read {}", path.display())))?;
                self.reader = Some(BufReader::new(file));
                self.left_in_file = entry.bytes;
                continue;
            }
            let want = (CHUNK_BYTES - chunk.len()).min(usize::try_from(self.left_in_file).unwrap_or(usize::MAX));
            let start = chunk.len();
            chunk.resize(start + want, 0);
            let Some(reader) = self.reader.as_mut() else { break };
            let buffer = chunk.get_mut(start..).unwrap_or_default();
            reader.read_exact(buffer).map_err(BackupError::io("read the snapshot"))?;
            self.left_in_file -= want as u64;
        }
        Ok(chunk)
    }
}

/// A backup whose every chunk opened, extracted to a private directory that
/// is removed when this is dropped.
pub struct VerifiedArchive {
    pub header: BackupHeader,
    pub path: PathBuf,
    pub(crate) staging: Staging,
}

impl VerifiedArchive {
    pub fn staging(&self) -> &Path {
        self.staging.path()
    }
}

/// Reads and checks the whole file at `path`, extracting its payload into a
/// private directory under `staging_in`. Any failed check is an error and
/// leaves nothing behind.
pub fn open_archive(path: &Path, keyring: &Keyring, staging_in: &Path) -> Result<VerifiedArchive, BackupError> {
    let file = File::open(path).map_err(BackupError::io(format!("open {}", path.display())))?;
    let mut reader = BufReader::with_capacity(CHUNK_BYTES, file);
    let tampered = |what: &str| BackupError::Tampered { path: path.to_path_buf(), what: what.to_owned() };
    let read_failed = || BackupError::io(format!("read {}", path.display()));

    let mut magic = [0u8; 8];
    if reader.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Err(BackupError::NotABackup(path.to_path_buf()));
    }
    let mut version = [0u8; 1];
    reader.read_exact(&mut version).map_err(|_| tampered("the file ends inside its header"))?;
    if version[0] != FORMAT_VERSION {
        return Err(BackupError::UnsupportedVersion { path: path.to_path_buf(), version: version[0] });
    }
    let mut length = [0u8; 4];
    reader.read_exact(&mut length).map_err(|_| tampered("the file ends inside its header"))?;
    let header_len = u32::from_be_bytes(length);
    if header_len > MAX_HEADER_BYTES {
        return Err(tampered("the header length is out of range"));
    }
    let mut header_bytes = vec![0u8; header_len as usize];
    reader.read_exact(&mut header_bytes).map_err(|_| tampered("the file ends inside its header"))?;
    let header: BackupHeader = serde_json::from_slice(&header_bytes).map_err(|_| tampered("the header is not valid"))?;
    if !header.manifest.files.iter().all(|f| plain_file_name(&f.name)) {
        return Err(tampered("the header names an unsafe file"));
    }
    let current = hex(&keyring.fingerprint());
    if header.master_fingerprint != current {
        return Err(BackupError::OtherMasterKey { path: path.to_path_buf(), backup: header.master_fingerprint, current });
    }
    let wrapped = hex_decode(&header.wrapped_key).ok_or_else(|| tampered("the backup key is not valid"))?;
    let key = keyring.open_backup_key(&header.backup_id, &wrapped).map_err(|_| tampered("the backup key does not open"))?;
    let digest = hex(&sha256(&header_bytes));

    remove_leftover_staging(staging_in)?;
    let staging = private_staging(staging_in, RESTORE_PREFIX)?;
    let extraction_failed = |e: ExtractionError| match e {
        ExtractionError::TooLong => tampered("it holds more data than its header lists"),
        ExtractionError::Io(source) => BackupError::Io { what: format!("write to {}", staging_in.display()), source },
    };
    let mut sink = Extraction::new(staging.path(), &header.manifest);
    let mut index = 0u64;
    loop {
        let mut frame = [0u8; 5];
        reader.read_exact(&mut frame).map_err(|_| tampered("the file ends before its last chunk"))?;
        let [flag, l0, l1, l2, l3] = frame;
        let last = match flag {
            0 => false,
            1 => true,
            _ => return Err(tampered("a chunk marker is not valid")),
        };
        let sealed_len = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        if sealed_len > CHUNK_BYTES + SEAL_OVERHEAD {
            return Err(tampered("a chunk length is out of range"));
        }
        let mut sealed = vec![0u8; sealed_len];
        reader.read_exact(&mut sealed).map_err(|_| tampered("the file ends inside a chunk"))?;
        let chunk = key.open(&sealed, &chunk_place(&digest, index, last)).map_err(|_| tampered(&format!("chunk {index} does not open")))?;
        sink.write(&chunk).map_err(&extraction_failed)?;
        if last {
            break;
        }
        index += 1;
    }
    let mut rest = [0u8; 1];
    if reader.read(&mut rest).map_err(read_failed())? != 0 {
        return Err(tampered("data follows the last chunk"));
    }
    let complete = sink.complete().map_err(&extraction_failed)?;
    if !complete {
        return Err(tampered("it holds less data than its header lists"));
    }
    sink.finish().map_err(BackupError::io(format!("write to {}", staging_in.display())))?;
    Ok(VerifiedArchive { header, path: path.to_path_buf(), staging })
}

enum ExtractionError {
    TooLong,
    Io(std::io::Error),
}

/// Splits the payload back into the manifest's files.
struct Extraction<'a> {
    dir: &'a Path,
    manifest: &'a SnapshotManifest,
    file: usize,
    writer: Option<BufWriter<File>>,
    left_in_file: u64,
}

impl<'a> Extraction<'a> {
    fn new(dir: &'a Path, manifest: &'a SnapshotManifest) -> Self {
        Self { dir, manifest, file: 0, writer: None, left_in_file: 0 }
    }

    fn open_next(&mut self) -> Result<bool, ExtractionError> {
        if let Some(mut writer) = self.writer.take() {
            writer.flush().map_err(ExtractionError::Io)?;
        }
        let Some(entry) = self.manifest.files.get(self.file) else { return Ok(false) };
        self.file += 1;
        let file = trustline_store::create_private_file(&self.dir.join(&entry.name)).map_err(ExtractionError::Io)?;
        self.writer = Some(BufWriter::new(file));
        self.left_in_file = entry.bytes;
        Ok(true)
    }

    fn write(&mut self, mut data: &[u8]) -> Result<(), ExtractionError> {
        while !data.is_empty() {
            if self.left_in_file == 0 && !self.open_next()? {
                return Err(ExtractionError::TooLong);
            }
            let take = data.len().min(usize::try_from(self.left_in_file).unwrap_or(usize::MAX));
            let (now, rest) = data.split_at(take);
            if let Some(writer) = self.writer.as_mut() {
                writer.write_all(now).map_err(ExtractionError::Io)?;
            }
            self.left_in_file -= take as u64;
            data = rest;
        }
        Ok(())
    }

    /// Whether every listed byte arrived; creates trailing empty files.
    fn complete(&mut self) -> Result<bool, ExtractionError> {
        while self.left_in_file == 0 && self.file < self.manifest.files.len() {
            self.open_next()?;
        }
        Ok(self.left_in_file == 0)
    }

    fn finish(mut self) -> std::io::Result<()> {
        if let Some(mut writer) = self.writer.take() {
            writer.flush()?;
        }
        Ok(())
    }
}
