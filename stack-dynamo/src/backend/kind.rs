//! Which backend a service's settings choose.

use std::fmt;
use std::str::FromStr;

/// Where a table lives, as a service's settings name it (`STACK_TABLE_BACKEND`): `embedded`
/// or `dynamodb`, in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableBackend {
    /// The embedded table under the data directory: no AWS account needed.
    Embedded,
    /// A DynamoDB table (or an emulator at `AWS_ENDPOINT_URL`).
    DynamoDb,
}

impl FromStr for TableBackend {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "embedded" => Ok(Self::Embedded),
            "dynamodb" => Ok(Self::DynamoDb),
            _ => Err("expected `embedded` or `dynamodb`".to_owned()),
        }
    }
}

impl fmt::Display for TableBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Embedded => "embedded",
            Self::DynamoDb => "dynamodb",
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_any_case_and_print_back() {
        for (text, backend) in [
            ("embedded", TableBackend::Embedded),
            ("DynamoDB", TableBackend::DynamoDb),
        ] {
            let parsed: TableBackend = text.parse().unwrap();
            assert_eq!(parsed, backend);
            assert_eq!(parsed.to_string(), text.to_ascii_lowercase());
        }
        assert!("sqlite".parse::<TableBackend>().is_err());
    }
}
