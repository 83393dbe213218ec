#![no_main]
// Call-list files as operators upload them: any bytes, read with bounded
// memory, mapped and validated row by row without panicking.
use trustline_import::{ColumnMapping, CsvRecords, Next};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let Ok(mapping) = ColumnMapping::from_header(&["name", "phone", "email", "country", "language", "time_zone"], &[], &[]) else {
        return;
    };
    let rules = trustline_phone::PhoneRules::default();
    let mut records = CsvRecords::new(bytes, 0, 1, trustline_import::sniff_delimiter(bytes));
    let mut last_offset = 0;
    loop {
        match records.next_record() {
            Ok(Next::Record(record)) => {
                assert!(record.end_offset >= last_offset && record.end_offset <= bytes.len() as u64);
                last_offset = record.end_offset;
                let fields: Vec<&[u8]> = record.fields().collect();
                if let Ok(input) = mapping.row_to_input(fields.into_iter()) {
                    let _ = input.validate(&[], &rules);
                }
            }
            Ok(Next::Oversize { end_offset, .. }) => last_offset = end_offset,
            Ok(Next::End) | Err(_) => break,
        }
    }
});
