#![no_main]
// Tenant, username, role and scope names from forms, JSON and the command line.
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(name) = trustline_domain::Username::parse(text) {
        assert_eq!(trustline_domain::Username::parse(name.as_str()).as_ref(), Ok(&name));
    }
    let _ = trustline_domain::TenantSlug::parse(text);
    let _ = trustline_domain::Role::parse(text);
    let _ = trustline_domain::Action::parse(text);
});
