//! Conditions on the sort key of a query.

/// Which sort keys a query reads (DynamoDB's key condition on the sort key).
///
/// Sort keys are strings compared by their UTF-8 bytes, case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SortKey {
    /// Exactly this sort key (`sk = :v`).
    Equals(String),
    /// Sort keys that begin with this (`begins_with(sk, :v)`).
    BeginsWith(String),
    /// Sort keys from the first to the second, both included (`sk BETWEEN :a AND :b`).
    Between(String, String),
    /// Sort keys below this (`sk < :v`).
    LessThan(String),
    /// Sort keys up to this (`sk <= :v`).
    AtMost(String),
    /// Sort keys above this (`sk > :v`).
    GreaterThan(String),
    /// Sort keys from this on (`sk >= :v`).
    AtLeast(String),
}

impl SortKey {
    /// Whether `sk` satisfies the condition.
    pub fn matches(&self, sk: &str) -> bool {
        let sk = sk.as_bytes();
        match self {
            Self::Equals(value) => sk == value.as_bytes(),
            Self::BeginsWith(prefix) => sk.starts_with(prefix.as_bytes()),
            Self::Between(low, high) => low.as_bytes() <= sk && sk <= high.as_bytes(),
            Self::LessThan(value) => sk < value.as_bytes(),
            Self::AtMost(value) => sk <= value.as_bytes(),
            Self::GreaterThan(value) => sk > value.as_bytes(),
            Self::AtLeast(value) => sk >= value.as_bytes(),
        }
    }

    /// The values the condition holds, for validation and fingerprints.
    pub(crate) fn values(&self) -> Vec<&str> {
        match self {
            Self::Between(low, high) => vec![low, high],
            Self::Equals(value)
            | Self::BeginsWith(value)
            | Self::LessThan(value)
            | Self::AtMost(value)
            | Self::GreaterThan(value)
            | Self::AtLeast(value) => vec![value],
        }
    }

    /// A short name of the operator, for fingerprints.
    pub(crate) fn operator(&self) -> &'static str {
        match self {
            Self::Equals(_) => "=",
            Self::BeginsWith(_) => "begins_with",
            Self::Between(..) => "between",
            Self::LessThan(_) => "<",
            Self::AtMost(_) => "<=",
            Self::GreaterThan(_) => ">",
            Self::AtLeast(_) => ">=",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operator_compares_bytes() {
        assert!(SortKey::BeginsWith("A#".into()).matches("A#1"));
        assert!(!SortKey::BeginsWith("a#".into()).matches("A#1"));
        assert!(SortKey::Between("b".into(), "d".into()).matches("d"));
        assert!(!SortKey::LessThan("b".into()).matches("b"));
        assert!(SortKey::AtMost("b".into()).matches("b"));
        assert!(SortKey::GreaterThan("Z".into()).matches("a"));
        assert!(SortKey::AtLeast("é".into()).matches("😀"));
    }
}
