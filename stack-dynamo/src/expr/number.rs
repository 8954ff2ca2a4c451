//! DynamoDB numbers (decimal text) compared and added, for the embedded backend.
//!
//! Integers are exact up to `i128`; anything else goes through `f64`, so the embedded backend
//! is exact to about 15 significant digits where DynamoDB is exact to 38.

use std::cmp::Ordering;

/// How two numbers compare, `None` when either is not a number.
pub(crate) fn compare_numbers(left: &str, right: &str) -> Option<Ordering> {
    if let (Ok(left), Ok(right)) = (left.parse::<i128>(), right.parse::<i128>()) {
        return Some(left.cmp(&right));
    }
    let (left, right) = (left.parse::<f64>().ok()?, right.parse::<f64>().ok()?);
    left.partial_cmp(&right)
}

/// The sum of two numbers as text, `None` when either is not a number or it overflows.
pub(crate) fn add_numbers(left: &str, right: &str) -> Option<String> {
    if let (Ok(left), Ok(right)) = (left.parse::<i128>(), right.parse::<i128>()) {
        return left.checked_add(right).map(|sum| sum.to_string());
    }
    let sum = left.parse::<f64>().ok()? + right.parse::<f64>().ok()?;
    sum.is_finite().then(|| sum.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_not_text() {
        assert_eq!(compare_numbers("9", "10"), Some(Ordering::Less));
        assert_eq!(compare_numbers("-1.5", "-1.25"), Some(Ordering::Less));
        assert_eq!(compare_numbers("2.0", "2"), Some(Ordering::Equal));
        assert_eq!(compare_numbers("x", "2"), None);
    }

    #[test]
    fn numbers_add_exactly_as_integers() {
        assert_eq!(
            add_numbers("99999999999999999999", "1").as_deref(),
            Some("100000000000000000000")
        );
        assert_eq!(add_numbers("1.5", "-0.5").as_deref(), Some("1"));
    }
}
