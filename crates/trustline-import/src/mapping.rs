//! Which CSV column feeds which contact field. A header with the usual names
//! maps itself; `column=field` overrides say the rest.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trustline_domain::contact::{ContactInput, CustomFieldDef, FieldError, MAX_PHONES};

/// A contact field a column can feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "name")]
pub enum Target {
    Name,
    FirstName,
    LastName,
    Phone,
    Email,
    Street,
    City,
    Postcode,
    Region,
    Country,
    Language,
    TimeZone,
    Custom(String),
    /// The column is read and dropped.
    Ignore,
}

impl Target {
    fn parse(field: &str, custom: &[CustomFieldDef]) -> Option<Target> {
        let key = normalise(field);
        let known = match key.as_str() {
            "name" | "full_name" | "fullname" | "contact_name" => Target::Name,
            "first_name" | "firstname" | "given_name" | "forename" => Target::FirstName,
            "last_name" | "lastname" | "surname" | "family_name" => Target::LastName,
            "phone" | "phone_number" | "telephone" | "tel" | "mobile" | "mobile_phone" | "cell" | "number" | "phone2" | "phone_2"
            | "phone3" | "phone_3" | "home_phone" | "work_phone" => Target::Phone,
            "email" | "e_mail" | "email_address" | "mail" => Target::Email,
            "street" | "address" | "address_line" | "address1" | "street_address" => Target::Street,
            "city" | "town" | "locality" => Target::City,
            "postcode" | "post_code" | "postal_code" | "zip" | "zip_code" | "zipcode" => Target::Postcode,
            "region" | "state" | "county" | "province" => Target::Region,
            "country" | "country_code" => Target::Country,
            "language" | "lang" | "locale" => Target::Language,
            "time_zone" | "timezone" | "tz" => Target::TimeZone,
            "ignore" | "skip" | "-" => Target::Ignore,
            _ => {
                let name = key.strip_prefix("custom:").or_else(|| key.strip_prefix("custom_")).unwrap_or(&key);
                return custom.iter().find(|d| d.name == name).map(|d| Target::Custom(d.name.clone()));
            }
        };
        Some(known)
    }

    fn label(&self) -> String {
        let fixed = match self {
            Target::Custom(name) => return format!("custom:{name}"),
            Target::Name => "name",
            Target::FirstName => "first_name",
            Target::LastName => "last_name",
            Target::Phone => "phone",
            Target::Email => "email",
            Target::Street => "street",
            Target::City => "city",
            Target::Postcode => "postcode",
            Target::Region => "region",
            Target::Country => "country",
            Target::Language => "language",
            Target::TimeZone => "time_zone",
            Target::Ignore => "ignore",
        };
        fixed.to_owned()
    }
}

/// The field a column of this name feeds unless told otherwise, as a
/// mapping writes it (`phone`, `custom:account`); none when the name says
/// nothing the import knows.
pub fn proposed_field(column: &str, custom: &[CustomFieldDef]) -> Option<String> {
    Target::parse(column, custom).map(|t| t.label())
}

/// Every field a column can feed, the tenant's custom fields included, as
/// a mapping writes them.
pub fn field_names(custom: &[CustomFieldDef]) -> Vec<String> {
    let fixed =
        ["name", "first_name", "last_name", "phone", "email", "street", "city", "postcode", "region", "country", "language", "time_zone"];
    let custom = custom.iter().map(|d| format!("custom:{}", d.name));
    fixed.into_iter().map(str::to_owned).chain(custom).chain(["ignore".to_owned()]).collect()
}

fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-', '.'], "_")
}

/// The fields a column can feed, as messages and help list them.
pub const FIELDS: &str =
    "name, first_name, last_name, phone, email, street, city, postcode, region, country, language, time_zone, custom:<name>, ignore";

/// Why a mapping cannot be used; the import does not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("the file has no header row")]
    NoHeader,
    #[error("the header is not UTF-8 text (save the file as UTF-8 CSV)")]
    HeaderEncoding,
    #[error("the mapping {0:?} must look like column=field")]
    BadOverride(String),
    #[error("the mapping names column {0:?}, which is not in the header")]
    UnknownColumn(String),
    #[error("{0:?} is not a contact field (fields: {FIELDS})")]
    UnknownField(String),
    #[error("no column maps to phone: a call list needs numbers, so map the column that holds them to phone")]
    NoPhone,
    #[error("more than {MAX_PHONES} columns map to phone")]
    TooManyPhones,
    #[error("columns {0:?} and {1:?} both map to {2}")]
    Twice(String, String, String),
    #[error(
        "{} not understood: map each to a field or to ignore (fields: {FIELDS})",
        .0.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ") + if .0.len() == 1 { " is" } else { " are" }
    )]
    Unmapped(Vec<String>),
}

/// The header's columns and where each goes, stored with the import so a
/// resumed import reads the rest of the file exactly as the start did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub columns: Vec<(String, Target)>,
    /// The byte between fields (`,`, `;` or tab), as found in the header.
    #[serde(default = "comma")]
    pub delimiter: u8,
}

