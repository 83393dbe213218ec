//! Where an uploaded call list waits for its import: a file sealed chunk by
//! chunk under a key made for this upload alone and held only in memory.
//! The plaintext never touches the disk, and a spool left behind by a crash
//! (the key gone with the process) is unreadable noise, removed at the next
//! start. The file is created 0600; it is read back with seeks, as an
//! import resumes from a committed offset.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use trustline_crypto::{Sealer, random_bytes};
use zeroize::Zeroizing;

/// Plaintext bytes per sealed chunk.
const CHUNK: usize = 64 * 1024;
/// What sealing adds to a chunk (nonce and tag).
const SEAL_OVERHEAD: usize = 12 + 16;
/// The name every spool file starts with, so leftovers can be found.
pub const SPOOL_PREFIX: &str = ".trustline-upload-";

fn chunk_place(index: u64) -> String {
    format!("upload chunk {index}")
}

fn sealing_failed() -> io::Error {
    io::Error::other("the upload could not be sealed")
}

/// An upload being written to its spool.
pub struct SpoolWriter {
    file: tempfile::NamedTempFile,
    sealer: Sealer,
    pending: Zeroizing<Vec<u8>>,
    chunks: u64,
    len: u64,
}

impl SpoolWriter {
    /// A new spool file in `dir` (0600, removed when the spool is dropped).
    pub fn create_in(dir: &Path) -> io::Result<Self> {
        let file = tempfile::Builder::new().prefix(SPOOL_PREFIX).tempfile_in(dir)?;
        // Held while this process lives, so another node's cleanup of the
        // same folder passes it by.
        trustline_store::hold_file(file.as_file())?;
        let sealer = Sealer::new(Zeroizing::new(*random_bytes::<32>())).map_err(|_| sealing_failed())?;
        Ok(Self { file, sealer, pending: Zeroizing::new(Vec::with_capacity(CHUNK)), chunks: 0, len: 0 })
    }

    fn seal_pending(&mut self) -> io::Result<()> {
        let sealed = self.sealer.seal(&self.pending, &chunk_place(self.chunks)).map_err(|_| sealing_failed())?;
        self.file.write_all(&sealed)?;
        self.chunks += 1;
        self.pending.clear();
        Ok(())
    }

    pub fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let take = (CHUNK - self.pending.len()).min(data.len());
            let (now, later) = data.split_at(take);
            self.pending.extend_from_slice(now);
            self.len += now.len() as u64;
            data = later;
            if self.pending.len() == CHUNK {
                self.seal_pending()?;
            }
        }
        Ok(())
    }

    /// Seals what is left; the spool can then be read.
    pub fn finish(mut self) -> io::Result<SealedSpool> {
        if !self.pending.is_empty() {
            self.seal_pending()?;
        }
        self.file.flush()?;
        Ok(SealedSpool { file: self.file, sealer: Arc::new(self.sealer), len: self.len })
    }
}

/// A finished upload, readable by this process only.
pub struct SealedSpool {
    file: tempfile::NamedTempFile,
    sealer: Arc<Sealer>,
    len: u64,
}

impl SealedSpool {
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// A fresh reader from the start.
    pub fn reader(&self) -> io::Result<SpoolReader> {
        Ok(SpoolReader { file: File::open(self.file.path())?, sealer: self.sealer.clone(), len: self.len, position: 0, chunk: None })
    }
}

/// Reads a spool's plaintext, one opened chunk at a time.
pub struct SpoolReader {
    file: File,
    sealer: Arc<Sealer>,
    len: u64,
    position: u64,
    /// The opened chunk holding `position`, with its index.
    chunk: Option<(u64, Zeroizing<Vec<u8>>)>,
}

impl SpoolReader {
    fn load(&mut self, index: u64) -> io::Result<()> {
        if self.chunk.as_ref().is_some_and(|(loaded, _)| *loaded == index) {
            return Ok(());
        }
        let sealed_chunk = (CHUNK + SEAL_OVERHEAD) as u64;
        self.file.seek(SeekFrom::Start(index * sealed_chunk))?;
        let plain = usize::try_from((self.len - index * CHUNK as u64).min(CHUNK as u64)).unwrap_or(CHUNK);
        let mut sealed = vec![0u8; plain + SEAL_OVERHEAD];
        self.file.read_exact(&mut sealed)?;
        let opened = self.sealer.open(&sealed, &chunk_place(index)).map_err(|_| io::Error::other("the spooled upload was altered"))?;
        self.chunk = Some((index, opened));
        Ok(())
    }
}

impl Read for SpoolReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.position >= self.len || out.is_empty() {
            return Ok(0);
        }
        let index = self.position / CHUNK as u64;
        self.load(index)?;
        let Some((_, chunk)) = &self.chunk else { return Ok(0) };
        let start = usize::try_from(self.position % CHUNK as u64).unwrap_or(0);
        let available = chunk.get(start..).unwrap_or_default();
        let n = available.len().min(out.len());
        out.get_mut(..n).unwrap_or_default().copy_from_slice(available.get(..n).unwrap_or_default());
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for SpoolReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}

/// Removes spool files left in `dir` by a process that ended without
/// cleaning up (their keys died with it), never one still in use; returns
/// how many.
pub fn remove_leftover_spools(dir: &Path) -> io::Result<usize> {
    trustline_store::remove_leftovers(dir, &[SPOOL_PREFIX])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool_of(data: &[u8], dir: &Path) -> SealedSpool {
        let mut writer = SpoolWriter::create_in(dir).unwrap();
        for piece in data.chunks(7_777) {
            writer.write(piece).unwrap();
        }
        writer.finish().unwrap()
    }

    #[test]
    fn what_goes_in_reads_back_from_any_offset_and_never_lies_on_disk_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| format!("Person {i},+4420{i:07}\n").into_bytes()).take(300_001).collect();
        let spool = spool_of(&data, dir.path());
        let mut all = Vec::new();
        spool.reader().unwrap().read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
        for offset in [0u64, 1, 65_535, 65_536, 65_537, 200_000, 300_000, 300_001] {
            let mut reader = spool.reader().unwrap();
            reader.seek(SeekFrom::Start(offset)).unwrap();
            let mut rest = Vec::new();
            reader.read_to_end(&mut rest).unwrap();
            assert_eq!(rest, data[usize::try_from(offset).unwrap()..], "from {offset}");
        }
        let on_disk = std::fs::read(spool.path()).unwrap();
        assert!(!on_disk.windows(10).any(|w| w == b"Person 123"), "the disk holds no plaintext");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(spool.path()).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn an_altered_spool_is_refused_and_leftovers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let spool = spool_of(b"name,phone\nA,+442071838750\n", dir.path());
        let mut bytes = std::fs::read(spool.path()).unwrap();
        if let Some(byte) = bytes.get_mut(20) {
            *byte ^= 1;
        }
        std::fs::write(spool.path(), &bytes).unwrap();
        assert!(spool.reader().unwrap().read_to_end(&mut Vec::new()).is_err());
        let empty = spool_of(b"", dir.path());
        assert_eq!(empty.reader().unwrap().read_to_end(&mut Vec::new()).unwrap(), 0);
        std::fs::write(dir.path().join(format!("{SPOOL_PREFIX}left")), b"x").unwrap();
        std::fs::write(dir.path().join("keep.csv"), b"x").unwrap();
        assert_eq!(remove_leftover_spools(dir.path()).unwrap(), 1, "the leftover, not the two spools still in use");
        assert!(dir.path().join("keep.csv").exists());
        assert!(spool.path().exists() && empty.path().exists());
    }
}
