//! Zip reading and writing within limits: a bundle is a few files, and a
//! hostile one must not exhaust memory whatever its headers claim.

use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// More files than any bundle has.
pub const MAX_FILES: usize = 1_000;
/// The most any one file may inflate to.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a readable zip archive: {0}")]
    Unreadable(String),
    #[error("the archive holds {0} files, more than a bundle can ({MAX_FILES})")]
    TooManyFiles(usize),
    #[error("{0} inflates beyond {MAX_FILE_BYTES} bytes")]
    TooLarge(String),
    #[error("{0} appears twice")]
    Duplicate(String),
}

/// Writes `files` in order, deflated, with a fixed timestamp so that the
/// same contents give the same bytes.
pub fn write(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ArchiveError> {
    let fail = |e: zip::result::ZipError| ArchiveError::Unreadable(e.to_string());
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(DateTime::default());
    for (name, bytes) in files {
        zip.start_file(name, options).map_err(fail)?;
        zip.write_all(bytes).map_err(|e| ArchiveError::Unreadable(e.to_string()))?;
    }
    Ok(zip.finish().map_err(fail)?.into_inner())
}

/// Every file of the archive, by name, in archive order.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let fail = |e: zip::result::ZipError| ArchiveError::Unreadable(e.to_string());
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(fail)?;
    if zip.len() > MAX_FILES {
        return Err(ArchiveError::TooManyFiles(zip.len()));
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let file = zip.by_index(index).map_err(fail)?;
        let name = file.name().map_err(fail)?.into_owned();
        if files.iter().any(|(seen, _)| *seen == name) {
            return Err(ArchiveError::Duplicate(name));
        }
        let mut contents = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut contents).map_err(|e| ArchiveError::Unreadable(format!("{name}: {e}")))?;
        if contents.len() as u64 > MAX_FILE_BYTES {
            return Err(ArchiveError::TooLarge(name));
        }
        files.push((name, contents));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_back_as_written_and_the_bytes_are_reproducible() {
        let files = vec![("a.json".to_owned(), b"{}".to_vec()), ("dir/b.txt".to_owned(), vec![7u8; 100_000])];
        let bytes = write(&files).unwrap();
        assert_eq!(read(&bytes).unwrap(), files);
        assert_eq!(write(&files).unwrap(), bytes, "same contents, same archive");
        assert!(bytes.len() < 2_000, "deflated: {}", bytes.len());
    }

    #[test]
    fn garbage_and_duplicates_are_refused() {
        assert!(matches!(read(b"PK\x03\x04 not really"), Err(ArchiveError::Unreadable(_))));
        assert!(matches!(read(&[]), Err(ArchiveError::Unreadable(_))));
        let twice = vec![("a".to_owned(), vec![1]), ("a".to_owned(), vec![2])];
        match write(&twice) {
            Err(_) => {}
            Ok(bytes) => assert!(matches!(read(&bytes), Err(ArchiveError::Duplicate(_)))),
        }
    }
}
