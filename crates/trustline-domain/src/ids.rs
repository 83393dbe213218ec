use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A customer organisation; every row that belongs to one carries its id.
    TenantId
);
id_type!(
    /// A person who signs in (staff of a tenant).
    UserId
);
id_type!(
    /// A machine credential for the API.
    TokenId
);
id_type!(
    /// A data subject: a person a tenant calls or is called by.
    ContactId
);
