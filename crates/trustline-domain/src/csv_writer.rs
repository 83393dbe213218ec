//! The one way the product writes CSV (reports, rejected rows, exports).
//! Text cells are quoted as RFC 4180 asks, and a text cell a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage
//! return) is neutralised with a leading `'`. Numbers are written by the
//! writer itself, so they never pass as text.

use std::fmt::Write;

/// What a spreadsheet reads as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV document built row by row.
#[derive(Debug)]
pub struct CsvWriter {
    out: String,
    /// No cell written yet on the current row.
    row_empty: bool,
}

impl CsvWriter {
    /// A document whose first row names the columns (the product's own
    /// names, written as they are).
    pub fn with_header(columns: &[&'static str]) -> Self {
        Self { out: format!("{}\n", columns.join(",")), row_empty: true }
    }

    fn separate(&mut self) {
        if !self.row_empty {
            self.out.push(',');
        }
        self.row_empty = false;
    }

    /// A cell of text from anyone: quoted, and never read as a formula.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        self.out.push('"');
        if value.starts_with(FORMULA_STARTS) {
            self.out.push('\'');
        }
        self.out.push_str(&value.replace('"', "\"\""));
        self.out.push('"');
        self
    }

    /// A whole number.
    pub fn integer(&mut self, value: i64) -> &mut Self {
        self.separate();
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{value}");
        self
    }

    /// A number with `places` decimals; an empty cell for none.
    pub fn decimal(&mut self, value: Option<f64>, places: usize) -> &mut Self {
        self.separate();
        if let Some(value) = value.filter(|v| v.is_finite()) {
            let _ = write!(self.out, "{value:.places$}");
        }
        self
    }

    /// A whole number, or an empty cell for none.
    pub fn maybe_integer(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(value) => self.integer(value),
            None => {
                self.separate();
                self
            }
        }
    }

    pub fn end_row(&mut self) {
        self.out.push('\n');
        self.row_empty = true;
    }

    /// The document so far, and a fresh writer for more rows (streamed output).
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one_cell(value: &str) -> String {
        let mut csv = CsvWriter::with_header(&[]);
        csv.take();
        csv.text(value);
        csv.finish()
    }

    #[test]
    fn formulas_are_neutralised_and_text_quoted() {
        assert_eq!(one_cell("@SUM(1+1)*cmd|' /C calc'!A0"), "\"'@SUM(1+1)*cmd|' /C calc'!A0\"");
        for start in ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"] {
            assert!(one_cell(start).starts_with("\"'"), "{start:?}");
        }
        assert_eq!(one_cell("say \"hi\", then go"), "\"say \"\"hi\"\", then go\"");
        assert_eq!(one_cell("plain"), "\"plain\"");
    }

    #[test]
    fn rows_and_numbers() {
        let mut csv = CsvWriter::with_header(&["id", "name", "rate"]);
        csv.integer(-4).text("a").decimal(Some(0.5), 4).end_row();
        csv.integer(5).maybe_integer(None).decimal(None, 1).end_row();
        assert_eq!(csv.finish(), "id,name,rate\n-4,\"a\",0.5000\n5,,\n");
    }

    proptest! {
        /// Whatever text goes in, its cell never starts a formula and
        /// reads back as the text (with the neutralising quote if added).
        #[test]
        fn no_text_cell_starts_a_formula(value in any::<String>()) {
            let cell = one_cell(&value);
            let inner = cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')).unwrap_or_default();
            prop_assert!(!inner.starts_with(FORMULA_STARTS));
            let unquoted = inner.replace("\"\"", "\"");
            let original = if value.starts_with(FORMULA_STARTS) { unquoted.strip_prefix('\'').unwrap_or_default().to_owned() } else { unquoted };
            prop_assert_eq!(original, value);
        }
    }
}
