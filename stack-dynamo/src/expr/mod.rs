//! What a request asks of items: conditions and filters, sort-key conditions, updates.
//!
//! Each is plain data. The DynamoDB backend turns it into an expression with placeholders; the
//! embedded backend evaluates it with the functions here, so both give it one meaning.

mod condition;
mod number;
mod sort_key;
mod update;

pub use self::condition::{Comparison, Condition};
pub use self::sort_key::SortKey;
pub use self::update::Update;

pub(crate) use self::number::{add_numbers, compare_numbers};
