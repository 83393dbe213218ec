//! How the API document describes a new password.

crate::schema_only::schema_only!(
    /// How the API document describes a new password: strength is a
    /// judgement (zxcvbn, against the person's own names) no pattern can
    /// state, so the document says it in words and the format names it.
    NewPassword,
    |_| schemars::json_schema!({
        "type": "string",
        "format": "password",
        "description": "At least 12 characters unless the installation says otherwise, and hard to guess (zxcvbn \
            score 3 or more, not built on the person's names or the tenant's); refused with 422 weak_password.",
    })
);
