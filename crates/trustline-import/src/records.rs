//! CSV records read with bounded memory. A record larger than the limit is
//! skipped and reported, never buffered whole, and the byte offset after
//! every record is known, so an import can stop anywhere and resume there.

use std::io::Read;

/// Largest record kept in memory; a longer one is reported as oversize.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
const MAX_FIELDS: usize = 1024;
const READ_BUFFER: usize = 64 * 1024;

pub struct CsvRecords<R> {
    input: R,
    parser: csv_core::Reader,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes of the file consumed so far (from its very beginning).
    offset: u64,
    out: Vec<u8>,
    ends: Vec<usize>,
}

/// One record: its fields as raw bytes (decoding is the mapper's job).
pub struct Record<'a> {
    /// The line the record starts on (the header is line 1).
    pub line: u64,
    /// The byte offset just past this record: where reading resumes.
    pub end_offset: u64,
    out: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn field(&self, index: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { *self.ends.get(index - 1)? };
        self.out.get(start..end)
    }

    /// Every field in order; sized, so a row's width is known without collecting it.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.field(i).unwrap_or_default())
    }
}

/// The separator a file's first line uses: comma, semicolon (spreadsheets
/// in much of Europe write CSV so) or tab, whichever occurs most outside
/// quotes; a comma when none does.
pub fn sniff_delimiter(start: &[u8]) -> u8 {
    let line = start.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &byte in line {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(count) = counts.iter_mut().find(|(d, _)| *d == byte) {
            count.1 += 1;
        }
    }
    // The first of the most frequent: a comma wins ties.
    counts.iter().fold((b',', 0), |best, &(d, n)| if n > best.1 { (d, n) } else { best }).0
}

pub enum Next<'a> {
    Record(Record<'a>),
    /// A record over [`MAX_RECORD_BYTES`] or with too many fields.
    Oversize {
        line: u64,
        end_offset: u64,
    },
    End,
}

impl<R: Read> CsvRecords<R> {
    /// `offset` and `line` say where `input` starts within the file (0 and 1
    /// for its beginning), so positions stay absolute on resume; fields are
    /// separated by `delimiter`.
    pub fn new(input: R, offset: u64, line: u64, delimiter: u8) -> Self {
        let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        parser.set_line(line);
        Self { input, parser, buf: vec![0; READ_BUFFER], start: 0, end: 0, eof: false, offset, out: vec![0; 4096], ends: vec![0; 64] }
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The line the next record starts on (as far as is known yet).
    pub fn line(&self) -> u64 {
        self.parser.line()
    }

    fn fill(&mut self) -> std::io::Result<()> {
        if self.start == self.end && !self.eof {
            self.start = 0;
            self.end = self.input.read(&mut self.buf)?;
            self.eof = self.end == 0;
        }
        Ok(())
    }

    /// Line breaks between records (a CRLF's LF, blank lines) are consumed
    /// here so that the parser's line count is the record's first line.
    fn skip_line_breaks(&mut self) -> std::io::Result<()> {
        loop {
            self.fill()?;
            match self.buf.get(self.start) {
                Some(&byte) if self.start < self.end && (byte == b'\n' || byte == b'\r') => {
                    if byte == b'\n' {
                        self.parser.set_line(self.parser.line() + 1);
                    }
                    self.start += 1;
                    self.offset += 1;
                }
                _ => return Ok(()),
            }
        }
    }

    pub fn next_record(&mut self) -> std::io::Result<Next<'_>> {
        self.skip_line_breaks()?;
        let line = self.parser.line();
        let (mut nout, mut nends, mut oversize) = (0, 0, false);
        loop {
            self.fill()?;
            let input = self.buf.get(self.start..self.end).unwrap_or_default();
            let (result, nin, written, ended) = self.parser.read_record(
                input,
                self.out.get_mut(nout..).unwrap_or_default(),
                self.ends.get_mut(nends..).unwrap_or_default(),
            );
            self.start += nin;
            self.offset += nin as u64;
            nout += written;
            nends += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull if self.out.len() >= MAX_RECORD_BYTES => {
                    // Keep parsing to find the record's end, discarding its bytes.
                    oversize = true;
                    nout = 0;
                }
                csv_core::ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull if self.ends.len() >= MAX_FIELDS => {
                    oversize = true;
                    nends = 0;
                }
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::Record if oversize => return Ok(Next::Oversize { line, end_offset: self.offset }),
                csv_core::ReadRecordResult::Record => {
                    return Ok(Next::Record(Record {
                        line,
                        end_offset: self.offset,
                        out: self.out.get(..nout).unwrap_or_default(),
                        ends: self.ends.get(..nends).unwrap_or_default(),
                    }));
                }
                csv_core::ReadRecordResult::End => return Ok(Next::End),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_says_which_separator_the_file_uses() {
        assert_eq!(sniff_delimiter(b"name,phone\nA;B,1\n"), b',');
        assert_eq!(sniff_delimiter(b"name;phone;city\n"), b';');
        assert_eq!(sniff_delimiter(b"name\tphone\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"last, first\";phone\n"), b';', "separators inside quotes do not count");
        assert_eq!(sniff_delimiter(b"phone\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }

    /// Each record as (line, end offset, fields), or the line of an oversize one.
    type Read = Result<(u64, u64, Vec<String>), u64>;

    fn all(text: &[u8]) -> Vec<Read> {
        let mut reader = CsvRecords::new(text, 0, 1, b',');
        let mut out = Vec::new();
        loop {
            match reader.next_record().unwrap() {
                Next::Record(r) => {
                    out.push(Ok((r.line, r.end_offset, r.fields().map(|f| String::from_utf8_lossy(f).into_owned()).collect())))
                }
                Next::Oversize { line, .. } => out.push(Err(line)),
                Next::End => return out,
            }
        }
    }

    #[test]
    fn records_carry_their_line_and_the_offset_after_them() {
        let rows = all(b"name,phone\r\nAda,\"+44 20, 7183\"\n\"multi\nline\",x\nlast,y");
        assert_eq!(rows[0], Ok((1, 11, vec!["name".into(), "phone".into()])));
        assert_eq!(rows[1], Ok((2, 31, vec!["Ada".into(), "+44 20, 7183".into()])));
        assert_eq!(rows[2], Ok((3, 46, vec!["multi\nline".into(), "x".into()])));
        assert_eq!(rows[3], Ok((5, 52, vec!["last".into(), "y".into()])));
    }

    #[test]
    fn resuming_at_an_offset_continues_with_the_same_positions() {
        let text = b"h1,h2\na,b\nc,d\n";
        let whole = all(text);
        let Ok((line, offset, _)) = whole[1].clone() else { panic!() };
        let mut reader = CsvRecords::new(&text[offset as usize..], offset, line + 1, b',');
        let Next::Record(r) = reader.next_record().unwrap() else { panic!() };
        assert_eq!((r.line, r.end_offset), (3, 14));
    }

    #[test]
    fn an_oversize_record_is_skipped_not_buffered() {
        let mut text = b"a,b\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES * 3));
        text.extend(b",1\nnext,2\n");
        let rows = all(&text);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], Err(2));
        assert_eq!(rows[2].as_ref().unwrap().2, vec!["next".to_owned(), "2".to_owned()]);
        let wide = format!("{}\nok\n", vec!["f"; MAX_FIELDS + 5].join(","));
        assert_eq!(all(wide.as_bytes())[0], Err(1));
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(all(b"\xef\xbb\xbfname\n")[0].as_ref().unwrap().2, vec!["name".to_owned()]);
    }
}