fn comma() -> u8 {
    b','
}

impl ColumnMapping {
    /// Maps `header`; `overrides` are `column=field` pairs. Every column must
    /// end up mapped (or ignored): silently dropping data is not an option.
    pub fn from_header(header: &[&str], overrides: &[String], custom: &[CustomFieldDef]) -> Result<Self, MappingError> {
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(MappingError::NoHeader);
        }
        let mut explicit = BTreeMap::new();
        for pair in overrides {
            let (column, field) = pair.split_once('=').ok_or_else(|| MappingError::BadOverride(pair.clone()))?;
            if !header.iter().any(|h| h.trim() == column.trim()) {
                return Err(MappingError::UnknownColumn(column.to_owned()));
            }
            let target = Target::parse(field, custom).ok_or_else(|| MappingError::UnknownField(field.to_owned()))?;
            explicit.insert(column.trim().to_owned(), target);
        }
        let mut columns = Vec::with_capacity(header.len());
        let mut unmapped = Vec::new();
        for column in header {
            let column = column.trim();
            match explicit.get(column).cloned().or_else(|| Target::parse(column, custom)) {
                Some(target) => columns.push((column.to_owned(), target)),
                None => unmapped.push(column.to_owned()),
            }
        }
        if !unmapped.is_empty() {
            return Err(MappingError::Unmapped(unmapped));
        }
        let phones = columns.iter().filter(|(_, t)| *t == Target::Phone).count();
        if phones == 0 {
            return Err(MappingError::NoPhone);
        }
        if phones > MAX_PHONES {
            return Err(MappingError::TooManyPhones);
        }
        for (i, (column, target)) in columns.iter().enumerate() {
            if matches!(target, Target::Phone | Target::Ignore) {
                continue;
            }
            if let Some((other, _)) = columns.iter().skip(i + 1).find(|(_, t)| t == target) {
                return Err(MappingError::Twice(column.clone(), other.clone(), target.label()));
            }
        }
        Ok(Self { columns, delimiter: b',' })
    }

    /// One row's fields as a contact input. Fields that are not UTF-8, or
    /// longer than any real value, are reported by column name.
    pub fn row_to_input<'a>(&self, fields: impl ExactSizeIterator<Item = &'a [u8]>) -> Result<ContactInput, Vec<FieldError>> {
        if fields.len() != self.columns.len() {
            return Err(vec![FieldError::new(
                "row",
                format!("has {} fields but the header has {} columns", fields.len(), self.columns.len()),
            )]);
        }
        let mut input = ContactInput::default();
        let mut errors = Vec::new();
        for ((column, target), raw) in self.columns.iter().zip(fields) {
            if *target == Target::Ignore || raw.is_empty() {
                continue;
            }
            if raw.len() > MAX_FIELD_BYTES {
                errors.push(FieldError::new(column.clone(), format!("is longer than {MAX_FIELD_BYTES} bytes")));
                continue;
            }
            let Ok(text) = std::str::from_utf8(raw) else {
                errors.push(FieldError::new(column.clone(), "is not UTF-8 text (save the file as UTF-8 CSV)"));
                continue;
            };
            // Cells are padded and left blank in real files: a blank cell is
            // an empty one, and the value is what the padding surrounds.
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let value = Some(text.to_owned());
            match target {
                Target::Name => input.name = value,
                Target::FirstName => input.first_name = value,
                Target::LastName => input.last_name = value,
                Target::Phone => input.phones.push(text.to_owned()),
                Target::Email => input.email = value,
                Target::Street => input.address.street = value,
                Target::City => input.address.city = value,
                Target::Postcode => input.address.postcode = value,
                Target::Region => input.address.region = value,
                Target::Country => input.address.country = value,
                Target::Language => input.language = value,
                Target::TimeZone => input.time_zone = value,
                Target::Custom(name) => {
                    input.custom.insert(name.clone(), text.to_owned());
                }
                Target::Ignore => {}
            }
        }
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }

    /// Translates a validation error's field (`phones.1`, `address.city`)
    /// back to the column that fed it, for the rejected-rows report.
    pub fn column_of(&self, field: &str) -> String {
        let target = match field {
            "name" => Some(Target::Name),
            "first_name" => Some(Target::FirstName),
            "last_name" => Some(Target::LastName),
            "email" => Some(Target::Email),
            "address.street" => Some(Target::Street),
            "address.city" => Some(Target::City),
            "address.postcode" => Some(Target::Postcode),
            "address.region" => Some(Target::Region),
            "address.country" => Some(Target::Country),
            "language" => Some(Target::Language),
            "time_zone" => Some(Target::TimeZone),
            other => other.strip_prefix("custom.").map(|n| Target::Custom(n.to_owned())),
        };
        if let Some(target) = target {
            return self.columns.iter().find(|(_, t)| *t == target).map_or_else(|| field.to_owned(), |(c, _)| c.clone());
        }
        // Numbers are pushed in column order, skipping empty cells, so the
        // n-th number is the n-th phone column that had a value; name the
        // phone columns when that cannot be told apart from here.
        let phones: Vec<&str> = self.columns.iter().filter(|(_, t)| *t == Target::Phone).map(|(c, _)| c.as_str()).collect();
        match (field.strip_prefix("phones."), phones.as_slice()) {
            (Some(_), [only]) => (*only).to_owned(),
            (Some(_), _) | (None, _) if field.starts_with("phones") => phones.join("/"),
            _ => field.to_owned(),
        }
    }
}

