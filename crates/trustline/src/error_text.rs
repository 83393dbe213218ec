//! An error as the command line prints it: each cause once. A message that
//! already ends with its cause's text (`cannot read a.csv: No such file`)
//! is not followed by that cause again.

/// The error and its causes, joined by `: `, leaving out a cause the text
/// before it already ends with.
pub fn said_once(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain().map(ToString::to_string) {
        if text.is_empty() {
            text = cause;
        } else if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read {path}: {source}")]
    struct Unreadable {
        path: String,
        source: std::io::Error,
    }

    #[test]
    fn each_cause_is_said_once() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let error = anyhow::Error::new(Unreadable { path: "contacts.csv".into(), source: missing });
        assert_eq!(said_once(&error), "cannot read contacts.csv: No such file or directory (os error 2)");
        let layered = anyhow::anyhow!("the database is unavailable").context("cannot open the data directory");
        assert_eq!(said_once(&layered), "cannot open the data directory: the database is unavailable");
    }
}
