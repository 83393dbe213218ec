//! What an agent sees of a contact they are not working right now: enough to
//! recognise a record, not enough to use it.

use super::PostalAddress;

pub const MASK: char = '•';

/// `Ada Lovelace` → `A•• L•••••••`.
pub fn mask_name(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| std::iter::once(first).chain(chars.map(|_| MASK)).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `ada@example.org` → `a••@e••••••.org`.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return mask_text(email);
    };
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let keep_first = |s: &str| {
        let mut chars = s.chars();
        chars.next().map(|c| std::iter::once(c).chain(chars.map(|_| MASK)).collect::<String>()).unwrap_or_default()
    };
    format!("{}@{}.{tld}", keep_first(local), keep_first(host))
}

/// Only the country stays visible.
pub fn mask_address(address: &PostalAddress) -> String {
    match &address.country {
        Some(country) => format!("{MASK}{MASK}{MASK}, {country}"),
        None => format!("{MASK}{MASK}{MASK}"),
    }
}

/// Free text: nothing but its presence.
pub fn mask_text(_text: &str) -> String {
    format!("{MASK}{MASK}{MASK}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_shape_not_content() {
        assert_eq!(mask_name("Ada Lovelace"), "A•• L•••••••");
        assert_eq!(mask_name("Émile Zola"), "É•••• Z•••");
        assert_eq!(mask_email("ada@example.org"), "a••@e••••••.org");
        assert_eq!(
            mask_address(&PostalAddress { city: Some("London".into()), country: Some("GB".into()), ..PostalAddress::default() }),
            "•••, GB"
        );
        assert_eq!(mask_text("account 1234"), "•••");
    }
}