/// No real contact field comes close; a longer cell is a broken file.
pub const MAX_FIELD_BYTES: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;
    use trustline_domain::contact::CustomFieldKind;

    fn plan() -> Vec<CustomFieldDef> {
        vec![CustomFieldDef { name: "plan".into(), label: "Plan".into(), kind: CustomFieldKind::Text, required: false }]
    }

    #[test]
    fn usual_headers_map_themselves() {
        let mapping = ColumnMapping::from_header(&["First Name", "Surname", "Mobile", "E-mail", "ZIP", "plan"], &[], &plan()).unwrap();
        let targets: Vec<&Target> = mapping.columns.iter().map(|(_, t)| t).collect();
        assert_eq!(
            targets,
            [&Target::FirstName, &Target::LastName, &Target::Phone, &Target::Email, &Target::Postcode, &Target::Custom("plan".into())]
        );
    }

    #[test]
    fn overrides_and_refusals() {
        let overridden = ColumnMapping::from_header(&["who", "tel", "notes"], &["who=name".into(), "notes=ignore".into()], &[]).unwrap();
        assert_eq!(overridden.columns[0].1, Target::Name);
        assert_eq!(ColumnMapping::from_header(&["who", "tel"], &[], &[]), Err(MappingError::Unmapped(vec!["who".into()])));
        let both = ColumnMapping::from_header(&["who", "tel", "why"], &[], &[]).unwrap_err();
        assert_eq!(both, MappingError::Unmapped(vec!["who".into(), "why".into()]));
        let said = both.to_string();
        assert!(said.starts_with("\"who\", \"why\" are not understood") && said.contains("time_zone, custom:<name>, ignore"), "{said}");
        assert_eq!(ColumnMapping::from_header(&["name", "email"], &[], &[]), Err(MappingError::NoPhone));
        assert_eq!(
            ColumnMapping::from_header(&["name", "tel"], &["nope=name".into()], &[]),
            Err(MappingError::UnknownColumn("nope".into()))
        );
        assert_eq!(
            ColumnMapping::from_header(&["name", "tel"], &["name=colour".into()], &[]),
            Err(MappingError::UnknownField("colour".into()))
        );
        assert!(matches!(ColumnMapping::from_header(&["name", "full name", "tel"], &[], &[]), Err(MappingError::Twice(..))));
        assert_eq!(ColumnMapping::from_header(&["", ""], &[], &[]), Err(MappingError::NoHeader));
        assert_eq!(ColumnMapping::from_header(&["name", "tel"], &["name".into()], &[]), Err(MappingError::BadOverride("name".into())));
    }

    #[test]
    fn rows_become_inputs_and_bad_cells_are_named() {
        let mapping = ColumnMapping::from_header(&["name", "phone", "phone2", "plan"], &[], &plan()).unwrap();
        let row: Vec<&[u8]> = vec![b"Ada", b"+442071838750", b"", b"gold"];
        let input = mapping.row_to_input(row.into_iter()).unwrap();
        assert_eq!(
            (input.name.as_deref(), input.phones.len(), input.custom.get("plan").map(String::as_str)),
            (Some("Ada"), 1, Some("gold"))
        );
        let bad: Vec<&[u8]> = vec![b"Ad\xffa", b"1", b"2", b"x"];
        assert_eq!(mapping.row_to_input(bad.into_iter()).unwrap_err()[0].field, "name");
        let short: Vec<&[u8]> = vec![b"Ada"];
        assert_eq!(mapping.row_to_input(short.into_iter()).unwrap_err()[0].field, "row");
        assert_eq!(mapping.column_of("custom.plan"), "plan");
        assert_eq!(mapping.column_of("phones.1"), "phone/phone2");
    }

    proptest::proptest! {
        #[test]
        fn any_row_maps_or_says_why(cells in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..40), 0..6)) {
            let mapping = ColumnMapping::from_header(&["name", "phone", "email", "country"], &[], &[]).unwrap();
            let fields: Vec<&[u8]> = cells.iter().map(Vec::as_slice).collect();
            match mapping.row_to_input(fields.into_iter()) {
                Ok(input) => { let _ = input.validate(&[], &trustline_phone::PhoneRules::default()); }
                Err(errors) => proptest::prop_assert!(!errors.is_empty()),
            }
        }
    }
}
