//! Types that exist only to describe a value to the API document: a rule
//! said in words, or a list computed from what the code knows (the regions
//! numbers are read in, the states a call goes through), where no type the
//! handlers use carries the schema.

/// `schema_only!(Name, |generator| schema)`: a type described by `schema`.
macro_rules! schema_only {
    ($(#[$meta:meta])* $name:ident, |$generator:pat_param| $schema:expr) => {
        $(#[$meta])*
        pub(crate) struct $name;

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema($generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $schema
            }
        }
    };
}
pub(crate) use schema_only;

/// `vocabulary!(Name, "description", values)`: text drawn from a closed
/// list the code owns, so the document lists exactly the values written.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $description:literal, $values:expr) => {
        $crate::schema_only::schema_only!($(#[$meta])* $name, |_| {
            let values: Vec<&str> = $values;
            schemars::json_schema!({ "type": "string", "description": $description, "enum": values })
        });
    };
}
pub(crate) use vocabulary;
